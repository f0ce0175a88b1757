/**
 * Pieces every kind's grading shares: compiling the learner's entry with the
 * static forbidden-API scan, starting the learner's session, ending it
 * (runSession) and turning a LearnerError into a result.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { LoadedExercise } from '../../curriculum';
import type { ChildSlotPool } from '../child-slots';
import { bundleDirIn, cleanupCompiled, compileEntry, type CompiledEntry } from '../compile';
import { scanFiles } from '../forbidden';
import { printable } from '../output-capture';
import { InvalidOutputError } from '../predictions';
import type { LearnerError } from '../protocol';
import { ChildFailure, ChildSession } from '../runner';
import type { ExerciseResult, GradeOutcome, MetricResult, NonFiniteLog, RunDetails } from '../result';
import type { GradedKind } from './kind';

export interface GradeOptions {
  /** The folder graded: the private snapshot of the exercise once gradeExercise has made it. */
  exerciseDir: string;
  /** Copy what the child wrote that the learner keeps (month4/tracking's runs) back into the submission; default true. */
  keepOutputs?: boolean;
  /** The submission's own folder, which `exerciseDir` is a snapshot of: shown on the child's command line so tools can tell whose check it is. */
  submissionDir?: string;
  /** The check's private temporary folder (bundle, fixtures); made by gradeExercise. */
  runDir?: string;
  seeds: number[];
  backend?: string;
  timeoutSeconds?: number;
  holdout?: string;
  onLog?: (step: Record<string, number>, seed: number) => void;
  onPhase?: (phase: string) => void;
  /** Aborting stops the check: every learner process it started is killed, and the outcome is a `cancelled` error. */
  signal?: AbortSignal;
  /**
   * The exercise's share of the cores of a run of several exercises (check --all --jobs): it holds one already;
   * each further seed child a train check runs at once takes one first, and each gives its own back once it has
   * no seed left (child-slots.ts).
   */
  childSlots?: ChildSlotPool;
}

/** A kind's parent side, as grade.ts dispatches to it. */
export interface ParentKind {
  grade(ex: LoadedExercise, opts: GradeOptions): Promise<GradeOutcome>;
  /** A folder of the snapshot that the child writes and the learner keeps, as staged (snapshot.ts, stageOutput). */
  keptOutput?: string;
}

const MAX_CURVE_POINTS = 10000;

export type Prepared = { ok: true; compiled: CompiledEntry } | { ok: false; outcome: GradeOutcome };

export function errorOutcome(
  ex: LoadedExercise,
  opts: GradeOptions,
  error: LearnerError,
  started: number,
  extra: Partial<ExerciseResult> = {},
  details: Partial<RunDetails> = {},
): GradeOutcome {
  return {
    result: {
      exercise: ex.key,
      status: 'error',
      metrics: [],
      seed: opts.seeds[0],
      seeds: opts.seeds.length > 1 ? opts.seeds : undefined,
      backend: opts.backend ?? '',
      durationMs: Date.now() - started,
      // Compile errors quote learner source and file names: no terminal escapes get through.
      error: { kind: error.kind, message: printable(error.message), file: error.file, line: error.line },
      ...extra,
    },
    details: { curve: [], frames: error.frames, ...details },
  };
}

/**
 * The fields every kind passes to its child, with the training curve
 * collected into `curve`. Values the child marked as NaN or Infinity stay out
 * of the curve (charts and the live view read numbers) and go to `nonFinite`.
 */
