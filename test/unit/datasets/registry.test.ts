import { DatasetError } from '../../../src/errors';
import {
  datasetInfo,
  datasetOptions,
  listDatasets,
  loadDataset,
  checkDatasetOptions,
  splitDataset,
  type LoadedDataset,
} from '../../../src/datasets';
import { classCounts, hasNaN, range, useTempCache } from './helpers';

useTempCache();

function width(ds: LoadedDataset): number {
  return ds.featureShape.reduce((a, b) => a * b, 1);
}

/** Shape, label range and finiteness that every dataset must satisfy. */
function expectWellFormed(ds: LoadedDataset, id: string): void {
  const info = { ...datasetInfo(id) };
  // A dataset whose options pick a classification target (boston above-median) names its classes per load.
  if (!info.classNames && ds.classNames) info.classNames = ds.classNames;
  expect(ds.id).toBe(id);
  expect(ds.featureShape).toEqual(info.featureShape);
  expect(ds.features.length).toBe(ds.n * width(ds));
  expect(ds.labels.length).toBe(ds.n);
  expect(hasNaN(ds.features)).toBe(false);
  expect(hasNaN(ds.labels)).toBe(false);
  expect(ds.fingerprint).toMatch(/^[0-9a-f]{64}$/);
  if (info.classNames) {
    expect(ds.classNames).toEqual(info.classNames);
    const k = info.classNames.length;
    expect(ds.labels.every((label) => Number.isInteger(label) && label >= 0 && label < k)).toBe(true);
  }
  if (ds.featureNames && width(ds) > 0) expect(ds.featureNames).toHaveLength(width(ds));
}

describe('registry', () => {
  it('lists every dataset the issue names, each with source, license and size', () => {
    const ids = listDatasets().map((d) => d.id);
    expect(ids).toEqual(
      expect.arrayContaining([
        'mnist',
        'fashion-mnist',
        'iris',
        'spam',
        'boston',
        'cps-wages',
        'synthetic-linear',
        'synthetic-logistic',
        'drift-stream',
        'ratings',
      ]),
    );
    for (const info of listDatasets()) {
      expect(info.title).not.toBe('');
      expect(info.source).not.toBe('');
      expect(info.license).not.toBe('');
      expect(info.size).not.toBe('');
    }
  });

  it('rejects an unknown id with the list of valid ids', () => {
    expect(() => datasetInfo('mnsit')).toThrow(DatasetError);
    expect(() => datasetInfo('mnsit')).toThrow(/valid ids: mnist, fashion-mnist/);
    return expect(loadDataset('nope')).rejects.toThrow(DatasetError);
  });

  it('rejects unknown and ill-typed options, naming them', () => {
    expect(() => checkDatasetOptions('synthetic-linear', { noize: 0.1 })).toThrow(
      /no option 'noize' \(valid options: n, d, noise, seed\)/,
    );
    expect(() => checkDatasetOptions('synthetic-linear', { n: 2.5 })).toThrow(/option 'n' must be an integer/);
    expect(() => checkDatasetOptions('drift-stream', { kind: 'sideways' })).toThrow(
      /one of none, sudden, gradual, prior/,
    );
    expect(() => checkDatasetOptions('iris', { n: 3 })).toThrow(/takes no options/);
    expect(() => checkDatasetOptions('synthetic-linear', { n: 50, noise: 0 })).not.toThrow();
  });

  it('documents options with resolved defaults', () => {
    const n = datasetOptions('synthetic-linear').find((o) => o.name === 'n');
    expect(n).toMatchObject({ type: 'int', default: 200 });
  });
});

