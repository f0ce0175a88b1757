/**
 * Suite of month4/search: a budgeted hyperparameter search. Each case is one
 * seeded tuning problem on real data: a small network (7x7 pooled MNIST
 * digits, one hidden ReLU layer, softmax, minibatch SGD with L2 weight decay)
 * and a space of 27 configurations (learning rate x hidden width x weight
 * decay). The grader trains every configuration here, in plain JavaScript,
 * for MAX_UNITS epochs and records its accuracy on the problem's training
 * rows and validation rows after each epoch; training is deterministic, so
 * the row of epoch u is what training for u epochs from scratch gives. The
 * learner's `search(space, evaluate, opts)` gets an `evaluate(index, units)`
 * that "trains configuration `index` for `units` epochs" and returns that
 * row; it costs `units`, and the child refuses a call past the budget
 * (kinds/functions/child.ts keeps the count where learner code cannot reach
 * it, and reports every call). Training all 27 fully costs 27 x 27 = 729
 * epochs; the budget is 160.
 *
 * A case passes when the spend the grader counts is within the budget, the
 * chosen configuration was evaluated, it is the best on validation among the
 * configurations evaluated with the most epochs, and its accuracy on the
 * problem's test rows (which never reach the child) after full training is
 * within TOLERANCE of the best test accuracy any configuration reaches. The
 * problems differ in their digits, their training-set size and their
 * initialisation, so the best configuration differs too.
 */
import { loadDataset } from '../../datasets';
import { PIXEL } from '../../datasets/pixels';
import { createRng, deriveSeed, exp, gaussian, oneWaySeed, shuffleInPlace, type Rng } from '../../datasets/rng';
import { GradingError } from '../../errors';
import type { CaseOutcome, Suite, SuiteCase, SuiteFixture } from './types';

export const PROBLEMS = 10;
export const MAX_UNITS = 27;
export const BUDGET = 160;
/** How far below the best configuration's test accuracy at full training the chosen one may be. */
export const TOLERANCE = 0.02;

export interface Config {
  learningRate: number;
  width: number;
  weightDecay: number;
}

export interface Problem {
  space: Config[];
  /** table[i][u - 1] = [train, validation] accuracy of configuration i after u epochs. */
  table: [number, number][][];
  /** The accuracy of each configuration on the problem's test rows after MAX_UNITS epochs. */
  truth: number[];
  best: number;
}

export interface Evaluation {
  index: number;
  units: number;
}

const LEARNING_RATES = [0.03, 0.3, 3];
const WIDTHS = [2, 6, 18];
const DECAYS = [0, 0.003, 0.03];
const TRAIN_SIZES = [50, 100, 150];
/** Fractions of training labels replaced by another digit: the noise a big unregularised network memorises. */
const LABEL_NOISE = [0, 0.15, 0.3];
const VAL_ROWS = 400;
const BATCH = 10;
const SIDE = 4;
const INPUTS = SIDE * SIDE;

const round = (v: number): number => Number(v.toFixed(4));

/** The digits as the problems use them: 4x4 means of 7x7 pixel blocks, each standardised. */
export interface Digits {
  n: number;
  x: Float64Array;
  y: Int32Array;
}

let digitsCache: Promise<Digits> | undefined;

/** MNIST's digits pooled to 4x4 (loaded once per process). */
export function loadDigits(): Promise<Digits> {
  digitsCache ??= loadDataset('mnist').then((ds) => {
    // The pixel bytes while the dataset holds them, read as the floats they stand for: no float copy of all 10,000.
    const { pixels } = ds;
    const features = pixels ? undefined : ds.features;
    const x = new Float64Array(ds.n * INPUTS);
    for (let r = 0; r < ds.n; r++)
      for (let i = 0; i < 28; i++)
        for (let j = 0; j < 28; j++) {
          const k = r * 784 + i * 28 + j;
          x[r * INPUTS + Math.floor(i / 7) * SIDE + Math.floor(j / 7)] +=
            (pixels ? PIXEL[pixels[k]] : features![k]) / 49;
        }
    // Each input centred and scaled to unit variance over the whole set, as one would before SGD.
    for (let i = 0; i < INPUTS; i++) {
      let mean = 0;
      for (let r = 0; r < ds.n; r++) mean += x[r * INPUTS + i] / ds.n;
      let variance = 0;
      for (let r = 0; r < ds.n; r++) variance += (x[r * INPUTS + i] - mean) ** 2 / ds.n;
      const sd = Math.sqrt(variance) || 1;
      for (let r = 0; r < ds.n; r++) x[r * INPUTS + i] = (x[r * INPUTS + i] - mean) / sd;
    }
    return { n: ds.n, x, y: Int32Array.from(ds.labels) };
  });
  return digitsCache;
}

