/**
 * Suite of month2/error-analysis: read a classifier's mistakes, not only its
 * accuracy.
 *
 * The learner writes five functions over predictions the grader hands in:
 * a confusion matrix, per-class precision and recall, the most-confused pairs
 * of classes, the examples with the highest loss and the most confident
 * mistakes. Every expected answer is computed here, in plain JavaScript, and
 * compared field by field; nothing the learner reports is trusted.
 *
 * Two kinds of input, both drawn from the grading seed:
 * - real: 500 Fashion-MNIST images (50 per class, drawn at random) scored by
 *   a nearest-centroid classifier the grader fits here on 2,000 others, its
 *   probabilities a softmax of minus the squared distances. Its mistakes are
 *   the real ones (shirts taken for T-shirts, coats for pullovers), and
 *   class 6 (shirt) has the lowest recall;
 * - seeded small tables built for the edge cases: a class that never occurs
 *   and is never predicted (the matrix keeps its row and column: its shape
 *   comes from `numClasses`, not from the labels seen), a class predicted but
 *   never right, equal counts and equal losses (ties broken by the documented
 *   order), asymmetric confusions (a transposed matrix ranks the wrong pair),
 *   a table without a single mistake.
 */
import { createRng, deriveSeed, loadDataset, shuffleInPlace, type Rng } from '../../datasets';
import { pixelsToFloat } from '../../datasets/pixels';
import { FASHION_CLASS_NAMES } from '../../datasets/loaders/fashion-mnist';
import { randomInt } from '../../datasets/rng';
import type { CaseOutcome, Suite, SuiteCase } from './types';

/** Probabilities are clipped here before the log, so a zero probability gives a finite loss. */
export const EPS = 1e-15;
const TOL = 1e-9;

export interface ClassStats {
  precision: number | null;
  recall: number | null;
  support: number;
  predicted: number;
}
export interface Pair {
  actual: number;
  predicted: number;
  count: number;
}
export interface Example {
  index: number;
  actual: number;
  predicted: number;
  confidence: number;
  loss: number;
}

// ---- the grader's reference ----------------------------------------------------------------------

export function refMatrix(actual: number[], predicted: number[], numClasses: number): number[][] {
  const m = Array.from({ length: numClasses }, () => new Array<number>(numClasses).fill(0));
  actual.forEach((a, i) => m[a][predicted[i]]++);
  return m;
}

export function refPerClass(m: number[][]): ClassStats[] {
  return m.map((row, c) => {
    const support = row.reduce((s, v) => s + v, 0);
    const predicted = m.reduce((s, r) => s + r[c], 0);
    return {
      precision: predicted ? m[c][c] / predicted : null,
      recall: support ? m[c][c] / support : null,
      support,
      predicted,
    };
  });
}

export function refPairs(m: number[][], k: number): Pair[] {
  const cells: Pair[] = [];
  m.forEach((row, a) =>
    row.forEach((count, p) => a !== p && count > 0 && cells.push({ actual: a, predicted: p, count })),
  );
  cells.sort((x, y) => y.count - x.count || x.actual - y.actual || x.predicted - y.predicted);
  return cells.slice(0, k);
}

const argmax = (p: number[]): number => p.reduce((best, v, j) => (v > p[best] ? j : best), 0);

function examples(probs: number[][], actual: number[]): Example[] {
  return probs.map((p, index) => {
    const predicted = argmax(p);
    return {
      index,
      actual: actual[index],
      predicted,
      confidence: p[predicted],
      loss: -Math.log(Math.max(p[actual[index]], EPS)),
    };
  });
}

export function refWorst(probs: number[][], actual: number[], k: number): Example[] {
  return examples(probs, actual)
    .sort((x, y) => y.loss - x.loss || x.index - y.index)
    .slice(0, k);
}

export function refConfidentMistakes(probs: number[][], actual: number[], k: number): Example[] {
  return examples(probs, actual)
    .filter((e) => e.predicted !== e.actual)
    .sort((x, y) => y.confidence - x.confidence || x.index - y.index)
    .slice(0, k);
}

// ---- the inputs ----------------------------------------------------------------------------------

export interface Scored {
  name: string;
  numClasses: number;
  actual: number[];
  probs: number[][];
  /** Argmax of each row, first maximum on ties: the predictions the confusion matrix is built from. */
  predicted: number[];
}

const PIXELS = 784;
const CENTROID_IMAGES = 200;
const SCORED_IMAGES = 50;
/** Temperature of the softmax over minus squared distances: probabilities neither all 1.0 nor all flat. */
const TEMPERATURE = 4;

/** The images as floats, or (as the dataset loads them) as pixel bytes, of which only the rows used become floats. */
export type FashionImages = ({ features: Float32Array } | { pixels: Uint8Array }) & {
  labels: Float32Array;
  n: number;
};

