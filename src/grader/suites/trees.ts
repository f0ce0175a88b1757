/**
 * Suite of month2/trees: k-fold cross-validation written by hand, gradient
 * boosting of decision stumps written by hand, and a small hyperparameter
 * choice made on the folds, never on the test rows.
 *
 * The rows are Boston's 506 tracts (`boston`), the target "a median home of
 * $25k or more" (132 of 506). For each grading seed the grader holds out a
 * stratified quarter: the learner's process gets those rows' features only
 * (to predict), never their labels, so no choice can be made on them.
 *
 * What is checked, each by a property the grader computes itself:
 * - `stratifiedFolds(labels, k, seed)`: a fold id in 0..k-1 for every row,
 *   every class spread over the folds within one row, the same folds for
 *   the same seed and other folds for another seed;
 * - `boost(xTrain, yTrain, xPredict, params)`: probabilities in [0, 1]; with
 *   0 rounds every one is the training rate of class 1 (the model starts
 *   from the prior); the training log loss falls as rounds are added; on
 *   the held-out rows it beats the majority class and the grader's single
 *   stump;
 * - `crossValidate(x, y, folds, params)` on the grader's folds: every fold
 *   score recomputed here from the out-of-fold probabilities it returns,
 *   their mean and spread; the out-of-fold answers of fold 0 must not move
 *   when fold 0's labels are shuffled (they were never seen when fold 0 was
 *   predicted), and those of fold 1 must be `boost`'s own answers when
 *   trained without fold 1;
 * - `choose(x, y, folds, grid, xTest)`: the cross-validated mean accuracy of
 *   every setting of the grid (each must equal `crossValidate`'s), the best
 *   one chosen, and the held-out probabilities of `boost` refitted on every
 *   training row with that setting, scored here on the labels the learner
 *   never had.
 */
import { createRng, deriveSeed, loadDataset, shuffleInPlace } from '../../datasets';
import type { Suite, SuiteCase } from './types';

export interface BoostParams {
  rounds: number;
  learningRate: number;
}

export interface TreesData {
  x: number[][];
  y: number[];
}

const TOL = 1e-9;
export const K = 5;
/** The settings `choose` compares: the first is too short, the best is decided by the folds. */
export const GRID: BoostParams[] = [
  { rounds: 5, learningRate: 0.1 },
  { rounds: 40, learningRate: 0.3 },
  { rounds: 150, learningRate: 0.1 },
];
/**
 * The chosen model on the held-out rows (measured over seeds 1-8, see the curriculum entry): accuracy at least the
 * majority class's + 0.1, and log loss at most 0.97 times the grader's single stump's (its leaves' training rates).
 */
export const MIN_ACCURACY_GAIN = 0.1;
export const MAX_LOSS_VS_STUMP = 0.97;

// ---- the grader's reference ----------------------------------------------------------------------

/** Stratified folds: each class shuffled with the seed, dealt round-robin, continuing where the last class stopped. */
export function refFolds(labels: number[], k: number, seed: number): number[] {
  const rng = createRng(seed);
  const folds = new Array<number>(labels.length).fill(-1);
  let next = 0;
  for (const c of [...new Set(labels)].sort((a, b) => a - b)) {
    const rows = labels.flatMap((l, i) => (l === c ? [i] : []));
    shuffleInPlace(rows, rng);
    for (const i of rows) folds[i] = next++ % k;
  }
  return folds;
}

interface Stump {
  feature: number;
  threshold: number;
  left: number;
  right: number;
}