interface Rows {
  x: Float64Array;
  y: Int32Array;
  n: number;
}

function rowsOf(d: Digits, idx: number[], classes: number[]): Rows {
  const x = new Float64Array(idx.length * INPUTS);
  const y = new Int32Array(idx.length);
  idx.forEach((r, k) => {
    x.set(d.x.subarray(r * INPUTS, (r + 1) * INPUTS), k * INPUTS);
    y[k] = classes.indexOf(d.y[r]);
  });
  return { x, y, n: idx.length };
}

/** A one-hidden-layer network, trained epoch by epoch with minibatch SGD and L2 weight decay. */
class Net {
  readonly w1: Float64Array;
  readonly b1: Float64Array;
  readonly w2: Float64Array;
  readonly b2: Float64Array;
  private readonly h: Float64Array;
  private readonly p: Float64Array;

  constructor(
    readonly width: number,
    readonly classes: number,
    rng: Rng,
  ) {
    this.w1 = Float64Array.from({ length: INPUTS * width }, () => gaussian(rng) * Math.sqrt(2 / INPUTS));
    this.b1 = new Float64Array(width);
    this.w2 = Float64Array.from({ length: width * classes }, () => gaussian(rng) * Math.sqrt(1 / width));
    this.b2 = new Float64Array(classes);
    this.h = new Float64Array(width);
    this.p = new Float64Array(classes);
  }

  /**
   * Row r's logits into p and its hidden layer into h; returns the predicted class (the first largest logit).
   * Each unit's sum runs bias first, then its inputs in order, as a row of the weights is read contiguously.
   */
  private logits(x: Float64Array, r: number): number {
    const { width, classes, h, p, w1, w2 } = this;
    h.set(this.b1);
    const at = r * INPUTS;
    for (let i = 0; i < INPUTS; i++) {
      const xi = x[at + i];
      const row = i * width;
      for (let j = 0; j < width; j++) h[j] += xi * w1[row + j];
    }
    for (let j = 0; j < width; j++) if (!(h[j] > 0)) h[j] = 0;
    p.set(this.b2);
    for (let j = 0; j < width; j++) {
      const hj = h[j];
      const row = j * classes;
      for (let c = 0; c < classes; c++) p[c] += hj * w2[row + c];
    }
    let max = -Infinity;
    let arg = 0;
    for (let c = 0; c < classes; c++) {
      if (p[c] > max) {
        max = p[c];
        arg = c;
      }
    }
    return arg;
  }

  /** Forward pass of row r: fills h and p (softmax), returns the predicted class. */
  private forward(x: Float64Array, r: number): number {
    const { classes, p } = this;
    const arg = this.logits(x, r);
    const max = p[arg];
    let sum = 0;
    for (let c = 0; c < classes; c++) sum += p[c] = exp(Math.max(-60, p[c] - max));
    for (let c = 0; c < classes; c++) p[c] /= sum;
    return arg;
  }

  /** The share of rows classified right: the class is the largest logit, so no softmax is needed here. */
  accuracy(rows: Rows): number {
    let right = 0;
    for (let r = 0; r < rows.n; r++) if (this.logits(rows.x, r) === rows.y[r]) right++;
    return right / rows.n;
  }

  epoch(rows: Rows, order: number[], lr: number, decay: number): void {
    const { width, classes, h, p } = this;
    const g1 = new Float64Array(this.w1.length);
    const gb1 = new Float64Array(width);
    const g2 = new Float64Array(this.w2.length);
    const gb2 = new Float64Array(classes);
    const dh = new Float64Array(width);
    const d = new Float64Array(classes);
    const { w2 } = this;
    for (let start = 0; start < order.length; start += BATCH) {
      const batch = order.slice(start, start + BATCH);
      g1.fill(0);
      gb1.fill(0);
      g2.fill(0);
      gb2.fill(0);
      for (const r of batch) {
        this.forward(rows.x, r);
        // The same sums in the same order as unit by unit, with the weights read row by row.
        for (let c = 0; c < classes; c++) {
          d[c] = p[c] - (rows.y[r] === c ? 1 : 0);
          gb2[c] += d[c];
        }
        for (let j = 0; j < width; j++) {
          const hj = h[j];
          const row = j * classes;
          let back = 0;
          for (let c = 0; c < classes; c++) {
            g2[row + c] += d[c] * hj;
            back += d[c] * w2[row + c];
          }
          dh[j] = back;
          if (!(hj <= 0)) gb1[j] += back;
        }
        const at = r * INPUTS;
        for (let i = 0; i < INPUTS; i++) {
          const xi = rows.x[at + i];
          const row = i * width;
          for (let j = 0; j < width; j++) if (!(h[j] <= 0)) g1[row + j] += dh[j] * xi;
        }
      }
      const step = lr / batch.length;
      for (let k = 0; k < this.w1.length; k++) this.w1[k] -= step * g1[k] + lr * decay * this.w1[k];
      for (let k = 0; k < this.w2.length; k++) this.w2[k] -= step * g2[k] + lr * decay * this.w2[k];
      for (let k = 0; k < width; k++) this.b1[k] -= step * gb1[k];
      for (let k = 0; k < classes; k++) this.b2[k] -= step * gb2[k];
    }
  }
}