/** 50 images per class scored by a nearest-centroid classifier fitted on 200 other images per class. */
export function fashionScores(data: FashionImages, seed: number): Scored {
  const image = (i: number): Float32Array =>
    'pixels' in data
      ? pixelsToFloat(data.pixels.subarray(i * PIXELS, (i + 1) * PIXELS))
      : data.features.subarray(i * PIXELS, (i + 1) * PIXELS);
  const rng = createRng(seed);
  const byClass: number[][] = Array.from({ length: 10 }, () => []);
  for (let i = 0; i < data.n; i++) byClass[data.labels[i]].push(i);
  const centroids = byClass.map((rows) => {
    shuffleInPlace(rows, rng);
    const c = new Float64Array(PIXELS);
    for (const i of rows.slice(0, CENTROID_IMAGES)) {
      const x = image(i);
      for (let j = 0; j < PIXELS; j++) c[j] += x[j] / CENTROID_IMAGES;
    }
    return c;
  });
  const scored = byClass.flatMap((rows) => rows.slice(CENTROID_IMAGES, CENTROID_IMAGES + SCORED_IMAGES));
  shuffleInPlace(scored, rng);
  const probs = scored.map((i) => {
    const x = image(i);
    const z = centroids.map((c) => {
      let d = 0;
      for (let j = 0; j < PIXELS; j++) d += (x[j] - c[j]) ** 2;
      return -d / TEMPERATURE;
    });
    const top = Math.max(...z);
    const e = z.map((v) => Math.exp(v - top));
    const sum = e.reduce((s, v) => s + v, 0);
    // Six decimals: what a model's output file would hold, and exact through JSON.
    return e.map((v) => Math.round((v / sum) * 1e6) / 1e6);
  });
  return {
    name: 'Fashion-MNIST, nearest centroid',
    numClasses: 10,
    actual: scored.map((i) => data.labels[i]),
    probs,
    predicted: probs.map(argmax),
  };
}

function randomProbs(rng: Rng, numClasses: number, favour: number, strength: number): number[] {
  const raw = Array.from({ length: numClasses }, (_, j) => rng() + (j === favour ? strength : 0));
  const sum = raw.reduce((s, v) => s + v, 0);
  return raw.map((v) => Math.round((v / sum) * 1e4) / 1e4);
}

/**
 * A small table built for the edge cases: class `numClasses - 1` never occurs and is never predicted, class 1 is
 * predicted but never right, classes 0 and 2 confuse asymmetrically, and some rows repeat exactly (equal losses).
 */
export function edgeScores(seed: number): Scored {
  const rng = createRng(seed);
  const numClasses = 5 + randomInt(rng, 2);
  const rows: { actual: number; probs: number[] }[] = [];
  const add = (actual: number, favour: number, strength: number): void => {
    rows.push({ actual, probs: randomProbs(rng, numClasses - 1, favour, strength).concat(0) });
  };
  const n = 30 + randomInt(rng, 10);
  for (let i = 0; i < n; i++) {
    const actual = [0, 2, 3][randomInt(rng, 3)];
    add(actual, actual, 3);
  }
  for (let i = 0; i < 5; i++) add(0, 2, 4); // 0 taken for 2 five times...
  for (let i = 0; i < 2; i++) add(2, 0, 4); // ... 2 for 0 twice: a transposed matrix ranks (2, 0) first
  for (let i = 0; i < 3; i++) add(3, 1, 4); // 1 is predicted, never right: precision 0
  for (let i = 0; i < 3; i++) add(2, 1, 4); // (3, 1) and (2, 1) tie at 3
  for (let i = 0; i < 3; i++) rows.push({ actual: rows[i].actual, probs: rows[rows.length - 1 - i].probs.slice() });
  shuffleInPlace(rows, rng);
  // Exact repeats of two rows, so losses and confidences tie and the index must break the tie.
  rows.push({ ...rows[0], probs: rows[0].probs.slice() }, { ...rows[1], probs: rows[1].probs.slice() });
  const probs = rows.map((r) => r.probs);
  return {
    name: `a seeded table of ${rows.length} rows and ${numClasses} classes`,
    numClasses,
    actual: rows.map((r) => r.actual),
    probs,
    predicted: probs.map(argmax),
  };
}

/** Every row right: no confused pair, no confident mistake. */
export function perfectScores(seed: number): Scored {
  const rng = createRng(seed);
  const actual = Array.from({ length: 12 }, () => randomInt(rng, 3));
  const probs = actual.map((a) => randomProbs(rng, 3, a, 5));
  return { name: 'a classifier without a mistake', numClasses: 3, actual, probs, predicted: probs.map(argmax) };
}

