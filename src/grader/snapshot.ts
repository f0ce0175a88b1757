/**
 * What gets graded is a private copy of the exercise folder, never the
 * folder itself. The permission model checks path strings while the kernel
 * follows symbolic links, so a link planted in a submission (`mlruns ->
 * ../../..`) would turn a read or write root into the whole disk. The copy
 * holds regular files only: a link is followed when its target stays inside
 * the exercise folder and refused otherwise, and nothing the learner
 * controls is ever handed to the child as a path it may read or write.
 * Grading never writes into the submission, so read-only submissions grade
 * normally; what the child writes (an `mlruns/` sweep) is staged by the kind
 * into the run folder at the moment it stands for (train() has returned,
 * before any held-out input reaches the child, so nothing written while
 * predicting can carry those inputs out) and that staged copy is copied back
 * by the parent, files only, when the submission is writable.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { processAlive } from '../process-alive';

/** Folders a submission may hold that grading never needs. */
const SKIPPED = new Set(['node_modules', '.git', '.mlpath']);
const MAX_FILES = 20000;
const MAX_BYTES = 512 * 1024 * 1024;
export const RUN_PREFIX = 'mlpath-run-';
const OWNER_FILE = '.owner';
/** What grading copies back into a submission (a sweep's runs and small models) at most. */
const MAX_COPY_BACK_BYTES = 64 * 1024 * 1024;

export class SnapshotError extends Error {
  constructor(
    message: string,
    readonly file?: string,
  ) {
    super(message);
  }
}

export interface Snapshot {
  /** The private folder: the temporary run folder's `exercise/`. */
  dir: string;
  /** The run folder itself, removed by `removeRunDir`. */
  runDir: string;
  /** The exercise folder it was copied from. */
  source: string;
}

function inside(root: string, p: string): boolean {
  return p === root || p.startsWith(root + path.sep);
}

/** A private temporary folder for one check, marked with the grader's pid so a later check can sweep it once that pid is gone. */
export function makeRunDir(): string {
  sweepStaleRunDirs();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), RUN_PREFIX));
  fs.chmodSync(dir, 0o700);
  fs.writeFileSync(path.join(dir, OWNER_FILE), String(process.pid));
  return dir;
}

export function removeRunDir(dir: string): void {
  fs.rmSync(dir, { recursive: true, force: true });
}

/**
 * Removes run folders left by checks that were killed (kill -9 runs no
 * cleanup): those whose owner pid is dead, or unmarked ones older than a day.
 */
export function sweepStaleRunDirs(tmp = os.tmpdir()): number {
  let removed = 0;
  let entries: string[];
  try {
    entries = fs.readdirSync(tmp).filter((e) => e.startsWith(RUN_PREFIX));
  } catch {
    return 0;
  }
  for (const entry of entries) {
    const dir = path.join(tmp, entry);
    try {
      const st = fs.lstatSync(dir);
      if (!st.isDirectory() || (typeof process.getuid === 'function' && st.uid !== process.getuid())) continue;
      let stale: boolean;
      try {
        const pid = Number(fs.readFileSync(path.join(dir, OWNER_FILE), 'utf8'));
        stale = !Number.isInteger(pid) || pid <= 0 || !processAlive(pid);
      } catch {
        stale = Date.now() - st.mtimeMs > 24 * 3600 * 1000;
      }
      if (stale) {
        fs.rmSync(dir, { recursive: true, force: true });
        removed++;
      }
    } catch {
      /* another check swept it first */
    }
  }
  return removed;
}

/** Copies `exerciseDir` into `runDir/exercise`; throws SnapshotError for a link that leaves the folder or a folder too large to grade. */
export function snapshotExercise(exerciseDir: string, runDir: string): Snapshot {
  const source = path.resolve(exerciseDir);
  let real: string;
  try {
    real = fs.realpathSync(source);
  } catch {
    throw new SnapshotError(`${exerciseDir} does not exist`);
  }
  if (!fs.statSync(real).isDirectory()) throw new SnapshotError(`${exerciseDir} is not a folder`);
  const dir = path.join(runDir, 'exercise');
  let files = 0;
  let bytes = 0;
  const copyDir = (from: string, to: string, shown: string, depth: number): void => {
    if (depth > 32) throw new SnapshotError(`${shown} is nested more than 32 folders deep`);
    // Folders count too: links between folders could otherwise make a copy of exponential size.
    if (++files > MAX_FILES)
      throw new SnapshotError(
        `the exercise folder holds more than ${MAX_FILES} files and folders: keep data and outputs elsewhere`,
      );
    fs.mkdirSync(to, { recursive: true });
    for (const entry of fs.readdirSync(from).sort()) {
      if (depth === 0 && SKIPPED.has(entry)) continue;
      const p = path.join(from, entry);
      const rel = path.join(shown, entry);
      let st = fs.lstatSync(p);
      let target = p;
      if (st.isSymbolicLink()) {
        let resolved: string;
        try {
          resolved = fs.realpathSync(p);
        } catch {
          throw new SnapshotError(`a symbolic link to something that does not exist: remove it`, p);
        }
        if (!inside(real, resolved)) {
          throw new SnapshotError(
            `a symbolic link to ${resolved}, outside the exercise folder: graded code may use files inside its folder only, so replace the link with the files themselves`,
            p,
          );
        }
        target = resolved;
        st = fs.statSync(resolved);
        // A link to a folder that holds it would copy forever.
        if (st.isDirectory() && inside(resolved, from))
          throw new SnapshotError(`a symbolic link to a folder that contains it: remove it`, p);
      }
      if (st.isDirectory()) {
        copyDir(target, path.join(to, entry), rel, depth + 1);
      } else if (st.isFile()) {
        files++;
        bytes += st.size;
        if (files > MAX_FILES)
          throw new SnapshotError(
            `the exercise folder holds more than ${MAX_FILES} files and folders: keep data and outputs elsewhere`,
          );
        if (bytes > MAX_BYTES)
          throw new SnapshotError(
            `the exercise folder holds more than ${MAX_BYTES / 1024 / 1024} MB: keep data and outputs elsewhere`,
          );
        fs.copyFileSync(target, path.join(to, entry));
      }
      // Sockets, fifos and devices are not part of a submission.
    }
  };
  copyDir(real, dir, path.basename(source), 0);
  return { dir, runDir, source };
}

