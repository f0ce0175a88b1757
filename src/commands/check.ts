/**
 * `mlpath check <id>...` / `--all`: grade exercises of the current
 * workspace, record the attempts, and return the results. Printing and exit
 * codes belong to the CLI and the reporters.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { diagnoseOutcome } from '../coach';
import { startTypeCheck, typeWarnings } from '../coach/typecheck';
import type { Curriculum, LoadedExercise } from '../curriculum';
import { MAX_BUDGET_SECONDS } from '../curriculum/schema';
import { UsageError } from '../errors';
import { resolveBackendName } from '../grader/backend-choice';
import { ChildSlots, SlotShare } from '../grader/child-slots';
import { countStatuses, type GradeOutcome, type CheckReport, type ExerciseResult } from '../grader/result';
import { award } from '../grader/points';
import { openHoldouts } from '../datasets/holdout';
import { loadProgress, recordAttempt, updateProgress } from '../progress/store';
import { writeAttemptRecord } from '../progress/attempts';
import { writeReportQuietly } from '../reporters/exercise-report';
import { exerciseDir, requireWorkspace, type Workspace } from '../workspace';
import {
  availableExercises,
  curriculumStamp,
  gradingStrictly,
  loadWorkspaceCurriculum,
  pinBrokenResult,
} from '../workspace/curriculum';
import { availableExercise, builtExercise, resolveTargetIn } from './target';

export type CheckEvent =
  | { type: 'start'; exercise: string; index: number; total: number }
  | { type: 'phase'; exercise: string; phase: string }
  | { type: 'log'; exercise: string; seed: number; step: Record<string, number> }
  | { type: 'done'; exercise: string; outcome: GradeOutcome; record?: string; report?: string };

export interface CheckOptions {
  cwd: string;
  ids: string[];
  all?: boolean;
  seed?: number;
  backend?: string;
  timeout?: number;
  holdout?: string;
  /** Instructor's curriculum file: wins over the one named in mlpath.json. */
  curriculum?: string;
  /** The SHA-256 the curriculum must have (or MLPATH_CURRICULUM_SHA256); any other breaks the pin. */
  curriculumSha256?: string;
  record?: boolean;
  /**
   * Type-check the exercise's files beside the grading and add type errors
   * to the warnings (default: on, except with `record: false`, how `grade`
   * runs, and with MLPATH_TYPECHECK=0).
   */
  typecheck?: boolean;
  onEvent?: (event: CheckEvent) => void;
  /**
   * Grader children this run may keep busy at once (default 1: one exercise
   * at a time, its seeds side by side as the train kind decides). Above 1,
   * exercises are graded side by side while their children fit, each
   * counting one child per seed it trains at once; results keep the
   * curriculum's order, events come as they happen. `mlpath grade` sets it
   * to the cores a workspace has.
   */
  jobs?: number;
  /** Aborting stops the running check and kills its child; nothing is recorded and the run reports `cancelled`. */
  signal?: AbortSignal;
}

export interface CheckRun extends CheckReport {
  workspace: string;
  backend: string;
  backendNote?: string;
  warnings: string[];
  outcomes: GradeOutcome[];
  cancelled?: boolean;
}

/**
 * `--all` means the workspace's exercises; named ids may be any built
 * exercise whose folder the workspace has (one kept from an earlier track
 * still gets graded); another track's exercise the workspace never had is
 * named as such. No id: the exercise folder the learner stands in, else the
 * next exercise not yet passed, as `hint` and `watch` choose.
 */
function selectExercises(
  ws: Workspace,
  curriculum: Curriculum,
  opts: Pick<CheckOptions, 'cwd' | 'ids' | 'all'>,
  available: LoadedExercise[],
): LoadedExercise[] {
  const { ids, all } = opts;
  if (all) {
    if (ids.length) throw new UsageError('give exercise ids or --all, not both');
    return available;
  }
  if (ids.length === 0)
    return [resolveTargetIn(ws, curriculum, { cwd: opts.cwd, verb: 'check', fallbackToNext: true }).exercise];
  const chosen: LoadedExercise[] = [];
  for (const id of ids) {
    const ex = builtExercise(curriculum, id);
    if (!available.includes(ex) && !fs.existsSync(exerciseDir(ws, ex.key)))
      availableExercise(curriculum, available, ex.key, ws.config.track);
    if (!chosen.includes(ex)) chosen.push(ex);
  }
  return chosen;
}

