/**
 * The one way mlpath replaces a file: write a temporary file beside it, then
 * rename it over the target. A reader (another check, `watch` beside `check`,
 * a crash half-way) sees the old file or the new one, never a torn one,
 * because a rename within one folder is atomic on the file systems Node
 * supports.
 */
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';

/**
 * Writes `data` to `file` atomically, creating its folder. The temporary name
 * carries the pid and random bytes, so concurrent writers never share one.
 * On failure the temporary file is removed and the error is rethrown.
 */
export function writeFileAtomic(file: string, data: string | Uint8Array): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`;
  try {
    fs.writeFileSync(tmp, data);
    fs.renameSync(tmp, file);
  } catch (err) {
    fs.rmSync(tmp, { force: true });
    throw err;
  }
}

/** `value` as indented JSON with a final newline, written atomically. */
export function writeJsonAtomic(file: string, value: unknown): void {
  writeFileAtomic(file, `${JSON.stringify(value, null, 2)}\n`);
}
