import { DatasetError } from '../../../src/errors';
import { loadDataset, overlapReport, splitDataset, type LoadedDataset } from '../../../src/datasets';
import { rowKeys } from '../../../src/datasets/hash';
import { classCounts, tiny, useTempCache } from './helpers';

useTempCache();

let mnist: LoadedDataset;
let iris: LoadedDataset;
beforeAll(async () => {
  mnist = await loadDataset('mnist');
  iris = await loadDataset('iris');
});

function keySet(ds: LoadedDataset): Set<string> {
  return new Set(rowKeys(ds));
}

describe('splitDataset', () => {
  it('is deterministic by seed and changes with the seed', () => {
    const a = splitDataset(iris, { seed: 3, test: 0.2, val: 0.1 });
    const b = splitDataset(iris, { seed: 3, test: 0.2, val: 0.1 });
    const c = splitDataset(iris, { seed: 4, test: 0.2, val: 0.1 });
    expect(a.test.fingerprint).toBe(b.test.fingerprint);
    expect(a.train.fingerprint).toBe(b.train.fingerprint);
    expect(a.val!.fingerprint).toBe(b.val!.fingerprint);
    expect(c.test.fingerprint).not.toBe(a.test.fingerprint);
  });

  it('gives the same held-out set on every machine and Node version', () => {
    // Pinned on purpose: the held-out split of an exercise is fixed by the
    // curriculum (dataset, seed, fractions); if this changes, every learner's
    // test set changes with it.
    const { test } = splitDataset(iris, { seed: 1, test: 0.2 });
    expect(test.fingerprint).toBe(PINNED_IRIS_TEST);
  });

  it('stratifies classification data: each class keeps its share within one row', () => {
    const { train, val, test } = splitDataset(mnist, { seed: 7, test: 0.2, val: 0.1 });
    expect(train.n + val!.n + test.n).toBe(mnist.n);
    expect(test.n).toBe(2000);
    expect(val!.n).toBe(1000);
    const all = classCounts(mnist);
    for (const [part, fraction] of [
      [test, 0.2],
      [val!, 0.1],
    ] as const) {
      const counts = classCounts(part);
      for (const [label, count] of all) expect(Math.abs(counts.get(label)! - count * fraction)).toBeLessThanOrEqual(1);
    }
  });

  it('has zero train/test overlap, by its report and by an independent count', () => {
    const split = splitDataset(mnist, { seed: 11, test: 0.25 });
    expect(split.report.trainTestOverlap).toBe(0);
    expect(overlapReport(split.train, split.test).overlap).toBe(0);
  });

  it('keeps exact duplicates on one side (iris rows 101 and 142 are equal)', () => {
    expect(iris.features.subarray(101 * 4, 102 * 4)).toEqual(iris.features.subarray(142 * 4, 143 * 4));
    for (let seed = 0; seed < 20; seed++) {
      const split = splitDataset(iris, { seed, test: 0.3, val: 0.2 });
      expect(split.report.duplicatesFound).toBe(1);
      expect(split.report.trainTestOverlap).toBe(0);
      const repeats = [split.train, split.val!, split.test].map((ds) => ds.n - keySet(ds).size);
      // Both copies on one side: that side has one repeated row, the others none.
      expect(repeats.sort()).toEqual([0, 0, 1]);
    }
  });

  it('keeps every copy of a heavily duplicated row together', () => {
    const rows: number[][] = [];
    const labels: number[] = [];
    for (let i = 0; i < 200; i++) {
      rows.push([i % 10 === 0 ? -1 : i, 0]);
      labels.push(i % 2);
    }
    const ds = tiny(rows, labels);
    const split = splitDataset(ds, { seed: 5, test: 0.3 });
    expect(split.report.duplicatesFound).toBe(19);
    const copiesIn = (part: LoadedDataset): number => {
      let count = 0;
      for (let i = 0; i < part.n; i++) if (part.features[i * 2] === -1) count++;
      return count;
    };
    expect([copiesIn(split.train), copiesIn(split.test)].sort()).toEqual([0, 20]);
    expect(overlapReport(split.train, split.test).overlap).toBe(0);
  });

  it('keeps each group on one side', () => {
    const rows = Array.from({ length: 300 }, (_, i) => [i, i * 2]);
    const labels = rows.map((_, i) => i % 3);
    const groups = Int32Array.from(rows, (_, i) => Math.floor(i / 7));
    const ds = tiny(rows, labels, { groups });
    const split = splitDataset(ds, { seed: 2, test: 0.2, val: 0.2 });
    const groupsOf = (part: LoadedDataset) => new Set(part.groups);
    const [train, val, test] = [split.train, split.val!, split.test].map(groupsOf);
    for (const g of test) expect(train.has(g) || val.has(g)).toBe(false);
    for (const g of val) expect(train.has(g)).toBe(false);
    expect(split.train.n + split.val!.n + split.test.n).toBe(300);
  });

  it('limit takes a seeded stratified subsample first', () => {
    const a = splitDataset(mnist, { seed: 9, test: 0.2, limit: 1000 });
    const b = splitDataset(mnist, { seed: 9, test: 0.2, limit: 1000 });
    expect(a.train.n + a.test.n).toBe(1000);
    expect(a.test.n).toBe(200);
    expect(a.train.fingerprint).toBe(b.train.fingerprint);
    const all = classCounts(mnist);
    const used = classCounts(a.train);
    for (const [label, count] of classCounts(a.test)) used.set(label, used.get(label)! + count);
    for (const [label, count] of all) expect(Math.abs(used.get(label)! - count / 10)).toBeLessThanOrEqual(1);
    expect(a.report.trainTestOverlap).toBe(0);
  });

  it('does not stratify regression data unless asked, and still covers every row', async () => {
    const boston = await loadDataset('boston');
    const split = splitDataset(boston, { seed: 1, test: 0.2 });
    expect(split.train.n + split.test.n).toBe(506);
    expect(split.test.n).toBe(101);
    const union = new Set([...keySet(split.train), ...keySet(split.test)]);
    expect(union).toEqual(keySet(boston));
  });

  it('ordered splits keep time order: the tail is test, val just before it', async () => {
    const stream = await loadDataset('drift-stream', { n: 100 });
    const split = splitDataset(stream, { seed: 1, test: 0.2, val: 0.1, ordered: true });
    expect(split.test.features).toEqual(stream.features.subarray(80 * 2));
    expect(split.val!.features).toEqual(stream.features.subarray(70 * 2, 80 * 2));
    expect(split.train.features).toEqual(stream.features.subarray(0, 70 * 2));
  });

  it('splits text data by text', async () => {
    const texts = ['a', 'b', 'c', 'a', 'd', 'e', 'f', 'g', 'h', 'a'];
    const ds = tiny(
      texts.map(() => []),
      texts.map((_, i) => i % 2),
      { texts, featureShape: [0] },
    );
    const split = splitDataset(ds, { seed: 3, test: 0.3 });
    expect(split.report.duplicatesFound).toBe(2);
    expect(split.report.trainTestOverlap).toBe(0);
    const inTest = split.test.texts!.filter((t) => t === 'a').length;
    expect([0, 3]).toContain(inTest);
  });

  it('rejects impossible specs with a DatasetError', () => {
    expect(() => splitDataset(iris, { seed: 1, test: 0 })).toThrow(DatasetError);
    expect(() => splitDataset(iris, { seed: 1, test: 1.5 })).toThrow(/test must be a fraction/);
    expect(() => splitDataset(iris, { seed: 1, test: 0.6, val: 0.4 })).toThrow(/leave rows for training/);
    expect(() => splitDataset(iris, { seed: 1, test: 0.2, limit: 0 })).toThrow(/limit/);
    expect(() => splitDataset(iris, { seed: 1, test: 0.2, limit: 2 })).toThrow(/split is empty/);
  });
});

describe('overlapReport', () => {
  it('counts rows of the second set found in the first', () => {
    const a = tiny(
      [
        [1, 2],
        [3, 4],
        [5, 6],
      ],
      [0, 1, 0],
    );
    const b = tiny(
      [
        [3, 4],
        [7, 8],
        [1, 2],
        [1, 2],
      ],
      [1, 1, 0, 0],
    );
    expect(overlapReport(a, b).overlap).toBe(3);
    expect(overlapReport(b, a).overlap).toBe(2);
  });

  it('refuses to compare rows of different shapes', () => {
    const a = tiny([[1, 2]], [0]);
    const b = tiny([[1, 2, 3]], [0]);
    expect(() => overlapReport(a, b)).toThrow(DatasetError);
  });
});

const PINNED_IRIS_TEST = 'b51dec8249745536f92013839e9785a0983966343efe883d4bd957d207732467';