export async function run(opts: CheckOptions): Promise<CheckRun> {
  const ws = requireWorkspace(opts.cwd);
  // In CI the file mlpath.json names is refused; see workspace/curriculum.ts.
  const graded = loadWorkspaceCurriculum(ws, {
    override: opts.curriculum ? path.resolve(opts.cwd, opts.curriculum) : undefined,
    strict: gradingStrictly(),
    expectSha256: opts.curriculumSha256,
  });
  const { curriculum } = graded;
  // A broken pin is already in every result; a warning would repeat it.
  const warnings = [...(graded.mismatch && !graded.pinBroken ? [graded.mismatch] : []), ...graded.warnings];
  const exercises = selectExercises(ws, curriculum, opts, availableExercises(curriculum, ws.config.track));
  const backend = resolveBackendName(opts.backend ?? process.env.MLPATH_BACKEND);
  if (opts.seed !== undefined && (!Number.isInteger(opts.seed) || opts.seed < 0))
    throw new UsageError(`--seed must be a non-negative integer, got ${opts.seed}`);
  if (opts.timeout !== undefined && !(opts.timeout > 0))
    throw new UsageError(`--timeout must be a positive number of seconds, got ${opts.timeout}`);
  if (opts.timeout !== undefined && opts.timeout > MAX_BUDGET_SECONDS)
    throw new UsageError(`--timeout must be at most ${MAX_BUDGET_SECONDS} seconds (24 hours), got ${opts.timeout}`);
  const holdout = opts.holdout ?? process.env.MLPATH_HOLDOUT;
  // A file, a folder keyed by exercise id, or a bundle (datasets/holdout.ts): checked before anything is graded.
  const holdouts = holdout ? openHoldouts(path.resolve(opts.cwd, holdout), exercises) : undefined;
  if (holdouts) warnings.push(...holdouts.warnings);

  const { gradeExercise } = await import('../grader/grade');
  // --no-record (how `grade` runs) writes nothing into the submission, not even a repair of progress.json.
  const loaded = opts.record === false ? { progress: undefined, recoveredFrom: undefined } : loadProgress(ws.root);
  if (loaded.recoveredFrom)
    warnings.push(
      `.mlpath/progress.json was unreadable; it was moved to ${path.relative(ws.root, loaded.recoveredFrom)} and progress starts afresh`,
    );
  const outcomes: (GradeOutcome | undefined)[] = [];
  let cancelled = false;
  const typecheck = opts.typecheck ?? (opts.record !== false && process.env.MLPATH_TYPECHECK !== '0');
  const typeChecks: ReturnType<typeof startTypeCheck>[] = [];
  const checkOne = async (index: number, ex: (typeof exercises)[number], share: SlotShare): Promise<void> => {
    opts.onEvent?.({ type: 'start', exercise: ex.key, index, total: exercises.length });
    const dir = exerciseDir(ws, ex.key);
    const types = typecheck ? startTypeCheck({ root: ws.root, dir }) : undefined;
    // A broken pin means other goalposts: nothing is graded, each result is a `curriculum` error.
    const outcome = graded.pinBroken
      ? { result: pinBrokenResult(ex, graded, backend.name), details: { curve: [] } }
      : await gradeExercise(ex, {
          exerciseDir: dir,
          keepOutputs: opts.record !== false,
          seeds: opts.seed !== undefined ? [opts.seed] : ex.seeds,
          backend: backend.name,
          timeoutSeconds: opts.timeout,
          holdout: holdouts?.fileFor(ex),
          onLog: (step, seed) => opts.onEvent?.({ type: 'log', exercise: ex.key, seed, step }),
          onPhase: (phase) => opts.onEvent?.({ type: 'phase', exercise: ex.key, phase }),
          signal: opts.signal,
          // With --jobs, a train exercise's further seed children share the run's cores with the next exercises.
          childSlots: opts.jobs !== undefined ? share : undefined,
        });
    // A cancelled run's result is the cancellation, not the learner's work.
    if (opts.signal?.aborted) {
      cancelled = true;
      return;
    }
    // A pass is every one of the exercise's own seeds passing: a seed picked on the command line is for
    // trying things, and a lucky one neither earns points nor enters progress.
    const ownSeeds = opts.seed === undefined || (ex.seeds.length === 1 && ex.seeds[0] === opts.seed);
    if (!ownSeeds && outcome.result.status === 'passed') {
      warnings.push(
        `${ex.key} passed on --seed ${opts.seed} only; it is graded on seeds ${ex.seeds.join(', ')}, so this pass is not recorded and earns no points: run \`mlpath check ${ex.key}\` without --seed`,
      );
    }
    const points = ownSeeds ? award(ex, outcome.result) : { points: 0, tier: undefined };
    outcome.result.points = points.points;
    outcome.result.maxPoints = ex.points;
    if (points.tier) outcome.result.tier = points.tier;
    outcome.result.curriculum = curriculumStamp(graded);
    outcome.result.diagnoses = diagnoseOutcome(outcome, ex.kind);
    let record: string | undefined;
    let report: string | undefined;
    if (opts.record !== false && !graded.pinBroken) {
      // Recorded on what is on disk now, not on `loaded`: another check may have finished meanwhile.
      if (ownSeeds) {
        updateProgress(ws.root, (progress) =>
          recordAttempt(progress, ex.key, outcome.result.status, outcome.result.metrics),
        );
      }
      record = writeAttemptRecord(ws.root, outcome, {
        curriculum: curriculum.id,
        curriculumVersion: curriculum.version,
        holdout: !!holdouts?.fileFor(ex),
      });
      report = writeReportQuietly(ws.root, ex);
    }
    outcomes[index] = outcome;
    // The verdict is shown as soon as it is known; type warnings (never part of it) follow when their check ends.
    opts.onEvent?.({ type: 'done', exercise: ex.key, outcome, record, report });
    if (types) typeChecks.push(types);
  };
  const children = new ChildSlots(opts.jobs ?? 1);
  const running: Promise<void>[] = [];
  // mlpath's own failure on one exercise stops the run, as it did one exercise at a time: no new one starts.
  let crash: { error: unknown } | undefined;
  for (const [index, ex] of exercises.entries()) {
    await children.take();
    if (crash || opts.signal?.aborted || cancelled) {
      if (!crash) cancelled = true;
      children.give();
      break;
    }
    const share = new SlotShare(children);
    running.push(
      checkOne(index, ex, share)
        .catch((error: unknown) => {
          crash ??= { error };
        })
        .finally(() => share.release()),
    );
  }
  await Promise.all(running);
  if (crash) throw crash.error;
  for (const types of typeChecks) warnings.push(...typeWarnings(await types));
  const done = outcomes.filter((o): o is GradeOutcome => o !== undefined);
  const results: ExerciseResult[] = done.map((o) => o.result);
  return {
    workspace: ws.root,
    backend: backend.name,
    backendNote: backend.note,
    warnings,
    outcomes: done,
    cancelled,
    results,
    ...countStatuses(results),
  };
}
