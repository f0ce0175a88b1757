/**
 * The learner's progress, in `.mlpath/progress.json`. Versioned so later
 * releases can migrate it; written atomically so a crash never leaves half a
 * file; an unreadable file is moved aside and a fresh one started, because
 * losing a streak is better than a tool that will not start.
 *
 * Several mlpath processes may record at once (`watch` beside `check`, a
 * script checking in a loop), so every change goes through `updateProgress`:
 * under an exclusive lock it re-reads the file, applies the change to what is
 * on disk now and writes it back. A change computed from an older snapshot
 * would drop the attempts, or the pass, of the check that finished meanwhile.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { z } from 'zod';
import { writeJsonAtomic } from '../atomic-write';
import { WorkspaceError } from '../errors';
import { processAlive } from '../process-alive';

export const PROGRESS_VERSION = 1;

const metricBest = z.object({ name: z.string(), value: z.number().nullable(), passed: z.boolean() });

export const exerciseProgressSchema = z.object({
  attempts: z.number().int().nonnegative().default(0),
  passed: z.boolean().default(false),
  firstPassedAt: z.string().optional(),
  lastCheckedAt: z.string().optional(),
  lastStatus: z.enum(['passed', 'failed', 'error']).optional(),
  best: z.array(metricBest).default([]),
  hintsSeen: z.number().int().nonnegative().default(0),
});
export type ExerciseProgress = z.infer<typeof exerciseProgressSchema>;

export const progressSchema = z.object({
  version: z.literal(PROGRESS_VERSION),
  exercises: z.record(exerciseProgressSchema).default({}),
});
export type Progress = z.infer<typeof progressSchema>;

export interface LoadedProgress {
  progress: Progress;
  /** Set when an unreadable file was moved aside. */
  recoveredFrom?: string;
}

export function progressFile(root: string): string {
  return path.join(root, '.mlpath', 'progress.json');
}

export function emptyProgress(): Progress {
  return { version: PROGRESS_VERSION, exercises: {} };
}

export function loadProgress(root: string): LoadedProgress {
  const file = progressFile(root);
  if (!fs.existsSync(file)) return { progress: emptyProgress() };
  try {
    const parsed = progressSchema.parse(JSON.parse(fs.readFileSync(file, 'utf8')));
    return { progress: parsed };
  } catch {
    const backup = `${file}.unreadable-${new Date().toISOString().replace(/[:.]/g, '-')}`;
    try {
      fs.renameSync(file, backup);
    } catch {
      // Another process moved it aside first, or the workspace is read-only: start afresh all the same.
      return { progress: emptyProgress() };
    }
    return { progress: emptyProgress(), recoveredFrom: backup };
  }
}

/**
 * Applies `change` to the progress on disk under the lock and writes the
 * result; returns what `change` returns. The only way a command should write
 * progress.
 */
export function updateProgress<T>(root: string, change: (progress: Progress) => T, lock: LockOptions = {}): T {
  const file = progressFile(root);
  return withFileLock(
    `${file}.lock`,
    () => {
      const { progress } = loadProgress(root);
      const value = change(progress);
      writeJsonAtomic(file, progress);
      return value;
    },
    lock,
  );
}

/** Replaces the whole file (tests and fixtures); a command records through `updateProgress`. */
export function saveProgress(root: string, progress: Progress): void {
  withFileLock(`${progressFile(root)}.lock`, () => writeJsonAtomic(progressFile(root), progress));
}

export function exerciseProgress(progress: Progress, key: string): ExerciseProgress {
  return progress.exercises[key] ?? exerciseProgressSchema.parse({});
}

/**
 * Records one check. Merging with checks recorded by other processes keeps
 * their word: attempts add up, a pass stays a pass with its earliest date,
 * "best" keeps the better value per metric (by its threshold direction), and
 * only a check newer than the last one recorded sets lastCheckedAt/lastStatus.
 */
