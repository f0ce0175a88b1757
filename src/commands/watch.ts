/**
 * `mlpath watch [id]`: check an exercise again on every save of its files.
 * Saves are debounced; a save during a check cancels it (its child process
 * is killed) and starts a fresh one. Change events come from chokidar, which
 * sees editors' atomic saves (write a temporary file, rename it over the old
 * one: VS Code, vim, JetBrains, `sed -i`), where Node's recursive fs.watch on
 * Linux reports the first rename and then nothing more for that file; with
 * `poll`, chokidar polls, for file systems where events never arrive (WSL on
 * Windows drives, network drives). Either way a change only counts when a
 * file's size or mtime really changed, and the session starts only once the
 * watcher is ready, so no save made after `watching` is missed.
 *
 * This module knows nothing about terminals: it reports events, and the CLI
 * draws them and maps keys to rerun() and close().
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { watch as watchFiles } from 'chokidar';
import type { LoadedExercise } from '../curriculum';
import { UsageError } from '../errors';
import { run as check, type CheckEvent, type CheckRun } from './check';
import { resolveTarget } from './target';

export interface WatchOptions {
  cwd: string;
  id?: string;
  /** Scan for changes on a timer instead of relying on file system events. */
  poll?: boolean;
  pollMs?: number;
  debounceMs?: number;
  timeout?: number;
  backend?: string;
  seed?: number;
  onEvent: (event: WatchEvent) => void;
}

/**
 * debounceMs: how long the events of one save are gathered before the folder is rescanned. Editors finish a
 * save within milliseconds, and chokidar's `atomic` already joins an unlink-then-add; a rescan finds no change
 * when a save's last event comes late, so a short wait costs nothing and the re-check starts sooner (issue 18:
 * within 150 ms of the save).
 */
export const watchDefaults = { poll: false, pollMs: 500, debounceMs: 50 } as const;

export type WatchReason = 'start' | 'save' | 'rerun';

export type WatchEvent =
  | { type: 'watching'; exercise: string; dir: string; files: string[]; mode: 'events' | 'poll' }
  | { type: 'checking'; exercise: string; reason: WatchReason; changed: string[] }
  | { type: 'progress'; event: CheckEvent }
  | { type: 'result'; run: CheckRun }
  | { type: 'cancelled'; exercise: string }
  /** mlpath itself failed to check (a bad curriculum, a missing dataset); watching goes on. */
  | { type: 'failed'; error: unknown };

export interface WatchSession {
  exercise: LoadedExercise;
  root: string;
  /** Check again now, cancelling a running check. */
  rerun(): void;
  /** Stops watching, cancels a running check and waits until its child is gone. */
  close(): Promise<void>;
}

type Snapshot = Map<string, string>;

// mlruns/ is written by the check itself (month4/tracking): watching it would re-check forever.
const IGNORED_DIRS = new Set(['node_modules', '.git', 'mlruns']);

/** Editor droppings and hidden files are not the learner's exercise files. */
export function isWatchedName(name: string): boolean {
  return (
    !name.startsWith('.') &&
    !name.endsWith('~') &&
    !/\.(swp|swx|swo|tmp|bak|orig)$/.test(name) &&
    !/^#.*#$/.test(name) &&
    name !== '4913'
  );
}

export function snapshot(dir: string): Snapshot {
  const snap: Snapshot = new Map();
  const walk = (d: string): void => {
    let entries: fs.Dirent[];
    try {
      entries = fs.readdirSync(d, { withFileTypes: true });
    } catch {
      return;
    }
    for (const e of entries) {
      if (!isWatchedName(e.name) || IGNORED_DIRS.has(e.name)) continue;
      const full = path.join(d, e.name);
      if (e.isDirectory()) walk(full);
      else if (e.isFile()) {
        try {
          const st = fs.statSync(full);
          snap.set(path.relative(dir, full).split(path.sep).join('/'), `${st.size}:${st.mtimeMs}`);
        } catch {
          // deleted between readdir and stat: the next scan sees it gone
        }
      }
    }
  };
  walk(dir);
  return snap;
}

