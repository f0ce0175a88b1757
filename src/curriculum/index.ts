/**
 * The curriculum: its schema, loading with line numbers, and lookups.
 * The JSON Schema generator (./json-schema) is left out so that loading a
 * curriculum never pulls in its dependency.
 */
export { loadCurriculum, defaultCurriculumPath } from './loader';
export type { Curriculum, LoadedExercise } from './types';
export { findExercise } from './find';
export {
  curriculumSchema,
  exerciseSchema,
  monthSchema,
  metricSchema,
  trackSchema,
  readingSchema,
  datasetRefSchema,
  splitSchema,
  budgetSchema,
  EXERCISE_KINDS,
} from './schema';
export { METRIC_NAMES, METRIC_TASKS, TASKS } from './metrics';
export type { CurriculumData, Exercise, Month, Track, Reading, MetricSpec, DatasetRef, ExerciseKind } from './schema';
export type { MetricName, Task } from './metrics';
