import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { loadCurriculum } from '../../../src/curriculum';

const fixtures = path.resolve(__dirname, '..', '..', 'fixtures', 'curricula');
let cache: string;
let dir: string;

beforeEach(() => {
  cache = fs.mkdtempSync(path.join(os.tmpdir(), 'mlpath-cc-'));
  process.env.MLPATH_CACHE_DIR = cache;
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mlpath-cur-'));
  fs.cpSync(fixtures, dir, { recursive: true });
});

afterEach(() => {
  delete process.env.MLPATH_CACHE_DIR;
});

function cached(): string[] {
  const d = path.join(cache, 'curricula');
  return fs.existsSync(d) ? fs.readdirSync(d) : [];
}

test('a validated curriculum is cached and the copy is what a parse gives', () => {
  const file = path.join(dir, 'valid.yaml');
  const first = loadCurriculum(file);
  expect(cached()).toHaveLength(1);
  const second = loadCurriculum(file);
  expect(second).toEqual(JSON.parse(JSON.stringify(first)));
  expect(loadCurriculum(file, { cache: false })).toEqual(first);
});

test('an edit misses the cache, and an invalid edit is reported, never served stale', () => {
  const file = path.join(dir, 'valid.yaml');
  loadCurriculum(file);
  fs.writeFileSync(file, fs.readFileSync(file, 'utf8').replace('title: Fixture curriculum', 'title: Renamed'));
  expect(loadCurriculum(file).title).toBe('Renamed');
  fs.writeFileSync(file, fs.readFileSync(file, 'utf8').replace('formatVersion: 1', 'formatVersion: 7'));
  expect(() => loadCurriculum(file)).toThrow(/formatVersion/);
});

test('a corrupt cache entry or a template folder removed since is re-validated', () => {
  const file = path.join(dir, 'valid.yaml');
  loadCurriculum(file);
  const entry = path.join(cache, 'curricula', cached()[0]);
  fs.writeFileSync(entry, '{ truncated');
  expect(loadCurriculum(file).id).toBe('fixture');
  fs.rmSync(path.join(dir, 'exercises', 'hello'), { recursive: true });
  expect(() => loadCurriculum(file)).toThrow(/template folder/);
});

test('a hit re-checks solution folders and entry files, as validation would', () => {
  const file = path.join(dir, 'valid.yaml');
  loadCurriculum(file);
  fs.rmSync(path.join(dir, 'exercises', 'tensors', 'tensors.ts'));
  expect(() => loadCurriculum(file)).toThrow(/entry file/);
});