/** The least-squares stump: one feature, one threshold, a mean on each side. */
export function fitStump(x: number[][], r: number[]): Stump {
  const n = r.length;
  const total = r.reduce((s, v) => s + v, 0);
  let best: Stump = { feature: 0, threshold: Infinity, left: total / n, right: 0 };
  let bestGain = total ** 2 / n;
  for (let j = 0; j < x[0].length; j++) {
    const order = x.map((_, i) => i).sort((a, b) => x[a][j] - x[b][j]);
    let sumL = 0;
    for (let m = 0; m < n - 1; m++) {
      sumL += r[order[m]];
      const a = x[order[m]][j];
      const b = x[order[m + 1]][j];
      if (a === b) continue;
      const nL = m + 1;
      const gain = sumL ** 2 / nL + (total - sumL) ** 2 / (n - nL);
      if (gain > bestGain + 1e-12) {
        bestGain = gain;
        best = { feature: j, threshold: (a + b) / 2, left: sumL / nL, right: (total - sumL) / (n - nL) };
      }
    }
  }
  return best;
}

const stumpAt = (s: Stump, row: number[]): number => (row[s.feature] <= s.threshold ? s.left : s.right);
const sigmoid = (z: number): number => 1 / (1 + Math.exp(-z));

export function refBoost(xTrain: number[][], yTrain: number[], xPredict: number[][], p: BoostParams): number[] {
  const rate = yTrain.reduce((s, v) => s + v, 0) / yTrain.length;
  const f0 = Math.log(rate / (1 - rate));
  const f = yTrain.map(() => f0);
  const g = xPredict.map(() => f0);
  for (let t = 0; t < p.rounds; t++) {
    const s = fitStump(
      xTrain,
      yTrain.map((y, i) => y - sigmoid(f[i])),
    );
    xTrain.forEach((row, i) => (f[i] += p.learningRate * stumpAt(s, row)));
    xPredict.forEach((row, i) => (g[i] += p.learningRate * stumpAt(s, row)));
  }
  return g.map(sigmoid);
}

export function accuracy(probs: number[], y: number[]): number {
  return probs.filter((p, i) => (p >= 0.5 ? 1 : 0) === y[i]).length / y.length;
}

export function logLoss(probs: number[], y: number[]): number {
  const eps = 1e-15;
  return -probs.reduce((s, p, i) => s + Math.log(Math.min(1 - eps, Math.max(eps, y[i] ? p : 1 - p))), 0) / y.length;
}

// ---- the data ------------------------------------------------------------------------------------

export interface Task {
  train: TreesData;
  test: TreesData;
  folds: number[];
}

/** A stratified quarter held out (its labels stay here), the grader's folds of the rest. */
export function makeTask(data: TreesData, seed: number): Task {
  const split = refFolds(data.y, 4, deriveSeed(seed, 'trees:holdout'));
  const pick = (keep: (f: number) => boolean): TreesData => {
    const rows = split.flatMap((f, i) => (keep(f) ? [i] : []));
    return { x: rows.map((i) => data.x[i]), y: rows.map((i) => data.y[i]) };
  };
  const train = pick((f) => f !== 0);
  return { train, test: pick((f) => f === 0), folds: refFolds(train.y, K, deriveSeed(seed, 'trees:folds')) };
}

// ---- the probe: is boost a sum of stumps? ----------------------------------------------------------

/**
 * A score alone cannot tell boosted stumps from another model that scores as well (a logistic regression passed
 * some seeds), so the grader looks at the shape of the function `boost` returns, on rows it makes up, which hold
 * no label. A sum of stumps, whatever their thresholds between training values, is
 * - stepped at most once between two training values of a column, where its split may sit (wherever in the gap);
 * - stepped at no more places than it has stumps, one per round;
 * - additive: each stump reads one column, so a row's score is the base row's plus each column's own step.
 * Rows vary one column at a time from a training row (a "line" per column), and the held-out rows are shuffled
 * among them, so the answers scored on the held-out rows come from the very call whose shape is checked.
 */
export interface Probe {
  /** The rows `boost` predicts: the held-out rows and every line's, shuffled together. */
  rows: number[][];
  /** Where held-out row i sits in `rows`. */
  heldAt: number[];
  /** The row every line starts from (a training row). */
  base: number[];
  /**
   * Column j's line: its values in ascending order, and where each row sits in `rows`; `gaps` holds, for some
   * gaps between two training values, the indices in `values` of four points inside it.
   */
  lines: { values: number[]; at: number[]; gaps: number[][] }[];
}

