/**
 * Drives the built CLI through a real pseudo-terminal (test/helpers/terminal.py),
 * the way a learner's terminal would: it sees a TTY, draws prompts and
 * reads single keys. Tests wait for text on the screen and type keys.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import * as path from 'node:path';
import { BIN } from './cli';

export const KEY = {
  enter: '\r',
  up: '\x1b[A',
  down: '\x1b[B',
  ctrlC: '\x03',
  backspace: '\x7f',
} as const;

const BRIDGE = path.join(__dirname, 'terminal.py');

// CSI and OSC sequences, and the lone escapes inquirer uses to show or hide the cursor.
const ANSI = /\x1b\[[0-9;?]*[ -/]*[@-~]|\x1b\][^\x07]*(\x07|\x1b\\)|\x1b[()][0-9A-B]|\x1b[=>78]/g;

export function stripAnsi(s: string): string {
  return s.replace(ANSI, '').replace(/\r/g, '');
}

export interface PtyOptions {
  cwd: string;
  env?: NodeJS.ProcessEnv;
  cols?: number;
  rows?: number;
}

export class PtySession {
  raw = '';
  private readonly child: ChildProcessWithoutNullStreams;
  private readonly exited: Promise<number | null>;
  private listeners: (() => void)[] = [];
  private closed = false;

  constructor(args: string[], opts: PtyOptions) {
    const env: NodeJS.ProcessEnv = { ...process.env, GITHUB_ACTIONS: '', TERM: 'xterm-256color', ...opts.env };
    delete env.NO_COLOR;
    if (opts.env && 'NO_COLOR' in opts.env) env.NO_COLOR = opts.env.NO_COLOR;
    this.child = spawn(
      'python3',
      [
        BRIDGE,
        '--cols',
        String(opts.cols ?? 110),
        '--rows',
        String(opts.rows ?? 50),
        '--',
        process.execPath,
        BIN,
        ...args,
      ],
      {
        cwd: opts.cwd,
        env,
      },
    );
    this.child.stdout.on('data', (d: Buffer) => {
      this.raw += d.toString('utf8');
      for (const l of this.listeners) l();
    });
    this.child.stderr.on('data', (d: Buffer) => {
      this.raw += d.toString('utf8');
      for (const l of this.listeners) l();
    });
    this.exited = new Promise((resolve) =>
      this.child.on('close', (code) => {
        this.closed = true;
        for (const l of this.listeners) l();
        resolve(code);
      }),
    );
  }

  /** Everything shown so far, without escape sequences. */
  text(): string {
    return stripAnsi(this.raw);
  }

  /** A position in the output; expect(..., { from }) only looks after it. */
  mark(): number {
    return this.text().length;
  }

  send(keys: string): void {
    this.child.stdin.write(keys);
  }

  /** Waits until the screen shows `pattern` (after `from`); returns the text from `from`. */
  expect(pattern: RegExp | string, opts: { from?: number; timeoutMs?: number } = {}): Promise<string> {
    const from = opts.from ?? 0;
    const timeoutMs = opts.timeoutMs ?? 90000;
    const matches = (): boolean => {
      const t = this.text().slice(from);
      return typeof pattern === 'string' ? t.includes(pattern) : pattern.test(t);
    };
    return new Promise((resolve, reject) => {
      const done = (): void => {
        clearTimeout(timer);
        this.listeners = this.listeners.filter((l) => l !== check);
      };
      const check = (): void => {
        if (matches()) {
          done();
          resolve(this.text().slice(from));
        } else if (this.closed) {
          done();
          reject(
            new Error(
              `the program ended while waiting for ${String(pattern)}; the screen shows:\n${this.text().slice(from).slice(-3000)}`,
            ),
          );
        }
      };
      const timer = setTimeout(() => {
        done();
        reject(
          new Error(
            `timed out after ${timeoutMs} ms waiting for ${String(pattern)}; the screen shows:\n${this.text().slice(from).slice(-3000)}`,
          ),
        );
      }, timeoutMs);
      this.listeners.push(check);
      check();
    });
  }

  /** Resolves with the exit code once the program ends (rejects after the timeout and kills it). */
  async exit(timeoutMs = 90000): Promise<number | null> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        this.kill();
        reject(
          new Error(`the program did not exit within ${timeoutMs} ms; the screen shows:\n${this.text().slice(-3000)}`),
        );
      }, timeoutMs);
    });
    try {
      return await Promise.race([this.exited, timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  kill(): void {
    this.child.kill('SIGTERM');
  }
}

export function runInPty(args: string[], opts: PtyOptions): PtySession {
  return new PtySession(args, opts);
}
