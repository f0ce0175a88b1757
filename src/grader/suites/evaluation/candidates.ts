/**
 * The models `selectModel` chooses between: five real classifiers trained in
 * the grader on the train rows (majority class, nearest centroid, k-NN), with
 * their predictions for every row.
 */
import type { Candidate } from './types';

function standardizer(rows: number[][], fit: number[]): (row: number[]) => number[] {
  const width = rows[0].length;
  const mean = new Array<number>(width).fill(0);
  const sd = new Array<number>(width).fill(0);
  for (const i of fit) rows[i].forEach((v, j) => (mean[j] += v / fit.length));
  for (const i of fit) rows[i].forEach((v, j) => (sd[j] += (v - mean[j]) ** 2 / fit.length));
  for (let j = 0; j < width; j++) sd[j] = Math.sqrt(sd[j]) || 1;
  return (row) => row.map((v, j) => (v - mean[j]) / sd[j]);
}

function sqDist(a: number[], b: number[]): number {
  let s = 0;
  for (let j = 0; j < a.length; j++) s += (a[j] - b[j]) ** 2;
  return s;
}

/**
 * For every row of `space`, its k nearest train rows, nearest first; distance ties go to the lower row index.
 * The k are picked in one pass over the train rows (k-NN reads no further), in the order a full sort gives.
 */
export function neighbours(space: number[][], train: number[], k: number): number[][] {
  return space.map((q) => {
    const dist: number[] = [];
    const idx: number[] = [];
    for (const i of train) {
      const d = sqDist(space[i], q);
      // A NaN distance has no place in the order: sort them all as the full sort did.
      if (Number.isNaN(d)) return fullOrder(space, train, q).slice(0, k);
      let at = dist.length;
      while (at > 0 && (dist[at - 1] > d || (dist[at - 1] === d && idx[at - 1] > i))) at--;
      if (at >= k) continue;
      dist.splice(at, 0, d);
      idx.splice(at, 0, i);
      if (dist.length > k) {
        dist.pop();
        idx.pop();
      }
    }
    return idx;
  });
}

function fullOrder(space: number[][], train: number[], q: number[]): number[] {
  return train
    .map((i) => [sqDist(space[i], q), i] as const)
    .sort((a, b) => a[0] - b[0] || a[1] - b[1])
    .map(([, i]) => i);
}

/** k-NN votes over `neighbours`; vote ties go to the smaller label. */
function knn(order: number[][], labels: number[], k: number): number[] {
  return order.map((nearest) => {
    const votes = new Map<number, number>();
    for (const i of nearest.slice(0, k)) votes.set(labels[i], (votes.get(labels[i]) ?? 0) + 1);
    return [...votes].sort((a, b) => b[1] - a[1] || a[0] - b[0])[0][0];
  });
}

/**
 * Five real models trained on `split.train`, simplest first, with their
 * predictions for every row: majority class, nearest centroid, 15-NN and
 * 5-NN on standardised features, and 1-NN on raw features (which scores
 * perfectly on the rows it memorised).
 */
export function trainCandidates(rows: number[][], labels: number[], train: number[]): Candidate[] {
  const z = rows.map(standardizer(rows, train));
  const counts = new Map<number, number>();
  for (const i of train) counts.set(labels[i], (counts.get(labels[i]) ?? 0) + 1);
  const classes = [...counts.keys()].sort((a, b) => a - b);
  const majority = [...counts].sort((a, b) => b[1] - a[1] || a[0] - b[0])[0][0];
  const centroids = classes.map((c) => {
    const members = train.filter((i) => labels[i] === c);
    return z[0].map((_, j) => members.reduce((s, i) => s + z[i][j], 0) / members.length);
  });
  const centroid = z.map((q) => {
    let best = 0;
    for (let c = 1; c < classes.length; c++) if (sqDist(centroids[c], q) < sqDist(centroids[best], q)) best = c;
    return classes[best];
  });
  // Found once for both k-NN on standardised features.
  const standardised = neighbours(z, train, 15);
  return [
    { name: 'majority-class', predictions: rows.map(() => majority) },
    { name: 'nearest-centroid', predictions: centroid },
    { name: 'knn-15', predictions: knn(standardised, labels, 15) },
    { name: 'knn-5', predictions: knn(standardised, labels, 5) },
    { name: 'knn-1-raw', predictions: knn(neighbours(rows, train, 1), labels, 1) },
  ];
}