/** Gaps per column whose inside is probed, spread evenly over the column's sorted training values. */
export const PROBED_GAPS = 40;
/** How far an answer may move and still count as the same: the same stumps summed give the same float. */
const STEP_TOL = 1e-12;
/** How far a held-out answer may be from the sum of its columns' steps (float32 sums included). */
const ADDITIVE_TOL = 1e-5;

export function makeProbe(train: number[][], held: number[][], seed: number): Probe {
  const base = train[0];
  const own: number[][] = [];
  const lines = base.map((_, j) => {
    const seen = [...new Set(train.map((r) => r[j]))].sort((a, b) => a - b);
    const inside: number[] = [];
    const quads: number[][] = [];
    const gaps = seen.length - 1;
    const step = Math.max(1, gaps / PROBED_GAPS);
    for (let g = 0; g < gaps; g += step) {
      const a = seen[Math.floor(g)];
      const d = seen[Math.floor(g) + 1] - a;
      // Four points inside the gap: a split can sit anywhere in it (at a with <=, at the midpoint, at b with <, at
      // a bin edge), so a sum of stumps steps at most once among them, where a smooth model steps at every one.
      const pts = [a + 0.1 * d, a + 0.4 * d, a + 0.6 * d, a + 0.9 * d];
      if (new Set(pts).size < 4 || pts.some((v) => v <= a || v >= a + d)) continue;
      inside.push(...pts);
      quads.push(pts);
    }
    const values = [...new Set([...seen, ...held.map((r) => r[j]), ...inside])].sort((a, b) => a - b);
    const index = new Map(values.map((v, i) => [v, i]));
    const at = values.map((v) => {
      const row = base.slice();
      row[j] = v;
      own.push(row);
      return own.length - 1;
    });
    return { values, at, gaps: quads.map((q) => q.map((v) => index.get(v)!)) };
  });
  // Shuffle the held-out rows in among the line rows, and renumber.
  const all = [...held, ...own];
  const order = all.map((_, i) => i);
  shuffleInPlace(order, createRng(seed));
  const where = new Array<number>(all.length);
  order.forEach((from, to) => (where[from] = to));
  return {
    rows: order.map((i) => all[i]),
    heldAt: held.map((_, i) => where[i]),
    base,
    lines: lines.map((l) => ({ ...l, at: l.at.map((i) => where[held.length + i]) })),
  };
}

const fmt = (v: number): string => String(Number(v.toPrecision(6)));
/** Two answers with as many digits as it takes to tell them apart (a linear model's step can be tiny). */
function fmtPair(u: number, v: number): [string, string] {
  for (let digits = 6; digits < 17; digits++) {
    const pair: [string, string] = [String(Number(u.toPrecision(digits))), String(Number(v.toPrecision(digits)))];
    if (pair[0] !== pair[1]) return pair;
  }
  return [String(u), String(v)];
}
const logit = (p: number): number => {
  const q = Math.min(1 - 1e-15, Math.max(1e-15, p));
  return Math.log(q / (1 - q));
};

/**
 * Why `p` (boost's answers for `probe.rows`) is not a sum of at most `rounds` stumps, in the learner's words, or
 * undefined when it is one as far as the probe can see.
 */
