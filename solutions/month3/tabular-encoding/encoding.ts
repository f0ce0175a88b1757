// Reference solution for month3/tabular-encoding: numbers as they are, gender
// and race one-hot against their training levels (an unseen level is all
// zeros), job target-encoded by its smoothed mean log wage. The rows a model
// is fitted on get the job column out of fold: each row's value comes from the
// other four folds only, the prior it is shrunk to included.
type Row = Record<string, number | string>;

const NUMBERS = ['education', 'experience', 'age', 'south', 'married', 'union'];
const ONE_HOT = ['gender', 'race'];
const SMOOTHING = 10;
const FOLDS = 5;

export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Each one-hot column's levels, from the training rows, sorted so the column order is fixed. */
function levelsOf(rows: Row[]): string[][] {
  return ONE_HOT.map((c) => [...new Set(rows.map((r) => String(r[c])))].sort());
}

/** The smoothed mean log wage of each job over the given rows, and the prior for jobs they do not have. */
function jobMeans(rows: Row[], y: number[]): { means: Map<string, number>; prior: number } {
  const prior = y.reduce((a, b) => a + b, 0) / y.length;
  const sums = new Map<string, [number, number]>();
  rows.forEach((r, i) => {
    const s = sums.get(String(r.job)) ?? [0, 0];
    s[0] += y[i];
    s[1] += 1;
    sums.set(String(r.job), s);
  });
  const means = new Map<string, number>();
  for (const [job, [sum, count]] of sums) means.set(job, (sum + SMOOTHING * prior) / (count + SMOOTHING));
  return { means, prior };
}

function encodeRow(r: Row, levels: string[][], jobs: { means: Map<string, number>; prior: number }): number[] {
  const out = NUMBERS.map((c) => Number(r[c]));
  ONE_HOT.forEach((c, k) => levels[k].forEach((level) => out.push(String(r[c]) === level ? 1 : 0)));
  out.push(jobs.means.get(String(r.job)) ?? jobs.prior);
  return out;
}

export function encodeTraining(rows: Row[], logWage: number[], seed: number): number[][] {
  const levels = levelsOf(rows);
  const order = rows.map((_, i) => i);
  const rng = mulberry32(seed);
  for (let i = order.length - 1; i > 0; i--) {
    const j = Math.floor(rng() * (i + 1));
    [order[i], order[j]] = [order[j], order[i]];
  }
  const fold = new Array<number>(rows.length);
  order.forEach((row, k) => (fold[row] = k % FOLDS));
  const out = new Array<number[]>(rows.length);
  for (let f = 0; f < FOLDS; f++) {
    const others = rows.map((_, i) => i).filter((i) => fold[i] !== f);
    const jobs = jobMeans(
      others.map((i) => rows[i]),
      others.map((i) => logWage[i]),
    );
    rows.forEach((r, i) => {
      if (fold[i] === f) out[i] = encodeRow(r, levels, jobs);
    });
  }
  return out;
}

export function encodeNew(trainRows: Row[], trainLogWage: number[], rows: Row[]): number[][] {
  const levels = levelsOf(trainRows);
  const jobs = jobMeans(trainRows, trainLogWage);
  return rows.map((r) => encodeRow(r, levels, jobs));
}
