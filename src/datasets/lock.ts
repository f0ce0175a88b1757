/**
 * The data lock format of month4/data-versioning, in one place: a file's
 * hash is the sha256 of its bytes, the manifest is `<sha256>  <path>\n` per
 * file sorted by path (sha256sum's format), and the lock hash is the sha256
 * of the manifest. The data-versioning suite grades learners against it and
 * tracking checks that a run's logged lock is the lock of its data.
 */
import { createHash } from 'node:crypto';

export interface Lock {
  hash: string;
  /** Relative path → sha256 (hex) of the file's bytes. */
  files: Record<string, string>;
}

export function sha256(data: string | Buffer): string {
  return createHash('sha256').update(data).digest('hex');
}

/** The manifest of a lock: `<sha256>  <path>` per file, sorted by path. */
export function manifest(files: Record<string, string>): string {
  return Object.keys(files)
    .sort()
    .map((p) => `${files[p]}  ${p}\n`)
    .join('');
}

/** The lock of a folder given as relative path → contents. */
export function lockOf(contents: Record<string, string | Buffer>): Lock {
  const files: Record<string, string> = {};
  for (const p of Object.keys(contents).sort()) files[p] = sha256(contents[p]);
  return { hash: sha256(manifest(files)), files };
}