export function stumpProblem(p: number[], probe: Probe, rounds: number): string | undefined {
  const lineP = probe.lines.map((l) => l.at.map((i) => p[i]));
  for (let j = 0; j < probe.lines.length; j++)
    for (const gap of probe.lines[j].gaps) {
      const answers = gap.map((m) => lineP[j][m]);
      const moves = answers.filter((v, m) => m > 0 && Math.abs(v - answers[m - 1]) > STEP_TOL).length;
      if (moves > 1) {
        const [lo, hi] = [probe.lines[j].values[gap[0]], probe.lines[j].values[gap[3]]];
        const [su, sv] = fmtPair(answers[0], answers[3]);
        const [xu, xv] = fmtPair(lo, hi);
        return (
          `not a sum of stumps: along column ${j} your answer changes ${moves} times between ${xu} and ${xv} ` +
          `(${su} to ${sv}), with no training value between them; a stump splits a column once between two ` +
          `training values, so a sum of stumps steps at most once there. Each round, fit a stump to the residuals ` +
          `and add it, not a model that moves with every input (a linear one, say). (The other columns were kept ` +
          `at training row 0's values.)`
        );
      }
    }
  let steps = 0;
  lineP.forEach((line) => line.forEach((v, i) => (steps += i > 0 && Math.abs(v - line[i - 1]) > STEP_TOL ? 1 : 0)));
  if (steps > rounds)
    return (
      `not a sum of ${rounds} stumps: your answer steps at ${steps} places along the columns, more than ${rounds} ` +
      `rounds can make: each round adds one stump, one threshold on one column. (Each column was varied alone ` +
      `from training row 0.)`
    );
  const baseF = probe.lines.map((l, j) => logit(lineP[j][l.values.indexOf(probe.base[j])]));
  for (let i = 0; i < probe.heldAt.length; i++) {
    const row = probe.rows[probe.heldAt[i]];
    let f = baseF[0];
    probe.lines.forEach((l, j) => (f += logit(lineP[j][l.values.indexOf(row[j])]) - baseF[j]));
    const want = 1 / (1 + Math.exp(-f));
    const got = p[probe.heldAt[i]];
    if (!(Math.abs(got - want) <= ADDITIVE_TOL))
      return (
        `not a sum of stumps: held-out row ${i} gets ${fmt(got)}, but the sum of your model's steps along each ` +
        `column gives ${fmt(want)}. A stump reads one column, so a sum of stumps adds each column's step alone, ` +
        `with no effect of one column on another (a deeper tree or a model mixing columns has one). (Each column ` +
        `was varied alone from training row 0.)`
      );
  }
  return undefined;
}

// ---- checking ------------------------------------------------------------------------------------

const show = (v: unknown): string => JSON.stringify(v)?.slice(0, 100) ?? 'undefined';

function probsOf(value: unknown, n: number, what: string): number[] | string {
  if (!Array.isArray(value) || value.length !== n) return `${what}: expected ${n} probabilities, got ${show(value)}`;
  const bad = value.findIndex((p) => typeof p !== 'number' || !(p >= 0 && p <= 1));
  return bad >= 0 ? `${what}: entry ${bad} is ${show(value[bad])}, not a probability in [0, 1]` : (value as number[]);
}

function foldsOf(value: unknown, n: number, k: number): number[] | string {
  if (!Array.isArray(value) || value.length !== n) return `expected ${n} fold ids (one per row), got ${show(value)}`;
  const bad = value.findIndex((f) => !Number.isInteger(f) || (f as number) < 0 || (f as number) >= k);
  return bad >= 0 ? `row ${bad} has fold ${show(value[bad])}, not an integer in 0..${k - 1}` : (value as number[]);
}

const mean = (v: number[]): number => v.reduce((s, x) => s + x, 0) / v.length;
const std = (v: number[]): number => Math.sqrt(mean(v.map((x) => (x - mean(v)) ** 2)));
const sameProbs = (a: number[], b: number[]): boolean =>
  a.length === b.length && a.every((v, i) => Math.abs(v - b[i]) <= 1e-9);

