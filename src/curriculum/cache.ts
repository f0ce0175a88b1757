/**
 * A validated curriculum, cached as JSON next to the dataset cache. The key
 * covers the file's bytes, its path and the mlpath version, so any edit (or
 * an upgrade that changes validation) misses the cache. A hit still checks
 * that the template folders exist, since those live outside the file.
 */
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { cacheDir } from '../datasets/cache';
import type { Curriculum } from './loader';

function mlpathVersion(): string {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return (require('../../package.json') as { version: string }).version;
}

function cacheKey(absolute: string, bytes: Buffer): string {
  return createHash('sha256').update(mlpathVersion()).update('\0').update(absolute).update('\0').update(bytes).digest('hex');
}

function cachePath(absolute: string, bytes: Buffer): string {
  return path.join(cacheDir(), 'curricula', `${cacheKey(absolute, bytes)}.json`);
}

export function readCachedCurriculum(absolute: string, bytes: Buffer): Curriculum | undefined {
  if (process.env.MLPATH_NO_CURRICULUM_CACHE === '1') return undefined;
  try {
    const curriculum = JSON.parse(fs.readFileSync(cachePath(absolute, bytes), 'utf8')) as Curriculum;
    const hash = createHash('sha256').update(bytes).digest('hex');
    if (curriculum.hash !== hash || curriculum.file !== absolute) return undefined;
    for (const ex of curriculum.exercises) {
      if (ex.status === 'ready' && ex.templateDir && !fs.existsSync(ex.templateDir)) return undefined;
    }
    return curriculum;
  } catch {
    return undefined;
  }
}

/** Best effort: a read-only home or a full disk only costs the next command a re-parse. */
export function writeCachedCurriculum(absolute: string, bytes: Buffer, curriculum: Curriculum): void {
  try {
    const file = cachePath(absolute, bytes);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    const tmp = `${file}.${process.pid}.tmp`;
    fs.writeFileSync(tmp, JSON.stringify(curriculum));
    fs.renameSync(tmp, file);
  } catch {
    /* see above */
  }
}