// ---- comparing -----------------------------------------------------------------------------------

const show = (v: unknown): string => JSON.stringify(v)?.slice(0, 120) ?? 'undefined';
const close = (a: unknown, b: number): boolean =>
  typeof a === 'number' && Math.abs(a - b) <= TOL * Math.max(1, Math.abs(b));

function checkMatrix(value: unknown, want: number[][]): string | undefined {
  const k = want.length;
  if (!Array.isArray(value) || value.length !== k || value.some((r) => !Array.isArray(r) || r.length !== k)) {
    const shape = Array.isArray(value)
      ? `${value.length} rows of ${show((value as unknown[]).map((r): unknown => (Array.isArray(r) ? r.length : r)))}`
      : show(value);
    return `the matrix must be ${k} x ${k} (numClasses rows of numClasses counts, even for a class that never occurs); got ${shape}`;
  }
  const rows = value as unknown[][];
  for (let a = 0; a < k; a++)
    for (let p = 0; p < k; p++)
      if (rows[a][p] !== want[a][p]) {
        const swapped = rows[a][p] === want[p][a] && rows[p]?.[a] === want[a][p] && want[a][p] !== want[p][a];
        return (
          `matrix[${a}][${p}] is ${show(rows[a][p])}, expected ${want[a][p]} (rows with true class ${a} predicted as ${p})` +
          (swapped ? ': the matrix looks transposed; rows are the true class, columns the prediction' : '')
        );
      }
  return undefined;
}

function checkStats(value: unknown, want: ClassStats[]): string | undefined {
  if (!Array.isArray(value) || value.length !== want.length)
    return `expected an array of ${want.length} class records (one per row of the matrix), got ${show(value)}`;
  for (const [c, w] of want.entries()) {
    const got = value[c] as Record<string, unknown> | null;
    if (!got || typeof got !== 'object') return `class ${c}: ${show(got)} is not a record`;
    for (const field of ['support', 'predicted'] as const)
      if (got[field] !== w[field]) return `class ${c}: ${field} is ${show(got[field])}, expected ${w[field]}`;
    for (const field of ['precision', 'recall'] as const) {
      const exp = w[field];
      if (exp === null ? got[field] !== null : !close(got[field], exp)) {
        const why =
          exp === null
            ? field === 'precision'
              ? ': nothing was predicted as this class, so precision is undefined: null'
              : ': the class never occurs, so recall is undefined: null'
            : '';
        return `class ${c}: ${field} is ${show(got[field])}, expected ${exp === null ? 'null' : exp.toFixed(6)}${why}`;
      }
    }
  }
  return undefined;
}

function checkPairs(value: unknown, want: Pair[], k: number): string | undefined {
  if (!Array.isArray(value)) return `expected an array of { actual, predicted, count }, got ${show(value)}`;
  if (value.length !== want.length)
    return (
      `returned ${value.length} pairs, expected ${want.length}` +
      (want.length < k
        ? ` (only ${want.length} off-diagonal cells are above zero: never list a pair with count 0)`
        : '')
    );
  for (const [i, w] of want.entries()) {
    const got = value[i] as Record<string, unknown> | null;
    if (!got || got.actual !== w.actual || got.predicted !== w.predicted || got.count !== w.count)
      return (
        `pair ${i + 1} is ${show(got)}, expected ${show(w)} (by count, highest first; equal counts by actual, then ` +
        `predicted class, lowest first; the diagonal is not a confusion)`
      );
  }
  return undefined;
}

function checkExamples(value: unknown, want: Example[], what: string): string | undefined {
  if (!Array.isArray(value)) return `expected an array of examples, got ${show(value)}`;
  if (value.length !== want.length) return `returned ${value.length} examples, expected ${want.length} ${what}`;
  for (const [i, w] of want.entries()) {
    const got = value[i] as Record<string, unknown> | null;
    if (!got || typeof got !== 'object') return `example ${i + 1} is ${show(got)}, not a record`;
    if (got.index !== w.index)
      return `example ${i + 1} is row ${show(got.index)}, expected row ${w.index} (loss ${w.loss.toFixed(4)}, confidence ${w.confidence}; ${what})`;
    for (const field of ['actual', 'predicted'] as const)
      if (got[field] !== w[field])
        return `example ${i + 1} (row ${w.index}): ${field} is ${show(got[field])}, expected ${w[field]}`;
    for (const field of ['confidence', 'loss'] as const)
      if (!close(got[field], w[field]))
        return `example ${i + 1} (row ${w.index}): ${field} is ${show(got[field])}, expected ${w[field].toFixed(6)}`;
  }
  return undefined;
}

