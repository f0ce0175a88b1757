/**
 * Grades one exercise of any kind. A crash in learner code is a result here,
 * never an exception; exceptions are left for mlpath's own failures. Every
 * kind grades a private snapshot of the exercise folder (see snapshot.ts),
 * never the submission itself.
 */
import type { LoadedExercise } from '../curriculum';
import { UsageError } from '../errors';
import { errorOutcome, type GradeOptions, type ParentKind } from './kinds/common';
import { isGradedKind } from './kinds/kind';
import { PARENT_KINDS } from './kinds/parents';
import type { GradeOutcome } from './result';
import { copyBack, makeRunDir, remapPaths, removeRunDir, snapshotExercise, SnapshotError } from './snapshot';
import { annotateResult } from './verdict';

export type { GradeOptions } from './kinds/common';

async function parentKind(ex: LoadedExercise): Promise<ParentKind> {
  const named: string = ex.kind;
  if (!isGradedKind(ex.kind)) {
    throw new UsageError(`${ex.key} is a '${named}' exercise, which this version of mlpath cannot grade yet`);
  }
  return PARENT_KINDS[ex.kind]();
}

export async function gradeExercise(ex: LoadedExercise, opts: GradeOptions): Promise<GradeOutcome> {
  const started = Date.now();
  const kind = await parentKind(ex);
  const runDir = makeRunDir();
  try {
    let snap;
    try {
      snap = snapshotExercise(opts.exerciseDir, runDir);
    } catch (err) {
      if (!(err instanceof SnapshotError)) throw err;
      return errorOutcome(ex, opts, { kind: 'forbidden-api', message: err.message, file: err.file }, started);
    }
    const graded = await kind.grade(ex, { ...opts, exerciseDir: snap.dir, submissionDir: snap.source, runDir });
    const outcome = remapPaths(graded, snap);
    annotateResult(ex, outcome.result);
    const kept = kind.keptOutput;
    const note = kept && opts.keepOutputs !== false ? copyBack(snap, kept) : undefined;
    if (note) outcome.result.output = [outcome.result.output, note].filter(Boolean).join('\n');
    return outcome;
  } finally {
    removeRunDir(runDir);
  }
}
