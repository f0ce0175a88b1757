/**
 * The type-check cache answers only for exactly the code, options and
 * declarations it was filled from: the same content hits; an edited exercise
 * file, tsconfig.json or imported file outside the exercise misses; an entry
 * edited by hand, or left unsigned, is refused.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { readCachedTypeCheck, typeCheckKey } from '../../../src/coach/typecheck-cache';
import { typeCheckCached } from '../../../src/coach/typecheck';

let root: string;
let dir: string;
let saved: string | undefined;

beforeEach(() => {
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'mlpath-tc-cache-'));
  dir = path.join(root, 'month1', 'ex');
  fs.mkdirSync(dir, { recursive: true });
  fs.mkdirSync(path.join(root, 'shared'));
  fs.writeFileSync(
    path.join(root, 'tsconfig.json'),
    JSON.stringify({ compilerOptions: { strict: true, types: [], lib: ['es2020'], noEmit: true } }),
  );
  fs.writeFileSync(path.join(root, 'shared', 'helper.ts'), 'export const half = (n: number): number => n / 2;\n');
  fs.writeFileSync(
    path.join(dir, 'index.ts'),
    "import { half } from '../../shared/helper';\nexport const x: string = half(4);\n",
  );
  saved = process.env.MLPATH_CACHE_DIR;
  process.env.MLPATH_CACHE_DIR = path.join(root, 'cache');
});

afterEach(() => {
  if (saved === undefined) delete process.env.MLPATH_CACHE_DIR;
  else process.env.MLPATH_CACHE_DIR = saved;
  fs.rmSync(root, { recursive: true, force: true });
});

const req = () => ({ root, dir });

function entryPath(key: string): string {
  return path.join(root, 'cache', 'typecheck', `${key}.json`);
}

test('the same content hits with the same issues', () => {
  const key = typeCheckKey(req())!;
  expect(readCachedTypeCheck(key)).toBeUndefined();
  const issues = typeCheckCached(req());
  expect(issues.map((i) => [i.file, i.line, i.code])).toEqual([['month1/ex/index.ts', 2, 2322]]);
  expect(typeCheckKey(req())).toBe(key);
  expect(readCachedTypeCheck(key)).toEqual(issues);
  expect(typeCheckCached(req())).toEqual(issues);
});

test('an edited exercise file or tsconfig.json is another key', () => {
  const key = typeCheckKey(req())!;
  typeCheckCached(req());
  fs.appendFileSync(path.join(dir, 'index.ts'), '// edited\n');
  const edited = typeCheckKey(req())!;
  expect(edited).not.toBe(key);
  expect(readCachedTypeCheck(edited)).toBeUndefined();
  fs.writeFileSync(path.join(root, 'tsconfig.json'), JSON.stringify({ compilerOptions: { strict: false } }));
  expect(typeCheckKey(req())).not.toBe(edited);
  // A new file in the exercise is part of the key too.
  const before = typeCheckKey(req());
  fs.writeFileSync(path.join(dir, 'extra.ts'), 'export {};\n');
  expect(typeCheckKey(req())).not.toBe(before);
});

test('an edited file the check read outside the exercise misses, and the next check sees it', () => {
  const key = typeCheckKey(req())!;
  expect(typeCheckCached(req())).toHaveLength(1);
  fs.writeFileSync(
    path.join(root, 'shared', 'helper.ts'),
    'export const half = (n: number): string => String(n / 2);\n',
  );
  expect(typeCheckKey(req())).toBe(key);
  expect(readCachedTypeCheck(key)).toBeUndefined();
  expect(typeCheckCached(req())).toEqual([]);
  expect(readCachedTypeCheck(key)).toEqual([]);
});

test('a file appearing where the compiler looked and found nothing misses', () => {
  fs.writeFileSync(path.join(dir, 'index.ts'), "import { y } from '../../shared/missing';\nexport const x = y;\n");
  const key = typeCheckKey(req())!;
  expect(typeCheckCached(req()).map((i) => i.code)).toEqual([2307]);
  expect(readCachedTypeCheck(key)).toHaveLength(1);
  // Outside the exercise, so not in the key: only the recorded probe notices it.
  fs.writeFileSync(path.join(root, 'shared', 'missing.ts'), 'export const y = 1;\n');
  expect(typeCheckKey(req())).toBe(key);
  expect(readCachedTypeCheck(key)).toBeUndefined();
  expect(typeCheckCached(req())).toEqual([]);
});

test('a tampered or unsigned entry is refused', () => {
  const key = typeCheckKey(req())!;
  typeCheckCached(req());
  const file = entryPath(key);
  const stored = JSON.parse(fs.readFileSync(file, 'utf8')) as { mac: string; body: string };
  const body = JSON.parse(stored.body) as { issues: unknown[] };
  body.issues = [];
  fs.writeFileSync(file, JSON.stringify({ mac: stored.mac, body: JSON.stringify(body) }));
  expect(readCachedTypeCheck(key)).toBeUndefined();
  fs.writeFileSync(file, JSON.stringify(body));
  expect(readCachedTypeCheck(key)).toBeUndefined();
  fs.writeFileSync(file, 'not json');
  expect(readCachedTypeCheck(key)).toBeUndefined();
  // A refused entry is checked afresh and replaced.
  expect(typeCheckCached(req())).toHaveLength(1);
  expect(readCachedTypeCheck(key)).toHaveLength(1);
});

test('an entry filed under another key is refused', () => {
  const key = typeCheckKey(req())!;
  typeCheckCached(req());
  const other = 'f'.repeat(64);
  fs.copyFileSync(entryPath(key), entryPath(other));
  expect(readCachedTypeCheck(other)).toBeUndefined();
});

test('a file rewritten with the same size and modification time still misses: its change time moved', async () => {
  const helper = path.join(root, 'shared', 'helper.ts');
  // A file changed in the last second is always re-hashed; an older one is vouched for by its fingerprint.
  await new Promise((resolve) => setTimeout(resolve, 1100));
  const key = typeCheckKey(req())!;
  typeCheckCached(req());
  const body = JSON.parse((JSON.parse(fs.readFileSync(entryPath(key), 'utf8')) as { body: string }).body) as {
    inputs: { stats: Record<string, string> };
  };
  expect(Object.keys(body.inputs.stats)).toContain(path.resolve(helper));
  expect(readCachedTypeCheck(key)).toHaveLength(1);
  const { atime, mtime, size } = fs.statSync(helper);
  fs.writeFileSync(helper, fs.readFileSync(helper, 'utf8').replace('n / 2', 'n * 2'));
  fs.utimesSync(helper, atime, mtime);
  expect(fs.statSync(helper).size).toBe(size);
  expect(Math.abs(fs.statSync(helper).mtimeMs - mtime.getTime())).toBeLessThan(1);
  expect(readCachedTypeCheck(key)).toBeUndefined();
});
