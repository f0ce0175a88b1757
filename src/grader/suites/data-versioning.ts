/**
 * Suite of month4/data-versioning. The grader writes a small dataset folder
 * of real rows (Fisher's iris, the Boston housing tracts) into a temporary
 * directory, then copies of it with one change each: the same files written
 * in another order, one value of one row edited (same size, same mtime),
 * two rows swapped, two files' contents swapped, a file added, removed,
 * renamed. The learner's `fingerprint`, `diff` and `status` are checked
 * against locks computed here with node:crypto, byte for byte.
 *
 * Every folder is written in a seeded random order, and most cases list
 * folders the way another file system would (case-insensitively as on
 * Windows, in ext4's hash order, newest first as tmpfs does; see
 * ../listing-order.ts): Node sorts `readdir` on Linux and macOS, so a
 * manifest that follows the listing instead of sorting would pass there.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { loadDataset, type LoadedDataset } from '../../datasets';
import { GradingError } from '../../errors';
import { lockOf, sha256, type Lock } from '../../datasets/lock';
import { createRng, deriveSeed, shuffleInPlace, type Rng } from '../../datasets/rng';
import { LISTING_DESCRIPTIONS, orderNames, walkOrder, type ListingOrder } from '../listing-order';
import type { Suite, SuiteCase, SuiteFixture } from './types';

export interface Changes {
  added: string[];
  removed: string[];
  modified: string[];
}

type Files = Record<string, string>;

const VARIANTS = [
  'base',
  'copy',
  'row-changed',
  'rows-swapped',
  'contents-swapped',
  'added',
  'removed',
  'renamed',
] as const;
type Variant = (typeof VARIANTS)[number];

interface Fixture {
  dirs: Record<Variant, string>;
  locks: Record<Variant, Lock>;
  /** The file whose row was edited, and a line about it for messages. */
  changedFile: string;
  /** Salt of the hashed listing order (ext4's per-volume hash seed, in effect). */
  salt: number;
}

/** How each fingerprint variant's folder is listed while the learner's code reads it. */
const LISTED: Record<Variant, ListingOrder> = {
  base: 'sorted',
  copy: 'reverse',
  'row-changed': 'hashed',
  'rows-swapped': 'ntfs',
  'contents-swapped': 'hashed',
  added: 'ntfs',
  removed: 'reverse',
  renamed: 'hashed',
};

export function diffLocks(a: Lock, b: Lock): Changes {
  const before = Object.keys(a.files);
  const after = Object.keys(b.files);
  return {
    added: after.filter((p) => !(p in a.files)).sort(),
    removed: before.filter((p) => !(p in b.files)).sort(),
    modified: before.filter((p) => p in b.files && a.files[p] !== b.files[p]).sort(),
  };
}

function num(v: number): string {
  return String(Number(v.toPrecision(6)));
}

function csv(ds: LoadedDataset, order: number[], header: string[], label: (i: number) => string): string {
  const d = ds.featureShape[0];
  const lines = [header.join(',')];
  for (const i of order) {
    const row: string[] = [];
    for (let j = 0; j < d; j++) row.push(num(ds.features[i * d + j]));
    row.push(label(i));
    lines.push(row.join(','));
  }
  return `${lines.join('\n')}\n`;
}

/** Edits one digit of one value in a data row: same length, so the size does not change. */
function editOneValue(text: string, rng: Rng): string {
  const lines = text.split('\n');
  for (;;) {
    const r = 1 + Math.floor(rng() * (lines.length - 2));
    const digits = [...lines[r].matchAll(/[0-9]/g)].map((m) => m.index);
    if (digits.length === 0) continue;
    const at = digits[Math.floor(rng() * digits.length)];
    const old = Number(lines[r][at]);
    lines[r] = `${lines[r].slice(0, at)}${(old + 1 + Math.floor(rng() * 8)) % 10}${lines[r].slice(at + 1)}`;
    return lines.join('\n');
  }
}

