/**
 * Starts the harness in a child process and talks to it. Owns the budget:
 * a hard deadline after which the child's whole process group gets SIGKILL,
 * a heap cap, a resident-memory watch, captured output, and cleanup in
 * `close()` whatever happened. Failures of the child come back as
 * `ChildFailure` carrying a LearnerError, never as mlpath crashes.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import type { Socket } from 'node:net';
import * as path from 'node:path';
import type { GradedKind } from './kinds/kind';
import { childMarker, FrameDecoder, FrameError, frameParts, GRADER_MARKER, MAX_CHILD_FRAME_BYTES } from './channel';
import { packTensors } from './packing';
import {
  childMessageSchema,
  HARNESS_FAILED,
  type ChildMessage,
  type LearnerError,
  type LogStep,
  type ParentMessage,
} from './protocol';
import { OutputCapture, printable } from './output-capture';
import { childCommand, childEntry, childEnv, childExecArgv } from './sandbox';

export interface SessionOptions {
  kind: GradedKind;
  /**
   * The learner's compiled bundle. Left out, the child is started at once and loads TensorFlow.js while the
   * grader compiles and splits the data: `bundleDir` must then say where the bundle will be (the child may read
   * only there), and start() hands over the bundle and the payload when they are ready.
   */
  bundle?: string;
  bundleDir?: string;
  sourceRoot: string;
  /** The submission's folder, passed as the child's one argument (unused by it): `ps` shows whose check a process is. */
  label?: string;
  backend?: string;
  seed: number;
  budgetSeconds: number;
  memoryMb: number;
  forbid: string[];
  payload?: unknown;
  /** A logged step as the child sent it: null marks a value that was NaN or Infinity. */
  onLog?: (step: LogStep) => void;
  /** Aborting kills the child; the session then fails as cancelled (CANCELLED_MESSAGE). */
  signal?: AbortSignal;
  /** More folders the child may read (fixtures a suite built), besides the exercise folder. */
  readRoots?: string[];
  /** Folders the child may write to, e.g. the exercise's `mlruns/`. */
  writeRoots?: string[];
}

/** Limits on a child message's shape, far above any real one (predictions travel as typed arrays). */
const MAX_ARRAY_LENGTH = 1_000_000;
const MAX_DEPTH = 32;
const MAX_NODES = 2_000_000;

/** Why a deserialized message is too large to validate, or undefined. */
export function shapeProblem(value: unknown): string | undefined {
  let nodes = 0;
  const walk = (v: unknown, depth: number): string | undefined => {
    if (v === null || typeof v !== 'object' || ArrayBuffer.isView(v)) return undefined;
    if (depth > MAX_DEPTH) return `nested more than ${MAX_DEPTH} levels deep`;
    if (Array.isArray(v) && v.length > MAX_ARRAY_LENGTH) return `an array of ${v.length} elements`;
    for (const key of Object.keys(v)) {
      if (++nodes > MAX_NODES) return `more than ${MAX_NODES} values`;
      const problem = walk((v as Record<string, unknown>)[key], depth + 1);
      if (problem) return problem;
    }
    return undefined;
  };
  return walk(value, 0);
}

export class ChildFailure extends Error {
  constructor(readonly error: LearnerError) {
    super(error.message);
  }
}

const STARTUP_SECONDS = 30;
/** Message of the failure a cancelled session reports; callers that cancelled ignore it. */
export const CANCELLED_MESSAGE = 'the check was cancelled';

const live = new Set<ChildProcess>();
let exitHookInstalled = false;

function killTree(child: ChildProcess): void {
  if (child.pid === undefined) return;
  try {
    if (process.platform !== 'win32') process.kill(-child.pid, 'SIGKILL');
    else child.kill('SIGKILL');
  } catch {
    try {
      child.kill('SIGKILL');
    } catch {
      /* already gone */
    }
  }
}

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.on('exit', () => {
    for (const child of live) killTree(child);
  });
}