/** Where a kind stages a folder the child wrote (`mlruns`), inside the check's run folder: what is graded and kept. */
export function stagedOutput(runDir: string, rel: string): string {
  return path.join(runDir, 'kept', rel);
}

/**
 * Copies `from` (a folder the child writes) to `to` as it is now: folders
 * and regular files only (a link the child planted is left behind), at most
 * MAX_COPY_BACK_BYTES, replacing whatever `to` held. The child cannot write
 * to `to`: later writes to `from` change nothing here. Throws SnapshotError
 * when the folder is too large to keep.
 */
export function stageOutput(from: string, to: string): void {
  fs.rmSync(to, { recursive: true, force: true });
  fs.mkdirSync(to, { recursive: true });
  let total = 0;
  let files = 0;
  const copy = (src: string, dst: string, depth: number): void => {
    if (depth > 32) throw new SnapshotError(`${src} is nested more than 32 folders deep`);
    for (const entry of fs.readdirSync(src)) {
      const s = path.join(src, entry);
      const d = path.join(dst, entry);
      const st = fs.lstatSync(s, { throwIfNoEntry: false });
      if (!st) continue;
      if (++files > MAX_FILES)
        throw new SnapshotError(`more than ${MAX_FILES} files were written to ${path.basename(from)}`);
      if (st.isDirectory()) {
        fs.mkdirSync(d);
        copy(s, d, depth + 1);
      } else if (st.isFile()) {
        total += st.size;
        if (total > MAX_COPY_BACK_BYTES)
          throw new SnapshotError(
            `more than ${MAX_COPY_BACK_BYTES / 1024 / 1024} MB were written to ${path.basename(from)}`,
          );
        fs.copyFileSync(s, d);
      }
    }
  };
  try {
    if (fs.existsSync(from)) copy(from, to, 0);
  } catch (err) {
    // Half a copy is neither graded nor kept.
    fs.rmSync(to, { recursive: true, force: true });
    throw err;
  }
}

/**
 * Copies the staged copy of `rel` (e.g. `mlruns`, see stageOutput) back into
 * the submission: regular files only, never through a link in the
 * submission, never overwriting a file with identical content. Nothing is
 * copied when the kind staged nothing. Returns a note when the submission
 * cannot take them (read-only), undefined otherwise.
 */
export function copyBack(snap: Snapshot, rel: string): string | undefined {
  const from = stagedOutput(snap.runDir, rel);
  if (!fs.existsSync(from)) return undefined;
  const to = path.join(snap.source, rel);
  try {
    // Listed and measured first: a sparse file costs the child nothing to make, and nothing comes back past the cap.
    const files: { src: string; dst: string; size: number }[] = [];
    const dirs: string[] = [];
    let total = 0;
    const list = (src: string, dst: string): void => {
      dirs.push(dst);
      for (const entry of fs.readdirSync(src)) {
        const s = path.join(src, entry);
        const st = fs.lstatSync(s);
        if (st.isDirectory()) list(s, path.join(dst, entry));
        else if (st.isFile()) {
          total += st.size;
          if (total > MAX_COPY_BACK_BYTES)
            throw new Error(`more than ${MAX_COPY_BACK_BYTES / 1024 / 1024} MB were written`);
          files.push({ src: s, dst: path.join(dst, entry), size: st.size });
        }
      }
    };
    list(from, to);
    for (const dir of dirs) {
      const existing = fs.lstatSync(dir, { throwIfNoEntry: false });
      if (existing && !existing.isDirectory()) throw new Error(`${dir} is not a folder`);
      if (!existing) fs.mkdirSync(dir);
    }
    for (const f of files) {
      const there = fs.lstatSync(f.dst, { throwIfNoEntry: false });
      if (there && !there.isFile()) continue;
      if (there && there.size === f.size && fs.readFileSync(f.dst).equals(fs.readFileSync(f.src))) continue;
      fs.copyFileSync(f.src, f.dst);
    }
    return undefined;
  } catch (err) {
    return `the runs were graded but could not be saved to ${path.relative(process.cwd(), to) || to} (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`;
  }
}

/** Replaces the snapshot's path with the submission's in every string a result shows. */
export function remapPaths<T>(value: T, snap: Snapshot): T {
  const swap = (v: unknown): unknown => {
    if (typeof v === 'string') return v.includes(snap.dir) ? v.split(snap.dir).join(snap.source) : v;
    if (Array.isArray(v)) return v.map(swap);
    if (v !== null && typeof v === 'object' && Object.getPrototypeOf(v) === Object.prototype) {
      const out: Record<string, unknown> = {};
      for (const [k, x] of Object.entries(v)) out[k] = swap(x);
      return out;
    }
    return v;
  };
  return swap(value) as T;
}