/** Swaps two data rows that differ (iris has one duplicated flower). */
function swapTwoRows(text: string, rng: Rng): string {
  const lines = text.split('\n');
  for (;;) {
    const a = 1 + Math.floor(rng() * (lines.length - 2));
    const b = 1 + Math.floor(rng() * (lines.length - 2));
    if (lines[a] === lines[b]) continue;
    [lines[a], lines[b]] = [lines[b], lines[a]];
    return lines.join('\n');
  }
}

function writeFolder(dir: string, files: Files, order: string[], mtime: Date): void {
  for (const rel of order) {
    const file = path.join(dir, ...rel.split('/'));
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, files[rel]);
    fs.utimesSync(file, mtime, mtime);
  }
}

async function baseFiles(seed: number): Promise<Files> {
  const rng = createRng(deriveSeed(seed, 'data-versioning'));
  const iris = await loadDataset('iris');
  const boston = await loadDataset('boston');
  const irisOrder = Array.from({ length: iris.n }, (_, i) => i);
  shuffleInPlace(irisOrder, rng);
  const bostonOrder = Array.from({ length: boston.n }, (_, i) => i);
  shuffleInPlace(bostonOrder, rng);
  const bostonHeader = [...(boston.featureNames ?? []), 'medv'];
  const medv = (i: number): string => num(boston.labels[i]);
  return {
    'README.md':
      '# House prices and flowers\n\nA dataset folder for month4/data-versioning: iris.csv (Fisher, 1936) and\nthe Boston housing tracts (Harrison & Rubinfeld, 1978) split into train and test.\n',
    'iris.csv': csv(
      iris,
      irisOrder,
      [...(iris.featureNames ?? []), 'species'],
      (i) => iris.classNames![iris.labels[i]],
    ),
    'boston/train.csv': csv(boston, bostonOrder.slice(0, 400), bostonHeader, medv),
    'boston/test.csv': csv(boston, bostonOrder.slice(400), bostonHeader, medv),
    'boston/NOTES': '',
  };
}

async function build(root: string, seed: number): Promise<Fixture> {
  const rng = createRng(deriveSeed(seed, 'data-versioning:changes'));
  const writeOrder = createRng(deriveSeed(seed, 'data-versioning:write-order'));
  const base = await baseFiles(seed);
  const contents: Record<Variant, Files> = {
    base,
    copy: base,
    'row-changed': { ...base, 'boston/train.csv': editOneValue(base['boston/train.csv'], rng) },
    'rows-swapped': { ...base, 'iris.csv': swapTwoRows(base['iris.csv'], rng) },
    'contents-swapped': {
      ...base,
      'boston/train.csv': base['boston/test.csv'],
      'boston/test.csv': base['boston/train.csv'],
    },
    added: { ...base, 'boston/extra.csv': base['boston/test.csv'].split('\n').slice(0, 21).join('\n') + '\n' },
    removed: Object.fromEntries(Object.entries(base).filter(([p]) => p !== 'README.md')),
    renamed: Object.fromEntries(Object.entries(base).map(([p, v]) => [p === 'iris.csv' ? 'flowers.csv' : p, v])),
  };
  const mtime = new Date(Date.UTC(2024, 0, 1));
  const dirs = {} as Record<Variant, string>;
  const locks = {} as Record<Variant, Lock>;
  for (const v of VARIANTS) {
    dirs[v] = path.join(root, v === 'copy' ? 'elsewhere/data-copy' : v);
    const files = contents[v];
    // The order files are written in is the order some file systems list them in (tmpfs, btrfs).
    const order = Object.keys(files);
    shuffleInPlace(order, writeOrder);
    writeFolder(dirs[v], files, order, v === 'copy' ? new Date(Date.UTC(2025, 5, 1)) : mtime);
    locks[v] = lockOf(files);
  }
  return { dirs, locks, changedFile: 'boston/train.csv', salt: deriveSeed(seed, 'data-versioning:listing') };
}