/** Node's timers hold a signed 32-bit delay and fire at once past it; a longer wait is cut to the longest. */
const MAX_TIMER_MS = 2 ** 31 - 1;

function later(fn: () => void, ms: number): NodeJS.Timeout {
  return setTimeout(fn, Math.min(ms, MAX_TIMER_MS));
}

/** What a broken channel tells the learner: only graded code writes to the descriptor besides the harness. */
function channelFailure(err: unknown): LearnerError {
  if (err instanceof FrameError && err.problem === 'too-large') {
    return {
      kind: 'invalid-output',
      message: `sent mlpath a message of ${Math.round((err.bytes ?? 0) / 1048576)} MB, over the ${MAX_CHILD_FRAME_BYTES / 1048576} MB allowed; return less (predictions for the rows you are given, values of the size the exercise asks for)`,
    };
  }
  return {
    kind: 'runtime',
    message:
      "wrote to mlpath's private channel (file descriptor 3) and broke it; graded code must not write to file descriptors it did not open",
  };
}

function residentMb(pid: number): number | undefined {
  try {
    const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
    const m = /VmRSS:\s+(\d+) kB/.exec(status);
    return m ? Number(m[1]) / 1024 : undefined;
  } catch {
    return undefined;
  }
}

/** A 'start' message encoded once, so that every seed's child of one check is sent the same bytes. */
export interface StartFrame {
  readonly parts: readonly Buffer[];
}

export function encodeStart(bundle: string, payload: unknown): StartFrame {
  return { parts: frameParts(packTensors({ type: 'start', bundle, payload } satisfies ParentMessage), GRADER_MARKER) };
}

export class ChildSession {
  readonly output = new OutputCapture();
  backend = '';
  tfjsVersion = '';
  peakRssMb = 0;
  private readonly child: ChildProcess;
  private readonly channel: Socket;
  private readonly token = randomBytes(24).toString('hex');
  private readonly decoder = new FrameDecoder(childMarker(this.token), MAX_CHILD_FRAME_BYTES);
  /** The channel ended inside a frame: said on exit, unless something explains it better. */
  private cutOff = false;
  /** Set once close() has asked the child to finish: its channel closing then is the normal end. */
  private closing = false;
  private readonly queue: ChildMessage[] = [];
  private waiter?: { resolve: (m: ChildMessage) => void; reject: (e: ChildFailure) => void };
  private failure?: LearnerError;
  private readonly timers: NodeJS.Timeout[] = [];
  private stderrText = '';
  private startupTimer?: NodeJS.Timeout;
  private detachSignal?: () => void;
  private exited = false;
  /** Whether the child has its bundle: a child still waiting for start() has run nothing of the learner's. */
  private started: boolean;
  /** Steps the learner logged, and the last one: a timeout says whether training was moving at all. */
  private logged = 0;
  private lastStep?: Record<string, number | null | undefined>;

