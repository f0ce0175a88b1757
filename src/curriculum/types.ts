/**
 * A loaded curriculum, as every command sees it. Its own module so that the
 * loader, the parser, the cache and the lookups share it without importing
 * one another.
 */
import type { CurriculumData, Exercise } from './schema';

/** An exercise as loaded: the file's fields plus where it lives. */
export type LoadedExercise = Exercise & {
  /** Check id, `<month id>/<exercise id>`, e.g. `month2/mnist`. */
  key: string;
  monthId: string;
  /** Absolute path of the starter template folder. */
  templateDir?: string;
  /** Absolute path of the reference solution folder. */
  solutionDir?: string;
};

export interface Curriculum extends CurriculumData {
  /** Absolute path of the curriculum file. */
  file: string;
  /** Folder of the curriculum file; template and solution paths are relative to it. */
  dir: string;
  /** Every exercise of every month, in path order. */
  exercises: LoadedExercise[];
  /** sha256 (hex) of the file bytes, so a workspace can tell the curriculum changed. */
  hash: string;
}
