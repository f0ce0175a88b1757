/**
 * Where human output goes and whether it is coloured. Results go to stdout;
 * progress and diagnostics to stderr, so `--json` can own stdout alone.
 * Output is plain (no colour, ASCII charts) when stdout is not a terminal or
 * NO_COLOR is set; `--quiet` keeps results and errors only.
 */
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

export function makeOut(opts: { quiet?: boolean; jsonToStdout?: boolean } = {}): Out {
  const tty = !!process.stderr.isTTY;
  return {
    color: useColor(),
    tty,
    quiet: !!opts.quiet,
    columns: process.stdout.isTTY && !opts.jsonToStdout ? process.stdout.columns || 80 : undefined,
    print(text) {
      if (opts.jsonToStdout) process.stderr.write(`${text}\n`);
      else process.stdout.write(`${text}\n`);
    },
    info(text) {
      if (!opts.quiet) process.stderr.write(`${text}\n`);
    },
    error(text) {
      process.stderr.write(`${text}\n`);
    },
  };
}