  constructor(private readonly opts: SessionOptions) {
    installExitHook();
    this.started = opts.bundle !== undefined;
    const bundleDir = opts.bundle !== undefined ? path.dirname(opts.bundle) : opts.bundleDir;
    if (bundleDir === undefined) throw new Error('a child session needs its bundle or the folder it will be in');
    // Made now: the sandbox grants a folder's contents only when the folder exists as the child starts.
    fs.mkdirSync(bundleDir, { recursive: true });
    const execArgv = childExecArgv({
      memoryMb: opts.memoryMb,
      readRoots: [opts.sourceRoot, bundleDir, ...(opts.readRoots ?? [])],
      writeRoots: opts.writeRoots,
      nativeAddons: opts.backend === 'tensorflow' || opts.backend === undefined,
    });
    const command = childCommand([...execArgv, childEntry(), ...(opts.label ? [opts.label] : [])]);
    this.child = spawn(command.command, command.args, {
      cwd: opts.sourceRoot,
      env: childEnv(),
      stdio: ['ignore', 'pipe', 'pipe', 'pipe'],
      detached: process.platform !== 'win32',
    });
    live.add(this.child);
    this.channel = this.child.stdio[3] as Socket;
    this.channel.on('data', (chunk: Buffer) => this.onData(chunk));
    this.channel.on('end', () => this.onChannelEnd());
    // EPIPE and resets when the child dies; its exit is reported by onExit.
    this.channel.on('error', () => undefined);
    this.child.stdout?.on('data', (d: Buffer) => this.output.push(d));
    this.child.stderr?.on('data', (d: Buffer) => {
      this.output.push(d);
      if (this.stderrText.length < 65536) this.stderrText += d.toString('utf8');
    });
    this.child.on('error', (err) =>
      this.fail({ kind: 'exited', message: `could not run the learner process: ${err.message}` }),
    );
    // 'close' comes after the child's output and channel are drained, so a
    // last error message or heap report is not lost as it can be on 'exit'.
    this.child.on('close', (code, signal) => this.onExit(code, signal));
    // The budget starts once the backend is up, so a slow machine's start-up
    // does not eat the learner's time; start-up has its own, generous limit
    // (from start() for a child started early: until then the grader is the one working).
    if (this.started) this.armStartup();
    if (process.platform === 'linux') {
      const limitMb = opts.memoryMb + 1024;
      const watch = setInterval(() => {
        if (this.child.pid === undefined) return;
        const rss = residentMb(this.child.pid);
        if (rss === undefined) return;
        this.peakRssMb = Math.max(this.peakRssMb, rss);
        if (rss > limitMb) {
          this.fail({
            kind: 'memory',
            message: `used ${Math.round(rss)} MB of memory, over the ${limitMb} MB allowed; free tensors you no longer need (tf.tidy, dispose) or train on smaller batches`,
          });
          killTree(this.child);
        }
      }, 250);
      this.timers.push(watch);
    }
    const init: ParentMessage = {
      type: 'init',
      token: this.token,
      kind: opts.kind,
      bundle: opts.bundle,
      sourceRoot: opts.sourceRoot,
      backend: opts.backend,
      seed: opts.seed,
      budgetSeconds: opts.budgetSeconds,
      forbid: opts.forbid,
      payload: opts.payload,
    };
    this.send(init);
    this.watchSignal(opts.signal);
  }

  /** Hands a child started without its bundle the bundle and payload (encodeStart); call once. */
  start(frame: StartFrame): void {
    if (this.started) throw new Error('this child session has started already');
    this.started = true;
    this.armStartup();
    if (this.channel.destroyed || !this.channel.writable) return;
    for (const part of frame.parts) this.channel.write(part);
  }

  private armStartup(): void {
    this.startupTimer = later(() => {
      this.fail({
        kind: 'timeout',
        message: `the learner process did not start within ${STARTUP_SECONDS} s (TensorFlow.js backend initialisation); try \`mlpath doctor\``,
      });
      killTree(this.child);
    }, STARTUP_SECONDS * 1000);
    this.timers.push(this.startupTimer);
  }

  private watchSignal(signal: AbortSignal | undefined): void {
    if (!signal) return;
    const cancel = (): void => {
      this.fail({ kind: 'exited', message: CANCELLED_MESSAGE });
      killTree(this.child);
    };
    if (signal.aborted) {
      cancel();
      return;
    }
    signal.addEventListener('abort', cancel, { once: true });
    this.detachSignal = () => signal.removeEventListener('abort', cancel);
  }

  send(msg: ParentMessage): void {
    if (this.channel.destroyed || !this.channel.writable) return;
    for (const part of frameParts(packTensors(msg), GRADER_MARKER)) this.channel.write(part);
  }

  /** Waits for the next message of one of `types`; log messages go to onLog. */
  async expect<T extends ChildMessage['type']>(...types: T[]): Promise<Extract<ChildMessage, { type: T }>> {
    for (;;) {
      const m = await this.nextMessage();
      if (m.type === 'error') {
        this.fail(m.error);
        throw new ChildFailure(this.failure ?? m.error);
      }
      if ((types as string[]).includes(m.type)) return m as Extract<ChildMessage, { type: T }>;
    }
  }