function describeValue(value: unknown): string {
  if (value === undefined || value === null) return `returned ${String(value)}`;
  if (Array.isArray(value)) return 'returned an array';
  return `returned a ${typeof value}`;
}

/** What is wrong with a returned lock, compared with the expected one; undefined when equal. */
export function lockProblem(value: unknown, want: Lock): string | undefined {
  if (value === null || typeof value !== 'object' || Array.isArray(value))
    return `${describeValue(value)}; expected { hash, files }`;
  const got = value as Partial<Lock>;
  if (got.files === null || typeof got.files !== 'object' || Array.isArray(got.files))
    return 'files must be an object mapping each relative path to the sha256 of its bytes';
  const files = got.files as Record<string, unknown>;
  const missing = Object.keys(want.files).filter((p) => !(p in files));
  const extra = Object.keys(files).filter((p) => !(p in want.files));
  if (missing.length || extra.length) {
    const parts: string[] = [];
    if (missing.length) parts.push(`missing ${missing.map((p) => `'${p}'`).join(', ')}`);
    if (extra.length)
      parts.push(
        `unexpected ${extra
          .slice(0, 4)
          .map((p) => `'${p}'`)
          .join(', ')}`,
      );
    return `files ${parts.join('; ')} (paths relative to the folder, '/' between folders, subfolders included)`;
  }
  const wrong = Object.keys(want.files).find((p) => files[p] !== want.files[p]);
  if (wrong)
    return `files['${wrong}'] is ${JSON.stringify(files[wrong]).slice(0, 70)}, not the sha256 (hex) of the file's bytes`;
  if (got.hash !== want.hash) {
    return `hash ${JSON.stringify(got.hash).slice(0, 70)} is not the sha256 of the manifest (one "<sha256>  <path>\\n" line per file, sorted by path)`;
  }
  return undefined;
}

function changesProblem(value: unknown, want: Changes): string | undefined {
  if (value === null || typeof value !== 'object' || Array.isArray(value))
    return `${describeValue(value)}; expected { added, removed, modified }`;
  const got = value as Record<string, unknown>;
  for (const key of ['added', 'removed', 'modified'] as const) {
    const list = got[key];
    if (!Array.isArray(list) || !list.every((p) => typeof p === 'string')) return `${key} must be an array of paths`;
    const have = [...list].sort();
    if (new Set(have).size !== have.length) return `${key} lists a path twice`;
    if (have.join('\n') !== want[key].join('\n')) {
      return `${key} is [${have.map((p) => `'${p}'`).join(', ')}], expected [${want[key].map((p) => `'${p}'`).join(', ')}]`;
    }
  }
  return undefined;
}

/**
 * Why a hash is wrong when it is the manifest's hash in the order the folder
 * was listed (walked folder by folder, or listed recursively at once):
 * the lesson that the listing order is not part of the data.
 */
function listingProblem(hash: string, want: Lock, order: ListingOrder, salt: number): string | undefined {
  const paths = Object.keys(want.files);
  const line = (p: string): string => `${want.files[p]}  ${p}\n`;
  const orders = [walkOrder(paths, order, salt), orderNames(paths, order, salt)];
  if (!orders.some((o) => o.join('\n') !== [...paths].sort().join('\n') && sha256(o.map(line).join('')) === hash))
    return undefined;
  return 'it is the hash of the manifest in the order the folder was listed: sort the paths (a plain .sort()) before building the manifest, because each file system lists a folder in its own order and Node sorts only on some of them';
}

/** A case's title, with the listing order when it is not the one Node gives on Linux. */
function listedTitle(title: string, listing: ListingOrder): string {
  return listing === 'sorted' ? title : `${title}; folders listed ${LISTING_DESCRIPTIONS[listing]}`;
}

