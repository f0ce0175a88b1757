/**
 * Grades one exercise of any kind. A crash in learner code is a result here,
 * never an exception; exceptions are left for mlpath's own failures.
 */
import type { LoadedExercise } from '../curriculum';
import { UsageError } from '../errors';
import type { GradeOptions } from './kinds/common';
import type { GradeOutcome } from './result';

export type { GradeOptions } from './kinds/common';

export async function gradeExercise(ex: LoadedExercise, opts: GradeOptions): Promise<GradeOutcome> {
  switch (ex.kind) {
    case 'train':
      return (await import('./kinds/train')).gradeTrain(ex, opts);
    case 'functions':
      return (await import('./kinds/functions')).gradeFunctions(ex, opts);
    case 'tracking':
      return (await import('./kinds/tracking')).gradeTracking(ex, opts);
    case 'service':
      return (await import('./kinds/service')).gradeService(ex, opts);
    default:
      throw new UsageError(`${ex.key} is a '${ex.kind}' exercise, which this version of mlpath cannot grade yet`);
  }
}