/**
 * Builds one tuning problem: which digits, how many training rows, which
 * rows for validation and test, the order of the space; then trains every
 * configuration for MAX_UNITS epochs and records its learning curves.
 */
export function makeProblem(seed: number, digits: Digits): Problem {
  const known = problems.get(digits)?.get(seed);
  if (known) return known;
  const problem = trainProblem(seed, digits);
  if (!problems.has(digits)) problems.set(digits, new Map());
  problems.get(digits)!.set(seed, problem);
  return problem;
}

/** Problems already trained, by seed: training one takes a while, and a check or a test may ask twice. */
const problems = new WeakMap<Digits, Map<number, Problem>>();

function trainProblem(seed: number, digits: Digits): Problem {
  const rng: Rng = createRng(seed);
  const space: Config[] = [];
  for (const learningRate of LEARNING_RATES)
    for (const width of WIDTHS) for (const weightDecay of DECAYS) space.push({ learningRate, width, weightDecay });
  shuffleInPlace(space, rng);
  const allDigits = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9];
  shuffleInPlace(allDigits, rng);
  const classes = allDigits.slice(0, 4 + Math.floor(rng() * 7)).sort();
  const nTrain = TRAIN_SIZES[Math.floor(rng() * TRAIN_SIZES.length)];
  const pool: number[] = [];
  for (let r = 0; r < digits.n; r++) if (classes.includes(digits.y[r])) pool.push(r);
  shuffleInPlace(pool, rng);
  const train = rowsOf(digits, pool.slice(0, nTrain), classes);
  const noise = LABEL_NOISE[Math.floor(rng() * LABEL_NOISE.length)];
  for (let r = 0; r < train.n; r++)
    if (rng() < noise) train.y[r] = (train.y[r] + 1 + Math.floor(rng() * (classes.length - 1))) % classes.length;
  const val = rowsOf(digits, pool.slice(nTrain, nTrain + VAL_ROWS), classes);
  const initSeed = deriveSeed(seed, 'init');
  const truth: number[] = [];
  const table = space.map((c, k) => {
    const net = new Net(c.width, classes.length, createRng(deriveSeed(initSeed, String(c.width))));
    const order = createRng(deriveSeed(seed, `order:${k}`));
    const rows: [number, number][] = [];
    const idx = Array.from({ length: train.n }, (_, i) => i);
    for (let u = 1; u <= MAX_UNITS; u++) {
      shuffleInPlace(idx, order);
      net.epoch(train, idx, c.learningRate, c.weightDecay);
      rows.push([round(net.accuracy(train)), round(net.accuracy(val))]);
    }
    truth.push(rows[MAX_UNITS - 1][1]);
    return rows;
  });
  const best = truth.indexOf(Math.max(...truth));
  return { space, table, truth, best };
}

function describeValue(value: unknown): string {
  if (value === undefined || value === null) return `returned ${String(value)}`;
  return `returned ${typeof value === 'object' ? 'an object' : `${typeof value} ${JSON.stringify(value)}`}`.slice(
    0,
    60,
  );
}

