/**
 * The curriculum: its schema, loading with line numbers, and lookups.
 * The JSON Schema generator (./json-schema) is left out so that loading a
 * curriculum never pulls in its dependency.
 */
export { loadCurriculum, defaultCurriculumPath } from './loader';
export type { Curriculum, LoadedExercise } from './loader';
export { findExercise } from './find';
export {
  curriculumSchema, exerciseSchema, monthSchema, metricSchema, trackSchema, readingSchema,
  datasetRefSchema, splitSchema, budgetSchema, METRIC_NAMES, EXERCISE_KINDS, TASKS,
} from './schema';
export type { CurriculumData, Exercise, Month, Track, Reading, MetricSpec, DatasetRef, MetricName, ExerciseKind, Task } from './schema';