  private nextMessage(): Promise<ChildMessage> {
    const m = this.queue.shift();
    if (m) return Promise.resolve(m);
    if (this.failure) return Promise.reject(new ChildFailure(this.failure));
    return new Promise((resolve, reject) => {
      this.waiter = { resolve, reject };
    });
  }

  private onData(chunk: Buffer): void {
    let messages: unknown[];
    try {
      messages = this.decoder.push(chunk);
    } catch (err) {
      this.channel.destroy();
      this.fail(channelFailure(err));
      killTree(this.child);
      return;
    }
    for (const m of messages) this.onMessage(m);
  }

  /** Nothing more can arrive: half a frame is an error now, not something to wait for until the budget ends. */
  private onChannelEnd(): void {
    try {
      this.decoder.end();
    } catch {
      // Reported on exit, which the kill brings at once: running out of
      // memory or a crash report there explains a cut-off frame better.
      this.cutOff = true;
      if (!this.exited) killTree(this.child);
      return;
    }
    // The harness holds the channel until it exits; a live child whose channel
    // ended had it closed by learner code, and would otherwise wait out its budget.
    if (!this.exited && !this.closing) {
      this.timers.push(
        later(() => {
          if (this.exited) return;
          this.cutOff = true;
          killTree(this.child);
        }, 2000),
      );
    }
  }