function foldCases(labels: number[], seed: number): SuiteCase[] {
  const k = K;
  let first: number[] | undefined;
  const classes = [...new Set(labels)];
  return [
    {
      fn: 'stratifiedFolds',
      title: `${labels.length} real labels, k = ${k}: every row in one fold, each class spread evenly`,
      args: [labels, k, seed],
      verify(value) {
        const folds = foldsOf(value, labels.length, k);
        if (typeof folds === 'string') return folds;
        first = folds;
        for (const c of classes) {
          const counts = Array.from({ length: k }, (_, f) => folds.filter((g, i) => g === f && labels[i] === c).length);
          if (Math.max(...counts) - Math.min(...counts) > 1)
            return `class ${c} has ${show(counts)} rows in folds 0..${k - 1}: a stratified split puts the same number (within 1) in each`;
        }
        return undefined;
      },
    },
    {
      fn: 'stratifiedFolds',
      title: 'the same seed gives the same folds',
      args: [labels, k, seed],
      verify(value) {
        const folds = foldsOf(value, labels.length, k);
        if (typeof folds === 'string') return folds;
        return first && folds.every((f, i) => f === first![i])
          ? undefined
          : 'two calls with the same seed gave different folds: draw every random number from a generator seeded with `seed`';
      },
    },
    {
      fn: 'stratifiedFolds',
      title: 'another seed gives other folds',
      args: [labels, k, seed + 1],
      verify(value) {
        const folds = foldsOf(value, labels.length, k);
        if (typeof folds === 'string') return folds;
        return first && folds.some((f, i) => f !== first![i])
          ? undefined
          : 'seed + 1 gave the very same folds: shuffle each class with the seed before dealing it out';
      },
    },
  ];
}

function boostCases(t: Task, probeSeed: number): { cases: SuiteCase[]; full: Map<number, number[]> } {
  const { x, y } = t.train;
  const probe = makeProbe(x, t.test.x, probeSeed);
  const rate = mean(y);
  const losses: number[] = [];
  const full = new Map<number, number[]>();
  const cases: SuiteCase[] = [
    {
      fn: 'boost',
      title: '0 rounds: every probability is the training rate of class 1',
      args: [x, y, t.test.x, { rounds: 0, learningRate: 0.1 }],
      verify(value) {
        const p = probsOf(value, t.test.x.length, 'boost');
        if (typeof p === 'string') return p;
        const off = p.findIndex((v) => Math.abs(v - rate) > 1e-6);
        return off < 0
          ? undefined
          : `row ${off}: ${p[off]}; before any round the model is the prior, sigmoid(log(rate / (1 - rate))) = ${rate.toFixed(6)}`;
      },
    },
  ];
  for (const rounds of [5, 20, 80]) {
    cases.push({
      fn: 'boost',
      title: `${rounds} rounds: the training log loss falls as rounds are added`,
      args: [x, y, x, { rounds, learningRate: 0.3 }],
      verify(value) {
        const p = probsOf(value, x.length, 'boost');
        if (typeof p === 'string') return p;
        const loss = logLoss(p, y);
        const before = losses.at(-1);
        losses.push(loss);
        if (before === undefined)
          return loss <
            logLoss(
              y.map(() => rate),
              y,
            ) -
              0.01
            ? undefined
            : `training log loss ${loss.toFixed(4)} after ${rounds} rounds: no better than the prior's`;
        return loss < before - 1e-4
          ? undefined
          : `training log loss ${loss.toFixed(4)} after ${rounds} rounds, ${before.toFixed(4)} with fewer: each round fits a stump to the residuals y - p and adds it`;
      },
    });
  }
  GRID.forEach((params, g) =>
    cases.push({
      fn: 'boost',
      title: `trained on every training row with ${show(params)}: the held-out rows, and a sum of stumps' shape`,
      args: [x, y, probe.rows, params],
      verify(value) {
        const all = probsOf(value, probe.rows.length, 'boost');
        if (typeof all === 'string') return all;
        const p = probe.heldAt.map((i) => all[i]);
        full.set(g, p);
        const problem = stumpProblem(all, probe, params.rounds);
        if (problem) return problem;
        return p.some((v) => Math.abs(v - p[0]) > 1e-6)
          ? undefined
          : `every held-out row got ${p[0]} after ${params.rounds} rounds: the stumps added nothing`;
      },
    }),
  );
  return { cases, full };
}

