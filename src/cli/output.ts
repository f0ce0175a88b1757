/**
 * Where human output goes and whether it is coloured. Results go to stdout;
 * progress and diagnostics to stderr, so `--json` can own stdout alone.
 * Output is plain (no colour, ASCII charts) when stdout is not a terminal or
 * NO_COLOR is set; `--quiet` keeps results and errors only. On a terminal,
 * lines wider than it are folded at spaces.
 */
import { fitToWidth } from '../reporters/wrap';

export interface Out {
  color: boolean;
  tty: boolean;
  quiet: boolean;
  /** The terminal's width when stdout is one (prose is folded to it); undefined when piped. */
  columns: number | undefined;
  print(text: string): void;
  info(text: string): void;
  error(text: string): void;
}

/** Colour for stdout: a terminal, and neither NO_COLOR (https://no-color.org) nor TERM=dumb. */
export function useColor(stream: NodeJS.WriteStream = process.stdout, env: NodeJS.ProcessEnv = process.env): boolean {
  return !!stream.isTTY && !env.NO_COLOR && env.TERM !== 'dumb';
}

/** Both ends of an interactive session are terminals. */
export function interactive(): boolean {
  return !!process.stdin.isTTY && !!process.stdout.isTTY;
}

/** Writes a line of output; on a terminal, lines wider than it are folded at spaces (a pipe gets them whole). */
function write(stream: NodeJS.WriteStream, text: string): void {
  stream.write(`${stream.isTTY ? fitToWidth(text, stream.columns || 80) : text}\n`);
}

export function makeOut(opts: { quiet?: boolean; jsonToStdout?: boolean } = {}): Out {
  const tty = !!process.stderr.isTTY;
  return {
    color: useColor(),
    tty,
    quiet: !!opts.quiet,
    columns: process.stdout.isTTY && !opts.jsonToStdout ? process.stdout.columns || 80 : undefined,
    print(text) {
      if (opts.jsonToStdout) write(process.stderr, text);
      else write(process.stdout, text);
    },
    info(text) {
      if (!opts.quiet) write(process.stderr, text);
    },
    error(text) {
      write(process.stderr, text);
    },
  };
}
