// month2/trees: reference solution.

export interface BoostParams {
  rounds: number;
  learningRate: number;
}

export interface CvResult {
  foldScores: number[];
  mean: number;
  std: number;
  oof: number[];
}

export interface Choice {
  chosen: number;
  means: number[];
  testProbs: number[];
}

function mulberry32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function shuffle<T>(items: T[], random: () => number): T[] {
  for (let i = items.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [items[i], items[j]] = [items[j], items[i]];
  }
  return items;
}

export function stratifiedFolds(labels: number[], k: number, seed: number): number[] {
  const random = mulberry32(seed);
  const folds = new Array<number>(labels.length).fill(0);
  let next = 0;
  for (const c of [...new Set(labels)].sort((a, b) => a - b)) {
    const rows = shuffle(
      labels.flatMap((l, i) => (l === c ? [i] : [])),
      random,
    );
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

/** `orders[j]`: the row indices sorted by column j, made once per boost call (the rows do not change). */
function fitStump(x: number[][], r: number[], orders: number[][]): Stump {
  const n = r.length;
  const total = r.reduce((s, v) => s + v, 0);
  let best: Stump = { feature: 0, threshold: Infinity, left: total / n, right: 0 };
  let bestScore = total ** 2 / n;
  for (let j = 0; j < x[0].length; j++) {
    const order = orders[j];
    let sumLeft = 0;
    for (let m = 0; m < n - 1; m++) {
      sumLeft += r[order[m]];
      const here = x[order[m]][j];
      const after = x[order[m + 1]][j];
      if (here === after) continue;
      const nLeft = m + 1;
      const score = sumLeft ** 2 / nLeft + (total - sumLeft) ** 2 / (n - nLeft);
      if (score > bestScore + 1e-12) {
        bestScore = score;
        best = {
          feature: j,
          threshold: (here + after) / 2,
          left: sumLeft / nLeft,
          right: (total - sumLeft) / (n - nLeft),
        };
      }
    }
  }
  return best;
}

const predictStump = (s: Stump, row: number[]): number => (row[s.feature] <= s.threshold ? s.left : s.right);
const sigmoid = (z: number): number => 1 / (1 + Math.exp(-z));

export function boost(xTrain: number[][], yTrain: number[], xPredict: number[][], params: BoostParams): number[] {
  const rate = yTrain.reduce((s, v) => s + v, 0) / yTrain.length;
  const start = Math.log(rate / (1 - rate));
  const fTrain = yTrain.map(() => start);
  const fPredict = xPredict.map(() => start);
  const orders = xTrain[0].map((_, j) => xTrain.map((_, i) => i).sort((a, b) => xTrain[a][j] - xTrain[b][j]));
  for (let round = 0; round < params.rounds; round++) {
    const residuals = yTrain.map((y, i) => y - sigmoid(fTrain[i]));
    const stump = fitStump(xTrain, residuals, orders);
    xTrain.forEach((row, i) => (fTrain[i] += params.learningRate * predictStump(stump, row)));
    xPredict.forEach((row, i) => (fPredict[i] += params.learningRate * predictStump(stump, row)));
  }
  return fPredict.map(sigmoid);
}

function accuracy(probs: number[], y: number[]): number {
  return probs.filter((p, i) => (p >= 0.5 ? 1 : 0) === y[i]).length / y.length;
}

export function crossValidate(x: number[][], y: number[], folds: number[], params: BoostParams): CvResult {
  const k = Math.max(...folds) + 1;
  const oof = new Array<number>(y.length).fill(0);
  const foldScores: number[] = [];
  for (let f = 0; f < k; f++) {
    const train = folds.flatMap((g, i) => (g === f ? [] : [i]));
    const held = folds.flatMap((g, i) => (g === f ? [i] : []));
    const probs = boost(
      train.map((i) => x[i]),
      train.map((i) => y[i]),
      held.map((i) => x[i]),
      params,
    );
    held.forEach((i, m) => (oof[i] = probs[m]));
    foldScores.push(
      accuracy(
        probs,
        held.map((i) => y[i]),
      ),
    );
  }
  const mean = foldScores.reduce((s, v) => s + v, 0) / k;
  const std = Math.sqrt(foldScores.reduce((s, v) => s + (v - mean) ** 2, 0) / k);
  return { foldScores, mean, std, oof };
}

export function choose(x: number[][], y: number[], folds: number[], grid: BoostParams[], xTest: number[][]): Choice {
  const means = grid.map((params) => crossValidate(x, y, folds, params).mean);
  let chosen = 0;
  for (let g = 1; g < grid.length; g++) if (means[g] > means[chosen]) chosen = g;
  return { chosen, means, testProbs: boost(x, y, xTest, grid[chosen]) };
}