function cases(fixture: Fixture): SuiteCase[] {
  const { dirs, locks } = fixture;
  const out: SuiteCase[] = [];
  // The learner's own hash of the original folder, to explain a copy that differs or a change that does not.
  let ownBase: unknown;
  const fingerprintCase = (v: Variant, title: string, hint?: string): void => {
    const listing = LISTED[v];
    out.push({
      fn: 'fingerprint',
      title: listedTitle(title, listing),
      args: [dirs[v]],
      listing: { order: listing, salt: fixture.salt },
      verify: (value) => {
        const problem = lockProblem(value, locks[v]);
        const hash = (value as Partial<Lock> | null)?.hash;
        if (v === 'base') ownBase = hash;
        if (!problem?.startsWith('hash') || typeof hash !== 'string') return problem;
        const unsorted = listingProblem(hash, locks[v], listing, fixture.salt);
        if (unsorted) return `${problem}; ${unsorted}`;
        if (!hint || ownBase === undefined) return problem;
        const same = hash === ownBase;
        return same === (v === 'copy') ? problem : `${problem}; ${hint}`;
      },
    });
  };
  fingerprintCase('base', 'the dataset folder');
  fingerprintCase(
    'copy',
    'a copy in another folder, files written in another order and at another time (must equal the original)',
    "it differs from the original's: sort the paths, and keep the folder's location and the file times out of the lock",
  );
  fingerprintCase(
    'row-changed',
    `one value of one row of ${fixture.changedFile} edited (same size, same modification time)`,
    "it equals the original's: hash the bytes, not the size or the time",
  );
  fingerprintCase(
    'rows-swapped',
    'two rows of iris.csv swapped',
    "it equals the original's: the order of the bytes matters",
  );
  fingerprintCase(
    'contents-swapped',
    'boston/train.csv and boston/test.csv swapped',
    "it equals the original's: each hash must stay tied to its path",
  );
  fingerprintCase(
    'added',
    'a file added in a subfolder',
    "it equals the original's: list the files of every subfolder",
  );
  fingerprintCase('removed', 'a file removed', "it equals the original's");
  fingerprintCase('renamed', 'iris.csv renamed to flowers.csv', "it equals the original's: a path is part of the lock");

  const diffCase = (a: Variant, b: Variant, title: string): void => {
    out.push({
      fn: 'diff',
      title,
      args: [locks[a], locks[b]],
      verify: (value) => changesProblem(value, diffLocks(locks[a], locks[b])),
    });
  };
  diffCase('base', 'copy', 'two equal locks: nothing changed');
  diffCase('base', 'row-changed', 'a row edited');
  diffCase('base', 'added', 'a file added');
  diffCase('added', 'base', 'the other way round: a file removed');
  diffCase('base', 'removed', 'a file removed');
  diffCase('base', 'renamed', 'a rename (one path gone, one new)');
  diffCase('base', 'contents-swapped', 'two files swapped their contents');

  const statusCase = (v: Variant, title: string, listing: ListingOrder): void => {
    const lockText = JSON.stringify(locks.base, null, 2);
    out.push({
      fn: 'status',
      title: listedTitle(title, listing),
      args: [dirs[v], lockText],
      listing: { order: listing, salt: fixture.salt },
      verify: (value) => changesProblem(value, diffLocks(locks.base, locks[v])),
    });
  };
  statusCase('copy', 'status of an unchanged copy against the lock file', 'ntfs');
  statusCase('row-changed', 'status after a row was edited', 'hashed');
  statusCase('renamed', 'status after a rename', 'reverse');
  return out;
}

export const suite: Suite = {
  id: 'data-versioning',
  exports: ['fingerprint', 'diff', 'status'],
  async prepare(seed: number): Promise<SuiteFixture> {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'mlpath-datasets-'));
    try {
      const data = await build(root, seed);
      return { readRoots: [root], data, cleanup: () => fs.rmSync(root, { recursive: true, force: true }) };
    } catch (err) {
      fs.rmSync(root, { recursive: true, force: true });
      throw err;
    }
  },
  cases(_seed: number, fixture?: SuiteFixture): SuiteCase[] {
    if (!fixture) throw new GradingError('the data-versioning suite needs its fixture folders: call prepare() first');
    return cases(fixture.data as Fixture);
  },
};