describe('real datasets', () => {
  it('mnist: 10,000 digits of 784 pixels in 0..1, every digit 8-12%', async () => {
    const ds = await loadDataset('mnist');
    expectWellFormed(ds, 'mnist');
    expect(ds.n).toBe(10000);
    expect(range(ds.features)).toEqual([0, 1]);
    const counts = classCounts(ds);
    expect(counts.size).toBe(10);
    const shares = [...counts.values()].map((c) => c / ds.n);
    expect(Math.min(...shares)).toBeGreaterThan(0.08);
    expect(Math.max(...shares)).toBeLessThan(0.13);
    expect(datasetInfo('mnist').cached).toBe(true);
  });

  it('iris: 150 flowers, 4 named features, 50 per species', async () => {
    const ds = await loadDataset('iris');
    expectWellFormed(ds, 'iris');
    expect(ds.n).toBe(150);
    expect(ds.featureNames).toEqual(['sepal_length_cm', 'sepal_width_cm', 'petal_length_cm', 'petal_width_cm']);
    expect([...classCounts(ds).values()]).toEqual([50, 50, 50]);
    expect(Array.from(ds.features.subarray(0, 4))).toEqual([5.1, 3.5, 1.4, 0.2].map(Math.fround));
  });

  it('spam: 6,046 raw e-mails, labels spam=1, no features', async () => {
    const ds = await loadDataset('spam');
    expectWellFormed(ds, 'spam');
    expect(ds.n).toBe(6046);
    expect(ds.features).toHaveLength(0);
    expect(ds.texts).toHaveLength(6046);
    expect(ds.texts!.every((t) => typeof t === 'string' && t.length > 0)).toBe(true);
    const counts = classCounts(ds);
    expect(counts.get(1)).toBe(1896);
    expect(counts.get(0)).toBe(4150);
    expect(ds.texts![ds.labels.indexOf(1)]).toMatch(/^From /);
  });

  it('boston: 506 tracts, 13 named features, medv target', async () => {
    const ds = await loadDataset('boston');
    expectWellFormed(ds, 'boston');
    expect(ds.n).toBe(506);
    expect(ds.featureNames).toHaveLength(13);
    expect(ds.labels[0]).toBe(24);
    expect(Math.min(...ds.labels)).toBeGreaterThanOrEqual(5);
    expect(Math.max(...ds.labels)).toBeLessThanOrEqual(50);
    expect(ds.classNames).toBeUndefined();
    expect(await loadDataset('boston', { target: 'price' })).toMatchObject({ fingerprint: ds.fingerprint });
  });

  it('boston above-median: the same rows, labelled 1 exactly when medv is above the median of all tracts', async () => {
    const prices = await loadDataset('boston');
    const ds = await loadDataset('boston', { target: 'above-median' });
    expectWellFormed(ds, 'boston');
    expect(ds.n).toBe(prices.n);
    expect(ds.features).toEqual(prices.features);
    expect(ds.featureNames).toEqual(prices.featureNames);
    expect(ds.classNames).toHaveLength(2);
    expect(ds.fingerprint).not.toBe(prices.fingerprint);
    expect((await loadDataset('boston', { target: 'above-median' })).fingerprint).toBe(ds.fingerprint);

    const sorted = Array.from(prices.labels).sort((a, b) => a - b);
    const median = (sorted[(sorted.length >> 1) - 1] + sorted[sorted.length >> 1]) / 2;
    expect(ds.meta?.medianMedv).toBeCloseTo(median, 5);
    for (let i = 0; i < ds.n; i++) expect(ds.labels[i]).toBe(prices.labels[i] > median ? 1 : 0);
    const ones = classCounts(ds).get(1)!;
    const atMedian = sorted.filter((v) => v === median).length;
    expect(ones).toBeLessThanOrEqual(ds.n / 2);
    expect(ones).toBeGreaterThanOrEqual(ds.n / 2 - atMedian);
  });

  it('boston above-median splits stratified by default: each class keeps its share within one row', async () => {
    const ds = await loadDataset('boston', { target: 'above-median' });
    const { test } = splitDataset(ds, { seed: 20240602, test: 0.25 });
    const all = classCounts(ds);
    const held = classCounts(test);
    for (const [label, count] of all) expect(Math.abs(held.get(label)! - count * 0.25)).toBeLessThanOrEqual(1);
  });

  it('boston documents its target option and rejects unknown targets', () => {
    expect(datasetOptions('boston')).toEqual([
      expect.objectContaining({ name: 'target', type: 'enum', default: 'price', values: ['price', 'above-median'] }),
    ]);
    expect(() => checkDatasetOptions('boston', { target: 'expensive' })).toThrow(
      /option 'target' must be one of price, above-median/,
    );
    expect(() => checkDatasetOptions('boston', { target: 'above-median' })).not.toThrow();
  });

  it('cps-wages: 534 workers, dummy-coded features, wage in dollars, union recoded', async () => {
    const ds = await loadDataset('cps-wages');
    expectWellFormed(ds, 'cps-wages');
    expect(ds.n).toBe(534);
    const union = ds.featureNames!.indexOf('union_member');
    let members = 0;
    for (let i = 0; i < ds.n; i++) members += ds.features[i * 16 + union];
    expect(members).toBe(96);
    const female = ds.featureNames!.indexOf('female');
    const values = new Set<number>();
    for (let i = 0; i < ds.n; i++) values.add(ds.features[i * 16 + female]);
    expect([...values].sort()).toEqual([0, 1]);
    expect(Math.min(...ds.labels)).toBeGreaterThanOrEqual(1);
  });
});

describe('synthetic datasets', () => {
  it.each(['synthetic-linear', 'synthetic-logistic', 'drift-stream', 'ratings'])(
    '%s loads well-formed and is identical for the same seed',
    async (id) => {
      const a = await loadDataset(id, { seed: 5 });
      const b = await loadDataset(id, { seed: 5 });
      const c = await loadDataset(id, { seed: 6 });
      expectWellFormed(a, id);
      expect(a.fingerprint).toBe(b.fingerprint);
      expect(c.fingerprint).not.toBe(a.fingerprint);
      expect(datasetInfo(id).synthetic).toBe(true);
    },
  );

  it('honours size options', async () => {
    const ds = await loadDataset('synthetic-linear', { n: 40, d: 7 });
    expect(ds.n).toBe(40);
    expect(ds.featureShape).toEqual([7]);
    expect((ds.meta?.coefficients as number[]).length).toBe(7);
  });
});
