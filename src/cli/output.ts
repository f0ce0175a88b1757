/**
 * Where human output goes and whether it is coloured. Results go to stdout;
 * progress and diagnostics to stderr, so `--json` can own stdout alone.
 */
export interface Out {
  color: boolean;
  tty: boolean;
  quiet: boolean;
  print(text: string): void;
  info(text: string): void;
  error(text: string): void;
}

export function makeOut(opts: { quiet?: boolean; jsonToStdout?: boolean } = {}): Out {
  const tty = !!process.stderr.isTTY;
  const color = !!process.stdout.isTTY && !process.env.NO_COLOR && process.env.TERM !== 'dumb';
  return {
    color,
    tty,
    quiet: !!opts.quiet,
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
