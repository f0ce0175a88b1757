// month2/error-analysis: reference solution.

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

const EPS = 1e-15;

export function confusionMatrix(actual: number[], predicted: number[], numClasses: number): number[][] {
  const m = Array.from({ length: numClasses }, () => new Array<number>(numClasses).fill(0));
  for (let i = 0; i < actual.length; i++) m[actual[i]][predicted[i]] += 1;
  return m;
}

export function perClass(matrix: number[][]): ClassStats[] {
  return matrix.map((row, c) => {
    const support = row.reduce((s, v) => s + v, 0);
    const predicted = matrix.reduce((s, r) => s + r[c], 0);
    return {
      precision: predicted > 0 ? matrix[c][c] / predicted : null,
      recall: support > 0 ? matrix[c][c] / support : null,
      support,
      predicted,
    };
  });
}

export function confusedPairs(matrix: number[][], k: number): Pair[] {
  const pairs: Pair[] = [];
  matrix.forEach((row, actual) =>
    row.forEach((count, predicted) => {
      if (actual !== predicted && count > 0) pairs.push({ actual, predicted, count });
    }),
  );
  pairs.sort((a, b) => b.count - a.count || a.actual - b.actual || a.predicted - b.predicted);
  return pairs.slice(0, k);
}

function describe(probs: number[][], actual: number[]): Example[] {
  return probs.map((p, index) => {
    let predicted = 0;
    for (let j = 1; j < p.length; j++) if (p[j] > p[predicted]) predicted = j;
    return {
      index,
      actual: actual[index],
      predicted,
      confidence: p[predicted],
      loss: -Math.log(Math.max(p[actual[index]], EPS)),
    };
  });
}

export function worstExamples(probs: number[][], actual: number[], k: number): Example[] {
  return describe(probs, actual)
    .sort((a, b) => b.loss - a.loss || a.index - b.index)
    .slice(0, k);
}

export function confidentMistakes(probs: number[][], actual: number[], k: number): Example[] {
  return describe(probs, actual)
    .filter((e) => e.predicted !== e.actual)
    .sort((a, b) => b.confidence - a.confidence || a.index - b.index)
    .slice(0, k);
}