function scoredCases(s: Scored, k: number, tag?: string): SuiteCase[] {
  const m = refMatrix(s.actual, s.predicted, s.numClasses);
  const pairs = refPairs(m, k);
  const worst = refWorst(s.probs, s.actual, k);
  const wrong = refConfidentMistakes(s.probs, s.actual, k);
  return [
    {
      fn: 'confusionMatrix',
      tag,
      title: `${s.name}: the confusion matrix`,
      args: [s.actual, s.predicted, s.numClasses],
      verify: (v) => checkMatrix(v, m),
    },
    {
      fn: 'perClass',
      tag,
      title: `${s.name}: precision, recall, support and predicted count per class`,
      args: [m],
      verify: (v) => checkStats(v, refPerClass(m)),
    },
    {
      fn: 'confusedPairs',
      tag,
      title: `${s.name}: the ${k} most confused pairs`,
      args: [m, k],
      verify: (v) => checkPairs(v, pairs, k),
    },
    {
      fn: 'worstExamples',
      tag,
      title: `${s.name}: the ${k} examples with the highest loss`,
      args: [s.probs, s.actual, k],
      verify: (v) => checkExamples(v, worst, 'by loss -ln p(true class), highest first, ties by row index'),
    },
    {
      fn: 'confidentMistakes',
      tag,
      title: `${s.name}: the ${k} most confident mistakes`,
      args: [s.probs, s.actual, k],
      verify: (v) =>
        checkExamples(
          v,
          wrong,
          'wrong rows only, by the probability of the predicted class, highest first, ties by row index',
        ),
    },
  ];
}

/** The tag of the real classifier's cases, whose verified answers `findings` reads. */
const REAL = 'fashion';

/**
 * What the learner's functions found about the real classifier, from the answers that verified: the pairs
 * it mixes up most, the class it misses most, its most confident mistake. The lesson's point, which a
 * pass alone never shows.
 */
export function fashionFindings(outcomes: CaseOutcome[]): string[] {
  const answer = (fn: string): unknown =>
    outcomes.find((o) => o.case.tag === REAL && o.case.fn === fn && !o.problem && o.value !== undefined)?.value;
  const name = (c: number): string => FASHION_CLASS_NAMES[c] ?? `class ${c}`;
  const out: string[] = [];
  const pairs = answer('confusedPairs') as Pair[] | undefined;
  if (pairs?.length)
    out.push(
      `On the real classifier (500 Fashion-MNIST images), the most confused: ` +
        pairs
          .slice(0, 3)
          .map((p) => `${name(p.actual)} taken for ${name(p.predicted)} ${p.count} times`)
          .join(', ') +
        '.',
    );
  const stats = answer('perClass') as ClassStats[] | undefined;
  if (stats?.length) {
    const missed = stats
      .map((s, c) => ({ c, recall: s.recall }))
      .filter((s): s is { c: number; recall: number } => s.recall !== null)
      .sort((a, b) => a.recall - b.recall || a.c - b.c)[0];
    if (missed)
      out.push(`Its lowest recall: ${name(missed.c)}, ${missed.recall.toFixed(2)} (the class it misses most).`);
  }
  const mistakes = answer('confidentMistakes') as Example[] | undefined;
  if (mistakes?.length) {
    const m = mistakes[0];
    out.push(
      `Its most confident mistake: row ${m.index}, a ${name(m.actual)} it called ${name(m.predicted)} with ` +
        `probability ${m.confidence.toFixed(2)}. Accuracy alone shows none of this.`,
    );
  }
  return out;
}

export function buildSuite(fashion: FashionImages): Suite {
  return {
    id: 'error-analysis',
    exports: ['confusionMatrix', 'perClass', 'confusedPairs', 'worstExamples', 'confidentMistakes'],
    cases(seed: number): SuiteCase[] {
      const s = (what: string): number => deriveSeed(seed, `error-analysis:${what}`) % 1_000_000_007;
      return [
        ...scoredCases(fashionScores(fashion, s('fashion')), 10, REAL),
        ...scoredCases(edgeScores(s('edge-1')), 4),
        ...scoredCases(edgeScores(s('edge-2')), 12),
        ...scoredCases(perfectScores(s('perfect')), 3),
      ];
    },
    findings: fashionFindings,
  };
}

let loading: Promise<Suite> | undefined;

/** The suite, with Fashion-MNIST loaded once per process. */
export function loadSuite(): Promise<Suite> {
  loading ??= loadDataset('fashion-mnist').then((d) =>
    // Read as bytes while the dataset still holds them: reading `features` would make floats of all 10,000 images.
    buildSuite(
      d.pixels ? { pixels: d.pixels, labels: d.labels, n: d.n } : { features: d.features, labels: d.labels, n: d.n },
    ),
  );
  return loading;
}