export function changedFiles(before: Snapshot, after: Snapshot): string[] {
  const changed: string[] = [];
  for (const [file, sig] of after) if (before.get(file) !== sig) changed.push(file);
  for (const file of before.keys()) if (!after.has(file)) changed.push(file);
  return changed.sort();
}

export async function start(opts: WatchOptions): Promise<WatchSession> {
  const { ws, exercise } = resolveTarget({ cwd: opts.cwd, id: opts.id, verb: 'watch', fallbackToNext: true });
  const dir = path.join(ws.root, ...exercise.key.split('/'));
  if (!fs.existsSync(dir)) {
    throw new UsageError(
      `${exercise.key} has no folder in this workspace yet`,
      `\`mlpath start\` in ${ws.root} adds it`,
    );
  }
  const polling = opts.poll ?? watchDefaults.poll;
  const debounceMs = opts.debounceMs ?? watchDefaults.debounceMs;
  let last = snapshot(dir);
  let closed = false;
  let wanted: { reason: WatchReason; changed: string[] } | undefined;
  let running: Promise<void> | undefined;
  let controller: AbortController | undefined;
  let debounce: NodeJS.Timeout | undefined;

  const runOne = async (reason: WatchReason, changed: string[]): Promise<void> => {
    controller = new AbortController();
    opts.onEvent({ type: 'checking', exercise: exercise.key, reason, changed });
    try {
      const result = await check({
        cwd: ws.root,
        ids: [exercise.key],
        timeout: opts.timeout,
        backend: opts.backend,
        seed: opts.seed,
        signal: controller.signal,
        onEvent: (event) => opts.onEvent({ type: 'progress', event }),
      });
      if (result.cancelled) opts.onEvent({ type: 'cancelled', exercise: exercise.key });
      else opts.onEvent({ type: 'result', run: result });
    } catch (error) {
      opts.onEvent({ type: 'failed', error });
    }
  };

  const loop = async (): Promise<void> => {
    while (wanted && !closed) {
      const { reason, changed } = wanted;
      wanted = undefined;
      await runOne(reason, changed);
    }
    running = undefined;
  };

  const request = (reason: WatchReason, changed: string[]): void => {
    if (closed) return;
    wanted = { reason, changed: [...new Set([...(wanted?.changed ?? []), ...changed])] };
    if (running) controller?.abort();
    else running = loop();
  };

  const rescan = (): void => {
    const now = snapshot(dir);
    const changed = changedFiles(last, now);
    last = now;
    if (changed.length) request('save', changed);
  };

  const onChange = (): void => {
    if (debounce) clearTimeout(debounce);
    debounce = setTimeout(rescan, debounceMs);
  };

  const ignored = (file: string): boolean => {
    const rel = path.relative(dir, file);
    return rel !== '' && rel.split(/[\\/]/).some((part) => !isWatchedName(part) || IGNORED_DIRS.has(part));
  };
  const watcher = watchFiles(dir, {
    ignored,
    ignoreInitial: true,
    // An atomic save (unlink or rename, then add) arrives as one change.
    atomic: true,
    usePolling: polling,
    interval: opts.pollMs ?? watchDefaults.pollMs,
  });
  watcher.on('all', onChange);
  // A platform that stops delivering events: rescanning still compares sizes and times.
  watcher.on('error', onChange);
  await new Promise<void>((resolve) => watcher.once('ready', resolve));
  // The first check reads the files as they are once the watcher is ready.
  last = snapshot(dir);
  opts.onEvent({
    type: 'watching',
    exercise: exercise.key,
    dir,
    files: [...last.keys()].sort(),
    mode: polling ? 'poll' : 'events',
  });
  request('start', []);

  return {
    exercise,
    root: ws.root,
    rerun: () => request('rerun', []),
    close: async () => {
      closed = true;
      if (debounce) clearTimeout(debounce);
      await watcher.close();
      controller?.abort();
      await running;
    },
  };
}