  private onMessage(raw: unknown): void {
    // Without the token a message is not the harness's (learner code cannot know it): ignore it.
    if (raw === null || typeof raw !== 'object' || (raw as { token?: unknown }).token !== this.token) return;
    // Validation walks the message: one with a billion-element sparse array or deep nesting is refused before it can.
    const oversized = shapeProblem(raw);
    if (oversized) {
      this.fail({
        kind: 'runtime',
        message: `the learner process sent mlpath a message it refuses (${oversized}); did your code replace built-in objects the harness relies on?`,
      });
      killTree(this.child);
      return;
    }
    const parsed = childMessageSchema.safeParse(raw);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      this.fail({
        kind: 'runtime',
        message: `mlpath's harness sent a malformed '${String((raw as { type?: unknown }).type)}' message (${issue ? `${issue.path.join('.') || 'message'}: ${issue.message}` : 'invalid'}); did your code replace built-in objects (Array, typed arrays, JSON, Promise) that it relies on?`,
      });
      killTree(this.child);
      return;
    }
    const m = parsed.data;
    if (m.type === 'log') {
      this.logged++;
      this.lastStep = m.step;
      this.opts.onLog?.(m.step);
      return;
    }
    if (m.type === 'ready') {
      this.backend = m.backend;
      this.tfjsVersion = m.tfjsVersion;
      this.startBudget();
      return;
    }
    if (this.waiter) {
      const w = this.waiter;
      this.waiter = undefined;
      w.resolve(m);
    } else {
      this.queue.push(m);
    }
  }

  private startBudget(): void {
    if (this.startupTimer) clearTimeout(this.startupTimer);
    const budget = this.opts.budgetSeconds;
    this.timers.push(
      later(() => {
        this.fail({ kind: 'timeout', message: this.timeoutMessage(budget) });
        killTree(this.child);
      }, budget * 1000),
    );
  }

  private timeoutMessage(budget: number): string {
    const stopped = `did not finish within the ${budget} s budget (the process and everything it started were stopped)`;
    if (this.logged === 0) {
      return (
        `${stopped}, and it never called ctx.log, so it may be stuck in a loop that never ends. ` +
        "Look at each loop's condition: a `while` whose variable never changes, a `for` that counts the wrong way " +
        '(`epoch--` or `i < n` with n never reached), an `await` that never resolves. Log each epoch with ' +
        'ctx.log({ epoch, loss }) to see how far it gets.'
      );
    }
    const last = Object.entries(this.lastStep ?? {})
      .slice(0, 4)
      .map(([k, v]) => `${k} ${typeof v === 'number' ? Number(v.toPrecision(4)) : 'NaN'}`)
      .join(', ');
    return (
      `${stopped} after ${this.logged} logged step${this.logged === 1 ? '' : 's'}` +
      `${last ? ` (the last: ${last})` : ''}. Train for fewer epochs or on a subset, or raise the budget with --timeout.`
    );
  }

  private fail(error: LearnerError): void {
    if (this.failure) return;
    // Whatever reached the child's error may be learner text: no terminal escapes reach the learner's or instructor's screen.
    error = { ...error, message: printable(error.message), frames: error.frames?.map(printable) };
    this.failure = error;
    if (this.waiter) {
      const w = this.waiter;
      this.waiter = undefined;
      w.reject(new ChildFailure(error));
    }
  }

  private onExit(code: number | null, signal: NodeJS.Signals | null): void {
    live.delete(this.child);
    this.exited = true;
    this.detachSignal?.();
    for (const t of this.timers) clearTimeout(t);
    this.onChannelEnd();
    // An error message sent just before exiting may still be in the queue.
    const pendingError = this.queue.find((m) => m.type === 'error');
    if (pendingError && pendingError.type === 'error') {
      this.fail(pendingError.error);
      return;
    }
    if (/JavaScript heap out of memory|Reached heap limit|Allocation failed/.test(this.stderrText)) {
      this.fail({
        kind: 'memory',
        message:
          `ran out of memory: the ${this.opts.memoryMb} MB heap budget of this exercise is full ` +
          "(Node's crash report is left out of the output). Likely causes: tensors that are never disposed " +
          '(wrap each step in tf.tidy(() => ...), call dispose() on what you keep), or an array that grows on ' +
          'every step (pushing every batch or prediction); keep only what you need.',
      });
      return;
    }
    if (/ERR_ACCESS_DENIED/.test(this.stderrText)) {
      const m = /resource: '([^']*)'/.exec(this.stderrText);
      this.fail({
        kind: 'runtime',
        message: `tried to access something graded code may not use${m ? ` (${m[1]})` : ''}: reading files outside the exercise folder, starting processes and workers are blocked during a check`,
      });
      return;
    }
    // The harness's own refusal (harness.ts exits with 71 after saying why): mlpath's fault, and said as such.
    const harness = code === HARNESS_FAILED ? /^mlpath harness: (.*)$/m.exec(this.stderrText) : null;
    if (harness) {
      this.fail({ kind: 'exited', message: `mlpath's harness stopped before grading anything: ${harness[1]}` });
      return;
    }
    const how = signal ? `was killed by ${signal}` : `exited with code ${code}`;
    if (this.cutOff) {
      this.fail({
        kind: 'exited',
        message: `mlpath's private channel (file descriptor 3) was closed before the check ended (the learner process ${how}). Remove any process.exit() call, and do not close or write to file descriptors your code did not open.`,
      });
      return;
    }
    this.fail({
      kind: 'exited',
      message: `the learner process ${how} before mlpath got its result. Remove any process.exit() call and let train() return its predictor.`,
    });
  }

  /** Ends the child (politely, then by force) and removes its temporary files. */
  async close(): Promise<void> {
    for (const t of this.timers) clearTimeout(t);
    this.detachSignal?.();
    this.closing = true;
    // A child that never got its bundle has no output or files of the learner's to wait for.
    if (!this.exited && this.started) {
      this.send({ type: 'done' });
      await new Promise<void>((resolve) => {
        const t = setTimeout(() => {
          killTree(this.child);
          resolve();
        }, 1000);
        this.child.once('close', () => {
          clearTimeout(t);
          resolve();
        });
      });
    }
    killTree(this.child);
    this.channel.destroy();
    live.delete(this.child);
  }
}
