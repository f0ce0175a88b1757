/**
 * A validated curriculum, cached as JSON next to the dataset cache. The key
 * covers the file's bytes, its path, the mlpath version and the size and
 * time of every file of this folder's built code (the rules that validated
 * it), so any edit, an upgrade or a rebuild that changes validation misses
 * the cache. A hit still checks
 * what validation checks outside the file: that the template and solution
 * folders and the entry files exist. So even `validate` can use it.
 */
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { cacheDir } from '../datasets/cache';
import { writeFileAtomic } from '../atomic-write';
import { mlpathVersion } from '../version';
import type { Curriculum } from './types';

let rulesStamp: string | undefined;

/** The validating code as built: each file of this folder (and its subfolders) by name, size and time. */
function rules(): string {
  if (rulesStamp !== undefined) return rulesStamp;
  const parts: string[] = [];
  const walk = (dir: string): void => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      const file = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(file);
      else {
        const st = fs.statSync(file);
        parts.push(`${path.relative(__dirname, file)}:${st.size}:${st.mtimeMs}`);
      }
    }
  };
  try {
    walk(__dirname);
  } catch {
    parts.push('unreadable');
  }
  rulesStamp = parts.join('\n');
  return rulesStamp;
}

function cacheKey(absolute: string, bytes: Buffer): string {
  return createHash('sha256')
    .update(mlpathVersion())
    .update('\0')
    .update(rules())
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
    writeFileAtomic(file, JSON.stringify(curriculum));
  } catch {
    /* see above */
  }
}
