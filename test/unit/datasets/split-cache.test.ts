import * as fs from 'node:fs';
import * as path from 'node:path';
import { splitDataset, splitDatasetCached, type LoadedDataset, type SplitSpec } from '../../../src/datasets';
import { tiny, useTempCache } from './helpers';

const cache = useTempCache();

/** 60 rows of 3 classes, two rows exact copies of others (each pair must share a side), in 20 groups. */
function data(): LoadedDataset {
  const rows: number[][] = [];
  const labels: number[] = [];
  for (let i = 0; i < 60; i++) {
    const base = i === 30 ? 0 : i === 45 ? 4 : i;
    rows.push([base, base * 2, (base * 7) % 5]);
    labels.push(i % 3);
  }
  return tiny(rows, labels, { groups: Int32Array.from(rows, (_, i) => i % 20) });
}

const spec: SplitSpec = { seed: 7, test: 0.2, val: 0.15, stratify: true };

function sameSplit(a: ReturnType<typeof splitDataset>, b: ReturnType<typeof splitDataset>): void {
  for (const side of ['train', 'val', 'test'] as const) {
    expect(Array.from(a[side]!.features)).toEqual(Array.from(b[side]!.features));
    expect(Array.from(a[side]!.labels)).toEqual(Array.from(b[side]!.labels));
    expect(Array.from(a[side]!.groups!)).toEqual(Array.from(b[side]!.groups!));
  }
  expect(a.report).toEqual(b.report);
}

function planFiles(): string[] {
  const dir = path.join(cache.dir(), 'splits');
  return fs.existsSync(dir) ? fs.readdirSync(dir).map((f) => path.join(dir, f)) : [];
}

beforeEach(() => fs.rmSync(path.join(cache.dir(), 'splits'), { recursive: true, force: true }));

test('a cached split is the split: the first call stores the plan, the second reads it, both as splitDataset', () => {
  const ds = data();
  const plain = splitDataset(ds, spec);
  sameSplit(splitDatasetCached(ds, spec), plain);
  expect(planFiles()).toHaveLength(1);
  sameSplit(splitDatasetCached(ds, spec), plain);
});

test('the plan is read back, not planned again: a valid stored plan decides the sides', () => {
  const ds = data();
  splitDatasetCached(ds, spec);
  const [file] = planFiles();
  const stored = JSON.parse(fs.readFileSync(file, 'utf8')) as { key: string; plan: { train: number[] } };
  stored.plan.train.reverse();
  fs.writeFileSync(file, JSON.stringify(stored));
  const read = splitDatasetCached(ds, spec);
  expect(Array.from(read.train.labels)).toEqual(Array.from(splitDataset(ds, spec).train.labels).reverse());
});

test('another spec or other data gets a plan of its own', () => {
  const ds = data();
  splitDatasetCached(ds, spec);
  splitDatasetCached(ds, { ...spec, seed: 8 });
  const other = data();
  other.labels[0] = 2;
  const changed = tiny(
    Array.from({ length: 60 }, (_, i) => Array.from(other.features.subarray(i * 3, i * 3 + 3))),
    Array.from(other.labels),
    { groups: other.groups },
  );
  sameSplit(splitDatasetCached(changed, spec), splitDataset(changed, spec));
  expect(planFiles()).toHaveLength(3);
});

test('the same rows in other groups get a plan of their own (the fingerprint leaves groups out)', () => {
  const ds = data();
  splitDatasetCached(ds, spec);
  const regrouped = tiny(
    Array.from({ length: 60 }, (_, i) => Array.from(ds.features.subarray(i * 3, i * 3 + 3))),
    Array.from(ds.labels),
    { groups: Int32Array.from({ length: 60 }, (_, i) => i % 30) },
  );
  expect(regrouped.fingerprint).toBe(ds.fingerprint);
  sameSplit(splitDatasetCached(regrouped, spec), splitDataset(regrouped, spec));
  expect(planFiles()).toHaveLength(2);
});

test('the same rows without class names (so not stratified by default) get a plan of their own', () => {
  const ds = data();
  const unspecified = { seed: 7, test: 0.2, val: 0.15 };
  splitDatasetCached(ds, unspecified);
  const unnamed = tiny(
    Array.from({ length: 60 }, (_, i) => Array.from(ds.features.subarray(i * 3, i * 3 + 3))),
    Array.from(ds.labels),
    { groups: ds.groups, classNames: undefined },
  );
  expect(unnamed.fingerprint).toBe(ds.fingerprint);
  sameSplit(splitDatasetCached(unnamed, unspecified), splitDataset(unnamed, unspecified));
  expect(planFiles()).toHaveLength(2);
});

test.each([
  ['a row out of range', (p: Plan) => p.train.push(60)],
  ['a row on two sides', (p: Plan) => p.test.push(p.train[0])],
  ['a row twice on one side', (p: Plan) => p.train.push(p.train[0])],
  ['a fraction for a row', (p: Plan) => (p.train[0] = 0.5)],
  ['an empty test side', (p: Plan) => p.test.splice(0)],
  ['a negative count', (p: Plan) => (p.report.duplicatesFound = -1)],
])('a stored plan with %s is ignored and the split planned again', (_, spoil) => {
  const ds = data();
  splitDatasetCached(ds, spec);
  const [file] = planFiles();
  const stored = JSON.parse(fs.readFileSync(file, 'utf8')) as { key: string; plan: Plan };
  spoil(stored.plan);
  fs.writeFileSync(file, JSON.stringify(stored));
  sameSplit(splitDatasetCached(ds, spec), splitDataset(ds, spec));
});

test('a plan stored under another key, or a file that is not JSON, is ignored', () => {
  const ds = data();
  splitDatasetCached(ds, spec);
  const [file] = planFiles();
  const stored = JSON.parse(fs.readFileSync(file, 'utf8')) as { key: string };
  fs.writeFileSync(file, JSON.stringify({ ...stored, key: stored.key.replace('"seed":7', '"seed":9') }));
  sameSplit(splitDatasetCached(ds, spec), splitDataset(ds, spec));
  fs.writeFileSync(file, '{ not json');
  sameSplit(splitDatasetCached(ds, spec), splitDataset(ds, spec));
});

test('a cache folder that cannot be written costs the plan, not the split', () => {
  const ds = data();
  fs.writeFileSync(path.join(cache.dir(), 'splits'), 'a file where the folder should be');
  try {
    sameSplit(splitDatasetCached(ds, spec), splitDataset(ds, spec));
  } finally {
    fs.rmSync(path.join(cache.dir(), 'splits'), { force: true });
  }
});

test('a bad spec is refused as splitDataset refuses it', () => {
  expect(() => splitDatasetCached(data(), { ...spec, test: 1.5 })).toThrow(/test must be a fraction/);
});

interface Plan {
  train: number[];
  val: number[];
  test: number[];
  report: { trainTestOverlap: number; duplicatesFound: number };
}