export function learnerSession(
  ex: LoadedExercise,
  opts: GradeOptions,
  run: {
    kind: GradedKind;
    /** Left out (with `bundleDir` set), the child starts now and gets its bundle and payload from ChildSession.start. */
    bundle?: string;
    bundleDir?: string;
    seed: number;
    payload?: unknown;
    curve?: Record<string, number>[];
    nonFinite?: NonFiniteLog[];
    readRoots?: string[];
    writeRoots?: string[];
  },
): ChildSession {
  const { curve, nonFinite } = run;
  return new ChildSession({
    kind: run.kind,
    bundle: run.bundle,
    bundleDir: run.bundleDir,
    sourceRoot: opts.exerciseDir,
    label: opts.submissionDir,
    backend: opts.backend,
    seed: run.seed,
    budgetSeconds: opts.timeoutSeconds ?? ex.budget.seconds,
    memoryMb: ex.budget.memoryMb,
    forbid: ex.forbid,
    payload: run.payload,
    readRoots: run.readRoots,
    writeRoots: run.writeRoots,
    signal: opts.signal,
    onLog: (logged) => {
      const step: Record<string, number> = {};
      const blown: string[] = [];
      for (const [k, v] of Object.entries(logged)) {
        if (typeof v === 'number') step[k] = v;
        else if (v === null) blown.push(k);
      }
      if (curve && curve.length < MAX_CURVE_POINTS) {
        if (blown.length && nonFinite && nonFinite.length < MAX_CURVE_POINTS)
          nonFinite.push({ index: curve.length, keys: blown });
        curve.push(step);
      }
      opts.onLog?.(step, run.seed);
    },
  });
}

/** How a learner session ended: what `body` returned or the learner's failure, with the child's output and backend. */
export type SessionRun<T> =
  | { ok: true; value: T; output: string; backend: string }
  | { ok: false; error: LearnerError; output: string; backend: string };
export type FailedRun = Extract<SessionRun<unknown>, { ok: false }>;

/**
 * Runs `body` against `session` and owns the session's end: the session is
 * closed whatever happened (its output drained, its process gone), and a
 * failure of the learner's becomes a LearnerError in the result instead of an
 * exception. Learner failures are the child's (ChildFailure), predictions that
 * cannot be scored (InvalidOutputError) and whatever `learnerError` maps;
 * anything else is mlpath's own failure and is thrown, after the close.
 */
export async function runSession<T>(
  session: ChildSession,
  body: () => Promise<T>,
  learnerError?: (err: unknown) => LearnerError | undefined,
): Promise<SessionRun<T>> {
  let ended: { ok: true; value: T } | { ok: false; error: LearnerError };
  try {
    ended = { ok: true, value: await body() };
  } catch (err) {
    const error =
      err instanceof ChildFailure
        ? err.error
        : err instanceof InvalidOutputError
          ? { kind: 'invalid-output' as const, message: err.message }
          : learnerError?.(err);
    if (!error) throw err;
    ended = { ok: false, error };
  } finally {
    await session.close();
  }
  // After close the child's pipes are drained: its last lines are in.
  return { ...ended, output: session.output.text(), backend: session.backend };
}

/** The error outcome of a session that failed, with the child's output and the backend it ran on. */
export function failedOutcome(
  ex: LoadedExercise,
  opts: GradeOptions,
  run: FailedRun,
  started: number,
  details: Partial<RunDetails> = {},
): GradeOutcome {
  const backend = run.backend || opts.backend;
  let error = run.error;
  // The child knows the module's exports, not its path: name the entry file the learner edits, workspace-relative.
  const file = entryPath(opts.exerciseDir, ex.entry ?? 'index.ts');
  if (error.kind === 'missing-entry' && error.message.startsWith('has no default export')) {
    const shown = `${ex.key}/${path.relative(opts.exerciseDir, file).split(path.sep).join('/')}`;
    error = { ...error, message: `${shown} ${error.message}`, file };
  } else if ((error.kind === 'timeout' || error.kind === 'memory') && !error.file) {
    // No line is known for a process stopped from outside, but the file to look in is.
    error = { ...error, file };
  }
  return errorOutcome(ex, { ...opts, backend }, error, started, { output: run.output }, details);
}

/** The outcome of a run that completed: passed when every metric met its threshold (and `passed` agrees). */
export function completedOutcome(
  ex: LoadedExercise,
  opts: GradeOptions,
  run: {
    started: number;
    backend: string;
    metrics: MetricResult[];
    passed?: boolean;
    output?: string;
    details?: RunDetails;
    findings?: string[];
  },
): GradeOutcome {
  const passed = (run.passed ?? true) && run.metrics.every((m) => m.passed);
  return {
    result: {
      exercise: ex.key,
      status: passed ? 'passed' : 'failed',
      metrics: run.metrics,
      seed: opts.seeds[0],
      seeds: opts.seeds.length > 1 ? opts.seeds : undefined,
      backend: run.backend,
      durationMs: Date.now() - run.started,
      error: null,
      output: passed ? undefined : run.output || undefined,
      ...(run.findings?.length ? { findings: run.findings } : {}),
    },
    details: run.details ?? { curve: [] },
  };
}

