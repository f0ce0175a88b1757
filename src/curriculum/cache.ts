/**
 * A validated curriculum, cached as JSON next to the dataset cache. The key
 * covers the file's bytes, its path and the mlpath version, so any edit (or
 * an upgrade that changes validation) misses the cache. A hit still checks
 * what validation checks outside the file: that the template and solution
 * folders and the entry files exist. So even `validate` can use it.
 */
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { cacheDir } from '../datasets/cache';
import { mlpathVersion } from '../version';
import type { Curriculum } from './types';

function cacheKey(absolute: string, bytes: Buffer): string {
  return createHash('sha256')
    .update(mlpathVersion())
    .update('\0')
    .update(absolute)
    .update('\0')
    .update(bytes)
    .digest('hex');
}

function cachePath(absolute: string, bytes: Buffer): string {
  return path.join(cacheDir(), 'curricula', `${cacheKey(absolute, bytes)}.json`);
}

function isDirectory(p: string): boolean {
  try {
    return fs.statSync(p).isDirectory();
  } catch {
    return false;
  }
}

export function readCachedCurriculum(absolute: string, bytes: Buffer): Curriculum | undefined {
  if (process.env.MLPATH_NO_CURRICULUM_CACHE === '1') return undefined;
  try {
    const curriculum = JSON.parse(fs.readFileSync(cachePath(absolute, bytes), 'utf8')) as Curriculum;
    const hash = createHash('sha256').update(bytes).digest('hex');
    if (curriculum.hash !== hash || curriculum.file !== absolute) return undefined;
    // The rules also look at the disk: the folders and entry files must still be there.
    for (const ex of curriculum.exercises) {
      if (ex.templateDir && !isDirectory(ex.templateDir)) return undefined;
      if (ex.solutionDir && !isDirectory(ex.solutionDir)) return undefined;
      if (ex.templateDir && ex.entry && !fs.existsSync(path.join(ex.templateDir, ex.entry))) return undefined;
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
