/**
 * Finished type checks, cached so that checking unchanged code again does
 * not load TypeScript (seconds on a shared machine). An entry's name is a
 * SHA-256 over mlpath's and TypeScript's versions, the request (workspace and
 * exercise folder), the bytes of tsconfig.json and the path and bytes of
 * every file of the exercise. Inside, the entry lists everything else the
 * compiler looked at: each file it read with the SHA-256 of its bytes (the
 * declarations of TensorFlow.js, mlpath and Node, package.json files met by
 * module resolution) and each path it probed with whether it existed. A hit
 * re-checks every one of them, so an edited, added or removed file anywhere
 * the program looked, or an edited entry, is a miss. A file whose inode,
 * size, modification and change times are those it had when it was read is
 * taken as unchanged without re-hashing its bytes (git's index does the
 * same): the change time moves on every write and cannot be set back, and a
 * file changed in the second it was read is always re-hashed.
 *
 * Entries live in mlpath's cache folder (datasets/cache.ts), which graded
 * code has no permission to open by path, and each is signed (HMAC-SHA-256)
 * with a random key kept beside them: an entry edited or written by anything
 * else is refused. A hard link planted in an exercise folder can still hand
 * a cache file's bytes to graded code, which is one reason entries only ever
 * carry warnings, never a verdict. Writing is best effort: a read-only home
 * costs the next check a fresh type check.
 */
import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { writeFileAtomic } from '../atomic-write';
import { cacheDir } from '../datasets/cache';
import { sha256 } from '../datasets/lock';
import { mlpathVersion } from '../version';
import type { TypeCheckRequest, TypeIssue } from './typecheck';

/** What a type check read and probed besides the files its key covers. */
export interface TypeCheckInputs {
  /** Absolute path -> SHA-256 (hex) of the bytes read. */
  read: Record<string, string>;
  /** Absolute path -> 'file', 'dir' or 'none': what a probe found. */
  probed: Record<string, Probe>;
  /** Absolute path of a file in `read` -> its fingerprint (see `fingerprint`) taken before it was read. */
  stats?: Record<string, string>;
}

export type Probe = 'file' | 'dir' | 'none';

interface Entry {
  key: string;
  inputs: TypeCheckInputs;
  issues: TypeIssue[];
}

/** The installed TypeScript's version, read from its package.json (loading TypeScript is what the cache avoids). */
function typeScriptVersion(): string | undefined {
  try {
    const manifest = require.resolve('typescript/package.json');
    return (JSON.parse(fs.readFileSync(manifest, 'utf8')) as { version?: string }).version;
  } catch {
    return undefined;
  }
}

/** The exercise's TypeScript files as the type check's roots: sorted absolute paths. */
export function exerciseFiles(dir: string): string[] {
  const files: string[] = [];
  const walk = (d: string): void => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      if (e.name.startsWith('.') || e.name === 'node_modules' || e.name === 'mlruns') continue;
      const full = path.join(d, e.name);
      if (e.isDirectory()) walk(full);
      // Declaration files too: an exercise may ship one for a library without types, as the editor reads it.
      else if (e.isFile() && /\.(ts|tsx|mts|cts)$/.test(e.name)) files.push(full);
    }
  };
  walk(dir);
  return files.sort();
}

/** The entry name of a request, or undefined when there is nothing to type-check (no TypeScript, tsconfig.json or folder). */
export function typeCheckKey(req: TypeCheckRequest): string | undefined {
  const ts = typeScriptVersion();
  const config = path.join(req.root, 'tsconfig.json');
  try {
    if (!ts || !fs.statSync(req.dir).isDirectory()) return undefined;
    const hash = createHash('sha256')
      .update(`mlpath ${mlpathVersion()}\0typescript ${ts}\0${path.resolve(req.root)}\0${path.resolve(req.dir)}\0`)
      .update(fs.readFileSync(config));
    for (const file of exerciseFiles(req.dir)) hash.update(`\0${file}\0`).update(fs.readFileSync(file));
    return hash.digest('hex');
  } catch {
    return undefined;
  }
}

function entryFile(key: string, env: NodeJS.ProcessEnv): string {
  return path.join(cacheDir(env), 'typecheck', `${key}.json`);
}

/** The signing key of this cache folder, made on first write (owner-only); undefined when there is none and `create` is false. */
function signingKey(env: NodeJS.ProcessEnv, create: boolean): Buffer | undefined {
  const file = path.join(cacheDir(env), 'typecheck', 'signing.key');
  try {
    const key = fs.readFileSync(file);
    if (key.length === 32) return key;
  } catch {
    /* made below */
  }
  if (!create) return undefined;
  fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  try {
    fs.writeFileSync(file, randomBytes(32), { flag: 'wx', mode: 0o600 });
  } catch {
    /* another check made it first: read theirs */
  }
  const key = fs.readFileSync(file);
  return key.length === 32 ? key : undefined;
}

