/**
 * The fixed model of month3/tabular, grader side: the target is chosen from a
 * menu the grader applies in both directions, the model is fitted here on the
 * columns the child's engineer() returns, and engineer() must give every row
 * the same columns whatever rows it is handed with, in whatever order. A fake
 * session stands in for the child: it answers each `features` request with a
 * function of the rows it was sent.
 */
import type { LoadedDataset } from '../../../src/datasets';
import { runFixedModel, TARGETS, TARGET_NAMES, targetOf } from '../../../src/grader/fixed-model';
import { InvalidOutputError } from '../../../src/grader/predictions';
import type { ParentMessage, WireTensor } from '../../../src/grader/protocol';
import type { ChildSession } from '../../../src/grader/runner';

function part(rows: number[][], labels: number[]): LoadedDataset {
  return {
    id: 't',
    n: rows.length,
    features: Float32Array.from(rows.flat()),
    featureShape: [rows[0].length],
    labels: Float32Array.from(labels),
    featureNames: ['a', 'b'],
    fingerprint: '',
  };
}

// y = exp(0.1 a + 0.2 b): a log target makes it exactly linear.
const rowsOf = (n: number, offset: number): number[][] =>
  Array.from({ length: n }, (_, i) => [((i + offset) * 7) % 11, ((i + offset) * 3) % 5]);
const priceOf = ([a, b]: number[]): number => Math.exp(0.1 * a + 0.2 * b);
const trainRows = rowsOf(40, 0);
const testRows = rowsOf(12, 100);
const parts = { train: part(trainRows, trainRows.map(priceOf)), test: part(testRows, testRows.map(priceOf)) };

/** A child whose engineer() is `columns(rows, call)`; records what it was sent. */
function fakeChild(columns: (rows: number[][], call: number) => number[][]): {
  session: ChildSession;
  sent: ParentMessage[];
} {
  const sent: ParentMessage[] = [];
  let pending: unknown;
  let calls = 0;
  const session = {
    send(m: ParentMessage) {
      sent.push(m);
      if (m.type === 'features') {
        const x = m.x;
        const width = x.shape[1];
        const rows = Array.from({ length: x.shape[0] }, (_, r) =>
          Array.from((x.values as Float32Array).subarray(r * width, (r + 1) * width)),
        );
        const out = columns(rows, calls++);
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
  return { session: session as unknown as ChildSession, sent };
}

test('the menu of targets: each transform is undone by its inverse, and anything else is refused with the menu', () => {
  for (const name of TARGET_NAMES) {
    for (const y of [0.5, 5, 50]) expect(TARGETS[name].inverse(TARGETS[name].forward(y))).toBeCloseTo(y, 9);
  }
  expect(targetOf('log')).toBe('log');
  expect(() => targetOf(undefined)).toThrow(
    /must name the target the model learns: add `export const target = 'log'` \(one of 'identity', 'log', 'log1p', 'sqrt'\)/,
  );
  expect(() => targetOf('exp')).toThrow(InvalidOutputError);
});

test('the model is fitted here: a row-wise engineer and a log target predict the held-out prices, with the prices sent only at the end', async () => {
  const { session, sent } = fakeChild((rows) => rows);
  const logged: Record<string, number>[] = [];
  const run = await runFixedModel(session, { kind: 'ridge', l2: 0 }, 'log', parts, (s) => logged.push(s));
  const prices = Array.from(run.tensor.values as Float32Array);
  testRows.forEach((row, i) => expect(prices[i]).toBeCloseTo(priceOf(row), 3));
  expect(run.note).toMatch(
    /^mlpath fitted ridge regression \(l2 = 0\) on the 2 columns engineer\(\) returned \(the raw columns as they are: nothing engineered yet\), target log\(price\), turned back with exp \(target = 'log'\)/,
  );
  expect(logged).toEqual([expect.objectContaining({ columns: 2, rows: 40 })]);
  // Every features request came before the prices, which come once, last.
  expect(sent.map((m) => m.type)).toEqual(['features', 'features', 'features', 'features', 'features', 'explore']);
  // The held-out rows went out with the training rows first (review 24: a call of the training rows alone told
  // engineer() which rows are scored), then in subsets and mixed with training rows.
  const sizes = sent.filter((m) => m.type === 'features').map((m) => (m as { x: WireTensor }).x.shape[0]);
  expect(sizes).toEqual([40 + 12, 20, 6, 6, 12 + 3]);
});

// The halves are the grader's random draw: a half whose mean happens to equal the whole's is caught on the held-out calls.
test('a column computed from the rows handed in (a mean) is refused, on the training rows or the held-out calls', async () => {
  const { session } = fakeChild((rows) => {
    const mean = rows.reduce((s, r) => s + r[0], 0) / rows.length;
    return rows.map((r) => [...r, r[0] - mean]);
  });
  await expect(runFixedModel(session, { kind: 'ridge', l2: 1 }, 'log', parts, () => undefined)).rejects.toThrow(
    /^engineer\(\) is not a fixed formula of each row: given (half of the training rows in another order, training|the held-out rows in random subsets and orders, mixed with training rows, held-out) row \d+ got/,
  );
});

test('an engineer that answers the held-out calls from what an earlier call saw is refused before any price is computed', async () => {
  // Fine on the training rows; on later calls a column counts the calls.
  const { session, sent } = fakeChild((rows, call) => rows.map((r) => [...r, call < 2 ? 0 : call]));
  await expect(runFixedModel(session, { kind: 'ridge', l2: 1 }, 'log', parts, () => undefined)).rejects.toThrow(
    /given the held-out rows in random subsets and orders, mixed with training rows, (held-out|training) row \d+ got \d in column 2 instead of \d/,
  );
  expect(sent.some((m) => m.type === 'explore')).toBe(false);
});

test("a price the target cannot take and columns that are not finite are the learner's errors", async () => {
  const zero = {
    ...parts,
    train: part(
      trainRows,
      trainRows.map(() => 0),
    ),
  };
  await expect(
    runFixedModel(fakeChild((rows) => rows).session, { kind: 'ridge', l2: 1 }, 'log', zero, () => undefined),
  ).rejects.toThrow(/target 'log' cannot take a price of 0/);
  await expect(
    runFixedModel(
      fakeChild((rows) => rows.map((r) => [Math.log(r[1])])).session,
      { kind: 'ridge', l2: 1 },
      'log',
      parts,
      () => undefined,
    ),
  ).rejects.toThrow(/gave -Infinity in column 0/);
});