function cvCases(t: Task, full: Map<number, number[]>): SuiteCase[] {
  const { x, y } = t.train;
  const folds = t.folds;
  const means = new Map<number, number>();
  let oofFirst: number[] | undefined;
  const rowsOf = (f: number): number[] => folds.flatMap((g, i) => (g === f ? [i] : []));
  // Fold 0's labels shuffled among themselves: an honest fold-0 prediction never saw them.
  const shuffled = y.slice();
  const zero = rowsOf(0);
  const perm = zero.slice();
  shuffleInPlace(perm, createRng(folds.length));
  zero.forEach((i, m) => (shuffled[i] = y[perm[m]]));
  const one = rowsOf(1);

  const checkCv = (value: unknown, labels: number[], g: number): string | undefined => {
    const v = value as Record<string, unknown> | null;
    if (!v || typeof v !== 'object') return `expected { foldScores, mean, std, oof }, got ${show(value)}`;
    const oof = probsOf(v.oof, x.length, 'oof');
    if (typeof oof === 'string') return oof;
    if (g === 0) oofFirst ??= oof;
    if (!Array.isArray(v.foldScores) || v.foldScores.length !== K)
      return `foldScores: expected ${K} numbers (one per fold), got ${show(v.foldScores)}`;
    const scores = Array.from({ length: K }, (_, f) => {
      const rows = rowsOf(f);
      return accuracy(
        rows.map((i) => oof[i]),
        rows.map((i) => labels[i]),
      );
    });
    for (let f = 0; f < K; f++)
      if (typeof v.foldScores[f] !== 'number' || Math.abs((v.foldScores[f] as number) - scores[f]) > TOL)
        return `foldScores[${f}] is ${show(v.foldScores[f])}, but your oof probabilities score ${scores[f].toFixed(6)} on fold ${f}'s rows (accuracy, p >= 0.5 as class 1)`;
    if (typeof v.mean !== 'number' || Math.abs(v.mean - mean(scores)) > TOL)
      return `mean is ${show(v.mean)}, the mean of the fold scores is ${mean(scores).toFixed(6)}`;
    if (typeof v.std !== 'number' || Math.abs(v.std - std(scores)) > TOL)
      return `std is ${show(v.std)}, the fold scores' standard deviation (dividing by k) is ${std(scores).toFixed(6)}`;
    if (labels === y) means.set(g, v.mean);
    return undefined;
  };

  const cases: SuiteCase[] = GRID.map((params, g) => ({
    fn: 'crossValidate',
    title: `${K}-fold cross-validation with ${show(params)}: fold scores, mean and spread from the out-of-fold answers`,
    args: [x, y, folds, params],
    verify: (value: unknown) => checkCv(value, y, g),
  }));
  cases.push(
    {
      fn: 'crossValidate',
      title: "fold 0's answers do not depend on fold 0's labels",
      args: [x, shuffled, folds, GRID[0]],
      verify(value) {
        const problem = checkCv(value, shuffled, -1);
        if (problem) return problem;
        const oof = (value as { oof: number[] }).oof;
        if (!oofFirst) return 'the first cross-validation case failed, so there is nothing to compare';
        return sameProbs(
          zero.map((i) => oof[i]),
          zero.map((i) => oofFirst![i]),
        )
          ? undefined
          : "shuffling fold 0's labels changed fold 0's out-of-fold answers: the model that predicted fold 0 was trained on fold 0 (train on the other folds only)";
      },
    },
    {
      fn: 'boost',
      title: "fold 1's out-of-fold answers are boost's, trained without fold 1",
      args: [
        folds.flatMap((f, i) => (f === 1 ? [] : [x[i]])),
        folds.flatMap((f, i) => (f === 1 ? [] : [y[i]])),
        one.map((i) => x[i]),
        GRID[0],
      ],
      verify(value) {
        const p = probsOf(value, one.length, 'boost');
        if (typeof p === 'string') return p;
        if (!oofFirst) return 'the first cross-validation case failed, so there is nothing to compare';
        return sameProbs(
          p,
          one.map((i) => oofFirst![i]),
        )
          ? undefined
          : "crossValidate's answers for fold 1 differ from boost trained on the other folds: crossValidate must call your boost (same settings, same rows)";
      },
    },
  );
  cases.push({
    fn: 'choose',
    title: `choose among ${GRID.length} settings by cross-validated accuracy, then predict the held-out rows`,
    args: [x, y, folds, GRID, t.test.x],
    verify(value) {
      const v = value as Record<string, unknown> | null;
      if (!v || typeof v !== 'object') return `expected { chosen, means, testProbs }, got ${show(value)}`;
      if (!Array.isArray(v.means) || v.means.length !== GRID.length)
        return `means: expected ${GRID.length} numbers (one per setting), got ${show(v.means)}`;
      for (let g = 0; g < GRID.length; g++) {
        const want = means.get(g);
        if (want === undefined) return `crossValidate failed with ${show(GRID[g])}, so its mean cannot be checked`;
        if (typeof v.means[g] !== 'number' || Math.abs((v.means[g] as number) - want) > TOL)
          return `means[${g}] is ${show(v.means[g])}; crossValidate on these folds with ${show(GRID[g])} gives ${want.toFixed(6)}: choose on the folds' scores, not on the training rows`;
      }
      const best = [...means.entries()].sort((a, b) => b[1] - a[1] || a[0] - b[0])[0][0];
      if (v.chosen !== best)
        return `chose ${show(v.chosen)}; setting ${best} has the highest cross-validated mean (${means.get(best)!.toFixed(4)}; the first of equal means wins)`;
      const p = probsOf(v.testProbs, t.test.x.length, 'testProbs');
      if (typeof p === 'string') return p;
      const refit = full.get(best);
      if (!refit) return `boost failed with ${show(GRID[best])} on every training row, so testProbs cannot be checked`;
      if (!sameProbs(p, refit))
        return `testProbs differ from boost(x, y, xTest, grid[${best}]): refit the chosen setting on every training row and predict xTest with it`;
      const bar = heldOutBar(t);
      const acc = accuracy(p, t.test.y);
      const loss = logLoss(p, t.test.y);
      if (acc < bar.accuracy)
        return `held-out accuracy ${acc.toFixed(3)}; the majority class gets ${bar.majority.toFixed(3)}, a pass needs ${bar.accuracy.toFixed(3)}`;
      return loss <= bar.logLoss
        ? undefined
        : `held-out log loss ${loss.toFixed(3)}; one stump gets ${bar.stump.toFixed(3)}, a pass needs ${bar.logLoss.toFixed(3)} or less`;
    },
  });
  return cases;
}

