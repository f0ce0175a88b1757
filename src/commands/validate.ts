/**
 * `mlpath validate [curriculum.yaml]`: load a curriculum and report its
 * problems. Problems are thrown as a CurriculumError (every issue with file,
 * line and field); the CLI prints them.
 */
import * as path from 'node:path';
import { defaultCurriculumPath, loadCurriculum } from '../curriculum';

export interface ValidateOptions {
  /** Curriculum file, relative to `cwd`; the bundled curriculum when absent. */
  file?: string;
  cwd: string;
}

export interface ValidateResult {
  file: string;
  months: number;
  exercises: number;
  ready: number;
}

export async function run(opts: ValidateOptions): Promise<ValidateResult> {
  const file = path.resolve(opts.cwd, opts.file ?? defaultCurriculumPath());
  const curriculum = loadCurriculum(file);
  return {
    file: curriculum.file,
    months: curriculum.months.length,
    exercises: curriculum.exercises.length,
    ready: curriculum.exercises.filter((e) => e.status === 'ready').length,
  };
}