/** The entry file, or its twin in the other language when only that exists (`train.js` for `train.ts`): JavaScript is accepted too. */
function entryPath(exerciseDir: string, entry: string): string {
  const file = path.join(exerciseDir, entry);
  if (fs.existsSync(file)) return file;
  const stem = file.replace(/\.[cm]?[jt]s$/, '');
  const twin = ['.ts', '.js', '.mts', '.mjs', '.cts', '.cjs'].map((ext) => stem + ext).find((f) => fs.existsSync(f));
  return twin ?? file;
}

/** Where prepareEntry writes the learner's bundle: a child started before the compile is told this folder. */
export function bundleDirOf(opts: GradeOptions): string {
  return bundleDirIn(opts.runDir ?? opts.exerciseDir);
}

export async function prepareEntry(ex: LoadedExercise, opts: GradeOptions, started: number): Promise<Prepared> {
  const entryFile = entryPath(opts.exerciseDir, ex.entry ?? 'index.ts');
  const compiled = await compileEntry(entryFile, opts.exerciseDir, {
    outDir: opts.runDir ?? opts.exerciseDir,
    imports: ex.imports,
  });
  if (!compiled.ok) {
    const e = compiled.error;
    if (e.kind === 'missing-entry') {
      // Named as the learner knows it (workspace-relative), not by the snapshot's temporary folder it was looked for in.
      const shown = `${ex.key}/${path.relative(opts.exerciseDir, entryFile).split(path.sep).join('/')}`;
      e.message = `${shown} is missing: restore the starter with \`mlpath reset ${ex.key}\``;
    }
    return { ok: false, outcome: errorOutcome(ex, opts, e, started) };
  }
  const uses = scanFiles(compiled.entry.sources, ex.forbid);
  if (uses.length > 0) {
    cleanupCompiled(compiled.entry);
    const first = uses[0];
    const rel = path.relative(opts.exerciseDir, first.file);
    const others =
      uses.length > 1
        ? ` (${uses.length - 1} more use${uses.length > 2 ? 's' : ''}: ${uses
            .slice(1, 4)
            .map((u) => `${u.api} at line ${u.line}`)
            .join(', ')})`
        : '';
    return {
      ok: false,
      outcome: errorOutcome(
        ex,
        opts,
        {
          kind: 'forbidden-api',
          message: `${rel}:${first.line}: ${first.api} is not allowed in this exercise: ${first.advice ?? 'build it from tensor operations'}${others}`,
          file: first.file,
          line: first.line,
        },
        started,
      ),
    };
  }
  return { ok: true, compiled: compiled.entry };
}

/**
 * The learner's code compiled (prepareEntry, in esbuild's own process) while `load` runs here: the data a
 * check needs, or a child started early. A failure of `load` comes first, as it would have before the compile,
 * and the bundle a compile left behind is then removed; a compile that throws (mlpath's own failure) has what
 * `load` made released first. `loading` names the load's phase for the progress line.
 */
export async function compiledWhile<T>(
  ex: LoadedExercise,
  opts: GradeOptions,
  started: number,
  load: () => Promise<T>,
  how: { loading?: string; release?: (loaded: T) => Promise<void> } = {},
): Promise<{ loaded: T; prepared: Prepared }> {
  const entry = prepareEntry(ex, opts, started);
  // Handled below, once `load` is done; without a handler now, a compile that fails first would be unhandled.
  entry.catch(() => undefined);
  let loaded: T;
  try {
    if (how.loading) opts.onPhase?.(how.loading);
    loaded = await load();
  } catch (err) {
    const p = await entry.catch(() => undefined);
    if (p?.ok) cleanupCompiled(p.compiled);
    throw err;
  }
  opts.onPhase?.('compiling');
  try {
    return { loaded, prepared: await entry };
  } catch (err) {
    await how.release?.(loaded);
    throw err;
  }
}
