/**
 * The probes of month3/tabular on its own split of the Boston tracts: the
 * public table gives every tract's real price, so a column can be the price
 * itself (test/fixtures/submissions/adv22-tabular-census.ts). The probes run
 * on the columns the real rows already got: one refits the grader's ridge to
 * prices made up from the lesson's transforms, the other asks how much of
 * what the grader's own formulas leave of the real price the columns know.
 * Everything is deterministic (fixed split, fixed formulas, no noise), so the
 * bars are checked against the measured columns exactly.
 */
import { loadDataset, splitDataset, createRng, type LoadedDataset } from '../../../src/datasets';
import { loadCurriculum } from '../../../src/curriculum';
import { PROBES, probeScores, runFixedModel } from '../../../src/grader/fixed-model';
import type { ParentMessage, WireTensor } from '../../../src/grader/protocol';
import type { ChildSession } from '../../../src/grader/runner';
import { useTempCache } from '../datasets/helpers';

useTempCache();

const probe = PROBES.boston;
let parts: { train: LoadedDataset; test: LoadedDataset };
let names: string[];
beforeAll(async () => {
  const split = loadCurriculum().exercises.find((e) => e.key === 'month3/tabular')!.dataset!.split;
  const { train, test } = splitDataset(await loadDataset('boston'), split);
  parts = { train, test };
  names = train.featureNames!;
});

type Engineer = (row: number[]) => number[];
const rows = (ds: LoadedDataset): number[][] =>
  Array.from({ length: ds.n }, (_, r) => Array.from(ds.features.subarray(r * 13, (r + 1) * 13)));
const at = (row: number[], name: string): number => row[names.indexOf(name)];

/** A price table of every tract, as a copy of the public table beside train.ts gives it. */
function lookup(noise = 0, seed = 1): Engineer {
  const rng = createRng(seed);
  const gauss = (): number => Math.sqrt(-2 * Math.log(1 - rng())) * Math.cos(2 * Math.PI * rng());
  const table = new Map<string, number>();
  for (const ds of [parts.train, parts.test]) {
    rows(ds).forEach((row, i) => table.set(row.join(','), Math.log(ds.labels[i]) + noise * gauss()));
  }
  return (row) => [table.get(row.join(',')) ?? Math.log(22)];
}

const raw: Engineer = (row) => row;
const withRm2: Engineer = (row) => [...row, at(row, 'rm') ** 2];
const withLogLstat: Engineer = (row) => [...row, Math.log(at(row, 'lstat'))];
const reference: Engineer = (row) => {
  const logLstat = Math.log(at(row, 'lstat'));
  return [
    ...row,
    logLstat,
    Math.log(at(row, 'crim')),
    Math.log(at(row, 'dis')),
    at(row, 'rm') ** 2,
    at(row, 'rm') * logLstat,
  ];
};
const beside =
  (...fs: Engineer[]): Engineer =>
  (row) =>
    fs.flatMap((f) => f(row));

function scores(f: Engineer) {
  return probeScores(probe, parts, { train: rows(parts.train).map(f), test: rows(parts.test).map(f) }, 1);
}

test('the made-up prices are a fixed formula of each row, not the real prices, and raw columns cannot follow them', () => {
  const row = Float32Array.from(rows(parts.train)[0]);
  expect(probe.price(row, names)).toBe(probe.price(Float32Array.from(row), names));
  expect(probe.price(row, names)).toBeCloseTo(
    -0.2 * Math.log(at([...row], 'lstat')) + 0.12 * at([...row], 'rm') ** 2,
    9,
  );
  // The starter's columns miss the made-up prices; rm^2, which passes on the real prices by itself, follows
  // them; log(lstat), which does not, misses them too.
  expect(scores(raw).missed).toBeGreaterThan(probe.max * 2);
  expect(scores(withRm2).missed).toBeLessThan(probe.max * 0.8);
  expect(scores(withLogLstat).missed).toBeGreaterThan(probe.max * 1.4);
  expect(scores(reference).missed).toBeLessThan(probe.max * 0.3);
});

test('a looked-up price does not follow the made-up prices: the raw columns beside it still miss them', () => {
  expect(scores(beside(raw, lookup())).missed).toBeGreaterThan(probe.max * 2);
  // A lookup noisy enough to pass for a formula on the real prices is caught by the same probe, beside
  // log(lstat) too.
  for (const f of [beside(raw, lookup(0.8)), beside(withLogLstat, lookup(0.2))]) {
    const noisy = scores(f);
    expect(noisy.beyond).toBeLessThan(probe.residualMax);
    expect(noisy.missed).toBeGreaterThan(probe.max * 1.4);
  }
});

test("formulas barely reach what the grader's own formulas leave of the real price; a looked-up price does", () => {
  for (const f of [raw, withRm2, reference]) expect(scores(f).beyond).toBeLessThan(probe.residualMax / 50);
  // The grader's library itself, refitted to what it left, stays under the bar too.
  const library: Engineer = (row) => probe.library(Float32Array.from(row), names);
  expect(scores(library).beyond).toBeLessThan(probe.residualMax / 10);
  expect(scores(beside(raw, lookup())).beyond).toBeGreaterThan(probe.residualMax * 1.3);
  expect(scores(beside(reference, lookup())).beyond).toBeGreaterThan(probe.residualMax * 1.6);
  expect(scores(beside(reference, lookup(0.1))).beyond).toBeGreaterThan(probe.residualMax * 1.2);
});

/** A child whose engineer() applies `f` to each row it is sent. */
function fakeChild(f: Engineer): ChildSession {
  let pending: unknown;
  const session = {
    send(m: ParentMessage) {
      if (m.type === 'features') {
        const out = rows({ ...parts.train, n: m.x.shape[0], features: m.x.values as Float32Array }).map(f);
        const tensor: WireTensor = {
          values: Float32Array.from(out.flat()),
          shape: [out.length, out[0].length],
          dtype: 'float32',
        };
        pending = { type: 'features', tensor };
      } else if (m.type === 'explore') pending = { type: 'explored' };
    },
    async expect() {
      return pending;
    },
  };
  return session as unknown as ChildSession;
}

test('runFixedModel refuses a looked-up price beside any columns, and columns that miss the made-up prices, and passes the reference', async () => {
  const run = (f: Engineer) => runFixedModel(fakeChild(f), { kind: 'ridge', l2: 1 }, 'log', parts, () => undefined);
  await expect(run(beside(raw, lookup()))).rejects.toThrow(
    /^your columns know more about the held-out prices than formulas of a tract's own numbers do: .* predicts \d+(\.\d+)?% on the held-out tracts, more than 50% \(the reference 0.4%\)\. One of your columns carries the price itself/,
  );
  await expect(run(beside(reference, lookup()))).rejects.toThrow(/carries the price itself/);
  await expect(run(beside(raw, lookup(0.8)))).rejects.toThrow(
    /^your columns do not carry the curves this lesson is about: mlpath made up prices for the same tracts from a fixed formula \(-0.2 log\(lstat\) \+ 0.12 rm\^2\) and its fit on your columns misses them on the held-out tracts by 0.1\d+ of their spread, more than 0.055/,
  );
  // The starter's raw columns fail on the real prices alone, with the note that nothing was engineered.
  await expect(run(raw)).resolves.toMatchObject({ note: expect.stringMatching(/nothing engineered yet/) });
  const fitted = await run(reference);
  const prices = fitted.tensor.values as Float32Array;
  const rmse = Math.sqrt(prices.reduce((a, p, i) => a + (p - parts.test.labels[i]) ** 2, 0) / parts.test.n);
  expect(rmse).toBeCloseTo(4.193, 2);
});
