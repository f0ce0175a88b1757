/**
 * The rows the evaluation cases run on: iris, CPS 1985 wages (which has
 * duplicate rows), Boston tracts grouped by town, a small table whose
 * duplicates link two groups, and a plain stratified split for the selection
 * cases. The randomness is the datasets layer's seeded RNG.
 */
import { createRng, loadDataset, shuffleInPlace } from '../../../datasets';
import type { EvaluationData, SplitIndices, Table } from './types';

function tableRows(features: Float32Array, n: number, width: number, drop: number[] = []): number[][] {
  return Array.from({ length: n }, (_, i) =>
    Array.from(features.subarray(i * width, (i + 1) * width)).filter((_, j) => !drop.includes(j)),
  );
}

export async function loadEvaluationData(): Promise<EvaluationData> {
  const [iris, cps, boston] = await Promise.all([loadDataset('iris'), loadDataset('cps-wages'), loadDataset('boston')]);

  const cpsWidth = cps.featureShape[0];
  const union = cps.featureNames!.indexOf('union_member');
  const wages: Table = {
    name: 'CPS 1985 wages',
    rows: tableRows(cps.features, cps.n, cpsWidth, [union]),
    labels: Array.from({ length: cps.n }, (_, i) => cps.features[i * cpsWidth + union]),
    groups: null,
    classNames: ['non-members', 'union members'],
  };

  // Boston's town-level columns (industry share, highway access, tax rate,
  // pupil-teacher ratio) are equal for every tract of a town: together they
  // name the town. Tracts of one town are alike, so they stay on one side.
  const bWidth = boston.featureShape[0];
  const names = boston.featureNames!;
  const townCols = ['indus', 'rad', 'tax', 'ptratio'].map((c) => names.indexOf(c));
  const townIds = new Map<string, number>();
  const groups = Array.from({ length: boston.n }, (_, i) => {
    const key = townCols.map((j) => boston.features[i * bWidth + j]).join(',');
    if (!townIds.has(key)) townIds.set(key, townIds.size);
    return townIds.get(key)!;
  });
  // `b` is computed from the share of Black residents; nothing here needs it.
  const bostonRows = tableRows(boston.features, boston.n, bWidth, [names.indexOf('b')]);
  const expensive = Array.from(boston.labels, (v) => (v >= 25 ? 1 : 0));

  return {
    iris: {
      name: 'iris',
      rows: tableRows(iris.features, iris.n, iris.featureShape[0]),
      labels: Array.from(iris.labels),
      groups: null,
      classNames: iris.classNames,
    },
    wages,
    towns: {
      name: 'Boston tracts',
      rows: bostonRows,
      labels: expensive,
      groups,
      classNames: ['tracts under $25k', 'tracts of $25k and up'],
      groupName: 'town',
    },
    houses: { rows: bostonRows, labels: expensive },
  };
}

/** A small table where row 3 (group 1) repeats as row 12 (group 6): groups 1 and 6 must travel together. */
export function linkedTable(seed: number): Table {
  const rng = createRng(seed);
  const rows = Array.from({ length: 16 }, () => [Math.round(rng() * 1000) / 10, Math.round(rng() * 1000) / 10]);
  rows[12] = rows[3].slice();
  return {
    name: 'linked groups',
    rows,
    labels: rows.map((_, i) => i % 2),
    groups: rows.map((_, i) => Math.floor(i / 2)),
  };
}

/** A plain stratified split (no duplicates in the data it is used on), for the selection cases. */
export function stratifiedSplit(labels: number[], seed: number, test: number, val: number): SplitIndices {
  const rng = createRng(seed);
  const byClass = new Map<number, number[]>();
  labels.forEach((y, i) => {
    if (!byClass.has(y)) byClass.set(y, []);
    byClass.get(y)!.push(i);
  });
  const out: SplitIndices = { train: [], val: [], test: [] };
  for (const y of [...byClass.keys()].sort((a, b) => a - b)) {
    const rows = byClass.get(y)!;
    shuffleInPlace(rows, rng);
    const nTest = Math.round(rows.length * test);
    const nVal = Math.round(rows.length * val);
    out.test.push(...rows.slice(0, nTest));
    out.val.push(...rows.slice(nTest, nTest + nVal));
    out.train.push(...rows.slice(nTest + nVal));
  }
  return out;
}
