// Reference solution for month4/data-versioning: a content-addressed lock of
// a dataset folder, DVC-style. Each file is named by the sha256 of its bytes;
// the folder by the sha256 of its sorted manifest.
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';

export interface Lock {
  hash: string;
  files: Record<string, string>;
}

export interface Changes {
  added: string[];
  removed: string[];
  modified: string[];
}

function sha256(data: Buffer | string): string {
  return createHash('sha256').update(data).digest('hex');
}

/** Every regular file under dir, as a path relative to it with '/' separators. */
function listFiles(dir: string, prefix = ''): string[] {
  const out: string[] = [];
  for (const entry of fs.readdirSync(path.join(dir, prefix), { withFileTypes: true })) {
    const rel = prefix ? `${prefix}/${entry.name}` : entry.name;
    if (entry.isDirectory()) out.push(...listFiles(dir, rel));
    else if (entry.isFile()) out.push(rel);
  }
  return out;
}

export function fingerprint(dir: string): Lock {
  const files: Record<string, string> = {};
  for (const rel of listFiles(dir).sort()) files[rel] = sha256(fs.readFileSync(path.join(dir, ...rel.split('/'))));
  const manifest = Object.keys(files)
    .map((rel) => `${files[rel]}  ${rel}\n`)
    .join('');
  return { hash: sha256(manifest), files };
}

export function diff(before: Lock, after: Lock): Changes {
  const old = Object.keys(before.files);
  const now = Object.keys(after.files);
  return {
    added: now.filter((p) => !(p in before.files)).sort(),
    removed: old.filter((p) => !(p in after.files)).sort(),
    modified: old.filter((p) => p in after.files && before.files[p] !== after.files[p]).sort(),
  };
}

export function status(dir: string, lockFileText: string): Changes {
  return diff(JSON.parse(lockFileText) as Lock, fingerprint(dir));
}
