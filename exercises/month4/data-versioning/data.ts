// month4/data-versioning: fingerprint a dataset folder and keep a lock file.
// Read README.md first. Check your work with:  mlpath check month4/data-versioning
//
// The three exported functions exist but return placeholders, so the check
// runs and tells you, case by case, what is still wrong.
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';

/** A lock: what a dataset folder contained, byte for byte (the content of a lock file). */
export interface Lock {
  /** sha256 (hex) of the manifest: one "<sha256>  <path>\n" line per file, sorted by path. */
  hash: string;
  /** Every file of the folder and its subfolders: relative path ('/' between folders) -> sha256 (hex) of its bytes. */
  files: Record<string, string>;
}

/** What changed between two locks; each list sorted. */
export interface Changes {
  added: string[];
  removed: string[];
  modified: string[];
}

/** Given: the sha256 of some bytes, as 64 hex digits. */
export function sha256(data: Buffer | string): string {
  return createHash('sha256').update(data).digest('hex');
}

/** 1. Every regular file under dir, as a path relative to dir with '/' separators ("boston/train.csv"). */
function listFiles(dir: string): string[] {
  // TODO: fs.readdirSync(folder, { withFileTypes: true }) lists one folder; entry.isDirectory()
  // tells you to look inside it too. Build the relative paths with '/', whatever the OS.
  void dir;
  void fs;
  void path;
  return [];
}

/** 2. The lock of a dataset folder. The same bytes under the same paths give the same lock, wherever the folder is. */
export function fingerprint(dir: string): Lock {
  // TODO: hash each file's bytes (fs.readFileSync gives a Buffer), then hash the manifest.
  // Sort the paths first: the order a folder lists its files in is not part of the data.
  void listFiles(dir);
  return { hash: '', files: {} };
}

/** 3. Which paths were added, removed or modified from `before` to `after`. */
export function diff(before: Lock, after: Lock): Changes {
  // TODO: compare the two `files` maps: a path only in after is added, only in before is
  // removed, in both with different hashes is modified.
  void before;
  void after;
  return { added: [], removed: [], modified: [] };
}

/** 4. `dvc status`: how the folder differs from a lock file's content (the JSON text of a Lock). */
export function status(dir: string, lockFileText: string): Changes {
  // TODO: parse the lock file, fingerprint the folder, diff the two.
  void dir;
  void lockFileText;
  return { added: [], removed: [], modified: [] };
}