export function recordAttempt(
  progress: Progress,
  key: string,
  status: 'passed' | 'failed' | 'error',
  metrics: { name: string; value: number | null; passed: boolean; max?: number }[],
  now = new Date(),
): ExerciseProgress {
  const entry = exerciseProgress(progress, key);
  const at = now.toISOString();
  entry.attempts += 1;
  if (!entry.lastCheckedAt || entry.lastCheckedAt <= at) {
    entry.lastCheckedAt = at;
    entry.lastStatus = status;
  }
  if (status === 'passed') {
    entry.passed = true;
    if (!entry.firstPassedAt || at < entry.firstPassedAt) entry.firstPassedAt = at;
  }
  for (const m of metrics) {
    if (m.value === null) continue;
    const prev = entry.best.find((b) => b.name === m.name);
    const lowerIsBetter = m.max !== undefined;
    if (!prev || prev.value === null || (lowerIsBetter ? m.value < prev.value : m.value > prev.value)) {
      entry.best = entry.best
        .filter((b) => b.name !== m.name)
        .concat({ name: m.name, value: m.value, passed: m.passed });
    }
  }
  progress.exercises[key] = entry;
  return entry;
}

export interface LockOptions {
  /** A lock older than this is left over from a hung or crashed process; holders keep it for milliseconds. */
  staleMs?: number;
  /** Give up waiting after this long; longer than staleMs, so a stuck lock is broken before we give up. */
  waitMs?: number;
}

export const lockDefaults = { staleMs: 10_000, waitMs: 30_000 } as const;

const sleeper = new Int32Array(new SharedArrayBuffer(4));

/** Blocks this thread without spinning; nothing ever notifies `sleeper`, so this is a plain sleep. */
function sleep(ms: number): void {
  Atomics.wait(sleeper, 0, 0, ms);
}

interface Holder {
  pid?: number;
  host?: string;
  stat: fs.Stats;
}

function readHolder(file: string): Holder | undefined {
  try {
    const stat = fs.statSync(file);
    const [pid, host] = fs.readFileSync(file, 'utf8').trim().split(/\s+/);
    return { pid: Number(pid) > 0 ? Number(pid) : undefined, host, stat };
  } catch {
    return undefined;
  }
}

function isStale(holder: Holder, staleMs: number): boolean {
  if (Date.now() - holder.stat.mtimeMs > staleMs) return true;
  if (holder.pid === undefined || holder.host !== os.hostname()) return false;
  // Our own pid on a lock we do not hold: a leftover of an earlier process that had the same pid (containers reuse low pids).
  return holder.pid === process.pid || !processAlive(holder.pid);
}

/**
 * Runs `fn` while holding `lockFile`, created with O_EXCL and holding
 * "pid hostname". A lock whose process is gone, or which is older than
 * staleMs, is broken; waiting backs off from 1 ms to 50 ms, up to waitMs.
 */
export function withFileLock<T>(lockFile: string, fn: () => T, opts: LockOptions = {}): T {
  const staleMs = opts.staleMs ?? lockDefaults.staleMs;
  const waitMs = opts.waitMs ?? lockDefaults.waitMs;
  fs.mkdirSync(path.dirname(lockFile), { recursive: true });
  const deadline = Date.now() + waitMs;
  let fd: number | undefined;
  for (let attempt = 0; fd === undefined; attempt++) {
    try {
      fd = fs.openSync(lockFile, 'wx');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
    if (fd !== undefined) {
      try {
        fs.writeSync(fd, `${process.pid} ${os.hostname()}\n`);
      } catch (err) {
        fs.closeSync(fd);
        fs.rmSync(lockFile, { force: true });
        throw err;
      }
      break;
    }
    const holder = readHolder(lockFile);
    if (holder && isStale(holder, staleMs)) {
      // Only remove the very file judged stale: another waiter may have broken it and taken a fresh lock meanwhile.
      const now = readHolder(lockFile);
      if (now && now.stat.ino === holder.stat.ino && now.stat.mtimeMs === holder.stat.mtimeMs)
        fs.rmSync(lockFile, { force: true });
      continue;
    }
    if (Date.now() > deadline) {
      const who = holder?.pid ? `process ${holder.pid}` : 'another process';
      throw new WorkspaceError(
        `${lockFile} is held by ${who}; gave up after ${Math.round(waitMs / 1000)} s`,
        `if no mlpath command is running, delete ${lockFile} and run the command again`,
      );
    }
    sleep(Math.min(50, 2 ** Math.min(attempt, 6)) * (0.5 + Math.random()));
  }
  try {
    return fn();
  } finally {
    // A lock broken as stale and taken by another process is theirs now: remove only our own.
    const ours = fs.fstatSync(fd).ino;
    fs.closeSync(fd);
    if (readHolder(lockFile)?.stat.ino === ours) fs.rmSync(lockFile, { force: true });
  }
}