function sign(key: Buffer, body: string): string {
  return createHmac('sha256', key).update(body).digest('hex');
}

export function probe(p: string): Probe {
  try {
    // Most probes are of module resolution's misses: no exception for those (thousands per check).
    const st = fs.statSync(p, { throwIfNoEntry: false });
    return st === undefined ? 'none' : st.isDirectory() ? 'dir' : 'file';
  } catch {
    return 'none';
  }
}

/**
 * Inode, size, modification and change times in nanoseconds, taken before a
 * file is read; undefined for a file changed within the last second (its
 * bytes may change again inside the same tick of the clock: always re-hashed).
 */
export function fingerprint(p: string): string | undefined {
  try {
    const st = fs.statSync(p, { bigint: true, throwIfNoEntry: false });
    if (!st) return undefined;
    const changed = st.ctimeNs > st.mtimeNs ? st.ctimeNs : st.mtimeNs;
    if (BigInt(Date.now()) * 1_000_000n - changed < 1_000_000_000n) return undefined;
    return `${st.ino}:${st.size}:${st.mtimeNs}:${st.ctimeNs}`;
  } catch {
    return undefined;
  }
}

function unchanged(inputs: TypeCheckInputs): boolean {
  const stats = typeof inputs.stats === 'object' && inputs.stats !== null ? inputs.stats : {};
  for (const [file, hash] of Object.entries(inputs.read)) {
    const known = Object.hasOwn(stats, file) ? stats[file] : undefined;
    if (typeof known === 'string' && fingerprint(file) === known) continue;
    let bytes: Buffer;
    try {
      bytes = fs.readFileSync(file);
    } catch {
      return false;
    }
    if (sha256(bytes) !== hash) return false;
  }
  for (const [p, found] of Object.entries(inputs.probed)) if (probe(p) !== found) return false;
  return true;
}

function isIssue(v: unknown): v is TypeIssue {
  const i = v as TypeIssue;
  return (
    typeof i === 'object' &&
    i !== null &&
    typeof i.file === 'string' &&
    Number.isInteger(i.line) &&
    Number.isInteger(i.column) &&
    Number.isInteger(i.code) &&
    typeof i.message === 'string'
  );
}

/** The issues of a check of exactly this code against exactly these declarations, or undefined. */
export function readCachedTypeCheck(key: string, env: NodeJS.ProcessEnv = process.env): TypeIssue[] | undefined {
  if (env.MLPATH_NO_TYPECHECK_CACHE === '1') return undefined;
  try {
    const signing = signingKey(env, false);
    if (!signing) return undefined;
    const stored = JSON.parse(fs.readFileSync(entryFile(key, env), 'utf8')) as { mac?: unknown; body?: unknown };
    if (typeof stored.mac !== 'string' || typeof stored.body !== 'string') return undefined;
    const expected = Buffer.from(sign(signing, stored.body), 'hex');
    const mac = Buffer.from(stored.mac, 'hex');
    if (mac.length !== expected.length || !timingSafeEqual(mac, expected)) return undefined;
    const entry = JSON.parse(stored.body) as Entry;
    if (entry.key !== key || !Array.isArray(entry.issues) || !entry.issues.every(isIssue)) return undefined;
    const { read, probed } = entry.inputs ?? {};
    if (typeof read !== 'object' || read === null || typeof probed !== 'object' || probed === null) return undefined;
    // A check reads at least its declarations: an entry listing nothing could vouch for anything.
    if (Object.keys(read).length === 0) return undefined;
    return unchanged(entry.inputs) ? entry.issues : undefined;
  } catch {
    return undefined;
  }
}

/** Best effort, like every cache of mlpath's. */
export function writeCachedTypeCheck(
  key: string,
  inputs: TypeCheckInputs,
  issues: TypeIssue[],
  env: NodeJS.ProcessEnv = process.env,
): void {
  if (env.MLPATH_NO_TYPECHECK_CACHE === '1') return;
  try {
    const signing = signingKey(env, true);
    if (!signing) return;
    const entry: Entry = { key, inputs, issues };
    const body = JSON.stringify(entry);
    writeFileAtomic(entryFile(key, env), JSON.stringify({ mac: sign(signing, body), body }));
  } catch {
    /* see above */
  }
}