/** What is wrong with one search; undefined when it passes. */
export function searchProblem(problem: Problem, returned: unknown, evaluations: Evaluation[]): string | undefined {
  const spent = evaluations.reduce((s, e) => s + e.units, 0);
  if (spent > BUDGET) return `spent ${spent} epochs, over the budget of ${BUDGET}`;
  const n = problem.space.length;
  if (typeof returned !== 'number' || !Number.isInteger(returned) || returned < 0 || returned >= n)
    return `${describeValue(returned)}; return the index (0 to ${n - 1}) of the configuration you choose`;
  if (!evaluations.some((e) => e.index === returned))
    return `chose configuration ${returned}, which it never evaluated: choose among the configurations you measured`;
  const top = Math.max(...evaluations.map((e) => e.units));
  const finalists = [...new Set(evaluations.filter((e) => e.units === top).map((e) => e.index))];
  const val = (i: number): number => problem.table[i][top - 1][1];
  const train = (i: number): number => problem.table[i][top - 1][0];
  const bestSeen = finalists.reduce((a, b) => (val(b) > val(a) ? b : a));
  if (finalists.includes(returned) && val(returned) < val(bestSeen)) {
    const byTrain = finalists.reduce((a, b) => (train(b) > train(a) ? b : a));
    const why = returned === byTrain ? ': it has the best training accuracy, which rewards overfitting' : '';
    return `chose configuration ${returned} (validation ${val(returned)} at ${top} epochs) over ${bestSeen} (validation ${val(bestSeen)} at ${top} epochs)${why}; choose on validation`;
  }
  if (!finalists.includes(returned))
    return `chose configuration ${returned}, not one of those trained the longest (${top} epochs: ${finalists.join(', ')}); compare the finalists on validation after their longest training`;
  const regret = problem.truth[problem.best] - problem.truth[returned];
  if (regret > TOLERANCE) {
    return `chose configuration ${returned}, validation accuracy ${problem.truth[returned]} after ${MAX_UNITS} epochs; the best configuration has ${regret.toFixed(4)} more (tolerance ${TOLERANCE}); spent ${spent} of ${BUDGET} epochs on ${new Set(evaluations.map((e) => e.index)).size} configurations`;
  }
  return undefined;
}

/**
 * The problem as graded code sees it: the same configurations and curves, listed in an order drawn from a
 * one-way seed. trainProblem's own order is a shuffle drawn from the problem seed, which graded code could
 * search out (adv22-search-rebuild.ts found it among the ~43,000 seeds with the remainder it was handed as
 * opts.seed) and then rebuild the whole table from the public trainProblem and MNIST's public digits.
 */
export function learnerView(problem: Problem, problemSeed: number): Problem {
  const order = Array.from({ length: problem.space.length }, (_, i) => i);
  shuffleInPlace(order, createRng(oneWaySeed(problemSeed, 'search:order')));
  return {
    space: order.map((i) => problem.space[i]),
    table: order.map((i) => problem.table[i]),
    truth: order.map((i) => problem.truth[i]),
    best: order.indexOf(problem.best),
  };
}

/** The learner's value and the child's log of evaluations, as kinds/functions/child.ts wraps them. */
export function unwrap(value: unknown): { returned: unknown; evaluations: Evaluation[] } | string {
  if (!value || typeof value !== 'object' || !Array.isArray((value as { evaluations?: unknown }).evaluations))
    return 'the grader could not read which evaluations were made';
  const v = value as { returned: unknown; evaluations: Evaluation[] };
  return { returned: v.returned, evaluations: v.evaluations };
}

export const suite: Suite = {
  id: 'search',
  exports: ['search'],
  async prepare(): Promise<SuiteFixture> {
    return { readRoots: [], data: await loadDigits(), cleanup: () => undefined };
  },
  cases(seed: number, fixture?: SuiteFixture): SuiteCase[] {
    if (!fixture) throw new GradingError('the search suite trains on MNIST digits: call prepare() first');
    const digits = fixture.data as Digits;
    return Array.from({ length: PROBLEMS }, (_, k) => {
      const problemSeed = deriveSeed(seed, `suite:search:${k}`);
      const problem = learnerView(makeProblem(problemSeed, digits), problemSeed);
      return {
        fn: 'search',
        title: `tuning problem ${k + 1} of ${PROBLEMS}: ${problem.space.length} configurations, up to ${MAX_UNITS} epochs each, budget ${BUDGET}`,
        args: [
          problem.space,
          { searchObjective: { table: problem.table, budget: BUDGET } },
          { budget: BUDGET, maxUnits: MAX_UNITS, seed: oneWaySeed(problemSeed, 'search:learner') % 100000 },
        ],
        verify: (value) => {
          const got = unwrap(value);
          if (typeof got === 'string') return got;
          return searchProblem(problem, got.returned, got.evaluations);
        },
        tag: { best: problem.best },
      };
    });
  },
  describe(outcomes: CaseOutcome[]): string {
    const spent = outcomes.map((o) => {
      const got = unwrap(o.value);
      return typeof got === 'string' ? '-' : String(got.evaluations.reduce((s, e) => s + e.units, 0));
    });
    return `epochs spent per problem: ${spent.join(', ')} (budget ${BUDGET})`;
  },
};
