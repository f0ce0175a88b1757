/**
 * Loads a curriculum file in three steps (schema, normalise, cross-field
 * rules) and reports every problem at once as `file:line field: message`.
 * Synchronous on purpose: every command needs the curriculum before anything
 * else, and reading one small file does not need to be async.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { CurriculumError } from '../errors';
import type { Curriculum } from './types';

export type { Curriculum, LoadedExercise } from './types';

/** Resolves the same from src/curriculum (ts-jest) and dist/curriculum (built). */
export function defaultCurriculumPath(): string {
  return path.resolve(__dirname, '..', '..', 'curriculum', 'curriculum.yaml');
}

const FILE_HINT = 'pass the path of a curriculum file, e.g. `mlpath validate path/to/curriculum.yaml`';

export interface LoadOptions {
  /**
   * Reuse the last validated copy of an unchanged file (keyed by its bytes,
   * its path and the mlpath version), so that every command does not
   * re-parse and re-validate the YAML.
   */
  cache?: boolean;
}

export function loadCurriculum(file: string = defaultCurriculumPath(), options: LoadOptions = {}): Curriculum {
  const absolute = path.resolve(file);
  const bytes = readBytes(absolute);
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded only when a curriculum is read, not by --help
  const cache = require('./cache') as typeof import('./cache');
  if (options.cache !== false) {
    const hit = cache.readCachedCurriculum(absolute, bytes);
    if (hit) return hit;
  }
  // yaml and the rules load only when the file has to be parsed.
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- yaml and the rules load only on a cache miss
  const { parseCurriculum } = require('./parse') as typeof import('./parse');
  if (options.cache === false) return parseCurriculum(absolute, bytes);
  const curriculum = parseCurriculum(absolute, bytes);
  cache.writeCachedCurriculum(absolute, bytes, curriculum);
  return curriculum;
}

function readBytes(file: string): Buffer {
  try {
    return fs.readFileSync(file);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const message =
      code === 'ENOENT'
        ? 'curriculum file not found'
        : code === 'EISDIR'
          ? 'is a folder, not a curriculum file'
          : `cannot read the curriculum file: ${(err as Error).message}`;
    throw new CurriculumError([{ file, field: 'file', message }], FILE_HINT);
  }
}
