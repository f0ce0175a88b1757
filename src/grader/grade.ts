/**
 * Grades one exercise of any kind. A crash in learner code is a result here,
 * never an exception; exceptions are left for mlpath's own failures. Every
 * kind grades a private snapshot of the exercise folder (see snapshot.ts),
 * never the submission itself.
 */
import type { LoadedExercise } from '../curriculum';
import { UsageError } from '../errors';
import { errorOutcome, type GradeOptions } from './kinds/common';
import type { GradeOutcome } from './result';
import { copyBack, makeRunDir, remapPaths, removeRunDir, snapshotExercise, SnapshotError } from './snapshot';
import { annotateResult } from './verdict';

export type { GradeOptions } from './kinds/common';

async function gradeKind(ex: LoadedExercise, opts: GradeOptions): Promise<GradeOutcome> {
  switch (ex.kind) {
    case 'train':
      return (await import('./kinds/train')).gradeTrain(ex, opts);
    case 'functions':
      return (await import('./kinds/functions')).gradeFunctions(ex, opts);
    case 'tracking':
      return (await import('./kinds/tracking')).gradeTracking(ex, opts);
    case 'service':
      return (await import('./kinds/service')).gradeService(ex, opts);
    default: {
      // The schema has no other kind; an exercise built in code may still carry one.
      const other = ex as LoadedExercise;
      throw new UsageError(`${other.key} is a '${other.kind}' exercise, which this version of mlpath cannot grade yet`);
    }
  }
}

/** Folders of the snapshot that the child writes and the learner keeps (the sweep's runs), as the kind staged them (snapshot.ts, stageOutput). */
const KEPT_OUTPUTS: Partial<Record<string, string>> = { tracking: 'mlruns' };

export async function gradeExercise(ex: LoadedExercise, opts: GradeOptions): Promise<GradeOutcome> {
  const started = Date.now();
  const runDir = makeRunDir();
  try {
    let snap;
    try {
      snap = snapshotExercise(opts.exerciseDir, runDir);
    } catch (err) {
      if (!(err instanceof SnapshotError)) throw err;
      return errorOutcome(ex, opts, { kind: 'forbidden-api', message: err.message, file: err.file }, started);
    }
    const outcome = remapPaths(await gradeKind(ex, { ...opts, exerciseDir: snap.dir, submissionDir: snap.source, runDir }), snap);
    annotateResult(ex, outcome.result);
    const kept = KEPT_OUTPUTS[ex.kind];
    const note = kept && opts.keepOutputs !== false ? copyBack(snap, kept) : undefined;
    if (note) outcome.result.output = [outcome.result.output, note].filter(Boolean).join('\n');
    return outcome;
  } finally {
    removeRunDir(runDir);
  }
}