/** What the chosen model must reach on the held-out rows: accuracy past the majority class, log loss below one stump's. */
export function heldOutBar(t: Task): { accuracy: number; logLoss: number; majority: number; stump: number } {
  const majority = Math.max(mean(t.test.y), 1 - mean(t.test.y));
  const s = fitStump(t.train.x, t.train.y);
  const stump = logLoss(
    t.test.x.map((r) => Math.min(1, Math.max(0, stumpAt(s, r)))),
    t.test.y,
  );
  return { accuracy: majority + MIN_ACCURACY_GAIN, logLoss: stump * MAX_LOSS_VS_STUMP, majority, stump };
}

export function buildSuite(data: TreesData): Suite {
  return {
    id: 'trees',
    exports: ['stratifiedFolds', 'boost', 'crossValidate', 'choose'],
    cases(seed: number): SuiteCase[] {
      const t = makeTask(data, deriveSeed(seed, 'trees:task') % 1_000_000_007);
      const b = boostCases(t, deriveSeed(seed, 'trees:probe'));
      return [
        ...foldCases(t.train.y, deriveSeed(seed, 'trees:learner-folds') % 100_000),
        ...b.cases,
        ...cvCases(t, b.full),
      ];
    },
  };
}

let loading: Promise<Suite> | undefined;

/** Boston's tracts, "$25k or more" as class 1, loaded once per process. */
export function loadSuite(): Promise<Suite> {
  loading ??= loadDataset('boston').then((d) => {
    const w = d.featureShape[0];
    const x = Array.from({ length: d.n }, (_, i) => Array.from(d.features.subarray(i * w, (i + 1) * w)));
    return buildSuite({ x, y: Array.from(d.labels, (v) => (v >= 25 ? 1 : 0)) });
  });
  return loading;
}
