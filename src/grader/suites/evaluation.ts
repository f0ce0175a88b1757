/**
 * Suite of month2/evaluation: honest evaluation, graded on properties rather
 * than on one expected answer, because many splits are right.
 *
 * - `split(rows, labels, groups, { seed, test, val })` returns train / val /
 *   test index lists. Checked on real rows from the registry (iris, CPS 1985
 *   wages with its duplicate rows, Boston tracts grouped by town) and on a
 *   small table whose duplicates link two groups: every row in exactly one
 *   part, rows that must stay together on one side, class shares kept, the
 *   same seed giving the same split and another seed another one.
 * - `selectModel(candidates, labels, split)` picks a model on validation
 *   accuracy and reports its test accuracy. The candidates are real models
 *   (majority class, nearest centroid, k-NN) trained here on the train rows of
 *   Boston tracts; some cases poison the test or train rows and check that the
 *   choice does not move, one changes the validation rows and checks that it
 *   does.
 *
 * Data loads once, when the suite is first asked for (`loadSuite`).
 */
import { createRng, deriveSeed, loadDataset, type Rng } from '../../datasets';
import type { Suite, SuiteCase } from './types';

export interface SplitOptions {
  seed: number;
  test: number;
  val: number;
}

export interface SplitIndices {
  train: number[];
  val: number[];
  test: number[];
}

/** Rows handed to `split`, with the rows that must stay together worked out once. */
export interface Table {
  name: string;
  rows: number[][];
  labels: number[];
  groups: number[] | null;
  /** What a class is, for messages: "union member", "iris setosa", ... */
  classNames?: string[];
  /** What a group is, for messages: "town", "group". */
  groupName?: string;
}

export interface Candidate {
  name: string;
  predictions: number[];
}

export interface Selection {
  chosen: string;
  valScores: number[];
  testScore: number;
}

export interface EvaluationData {
  iris: Table;
  wages: Table;
  towns: Table;
  /** Boston tracts, label 1 when the median home value is at least $25k; features without `b`. */
  houses: { rows: number[][]; labels: number[] };
}

const PARTS = ['train', 'val', 'test'] as const;
type Part = (typeof PARTS)[number];

/** Float slack for comparing counts and accuracies computed in different orders. */
const EPS = 1e-6;

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (value === undefined) return 'nothing';
  if (Array.isArray(value)) return `an array of ${value.length}`;
  if (typeof value === 'object') return `an object with keys ${Object.keys(value).join(', ') || '(none)'}`;
  return `${typeof value} ${JSON.stringify(value)}`;
}

function fmt(x: number): string {
  return Number.isInteger(x) ? String(x) : x.toFixed(3);
}

/** The three index lists, checked to be arrays of row indices in 0..n-1; a string says what was wrong. */
export function readSplit(value: unknown, n: number): SplitIndices | string {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    return `expected { train, val, test } arrays of row indices, got ${describe(value)}`;
  }
  const obj = value as Record<string, unknown>;
  const out: Partial<SplitIndices> = {};
  for (const part of PARTS) {
    const list = obj[part];
    if (!Array.isArray(list)) return `\`${part}\` must be an array of row indices, got ${describe(list)}`;
    for (let i = 0; i < list.length; i++) {
      const v: unknown = list[i];
      if (typeof v !== 'number' || !Number.isInteger(v) || v < 0 || v >= n) {
        return `${part}[${i}] is ${JSON.stringify(v)}, not a row index in 0..${n - 1}`;
      }
    }
    out[part] = list as number[];
  }
  return out as SplitIndices;
}

/** Side of every row (-1 for none), or a message naming the first row counted twice or missed. */
export function checkPartition(split: SplitIndices, n: number): string | undefined {
  const side = new Array<number>(n).fill(-1);
  for (let p = 0; p < PARTS.length; p++) {
    for (const i of split[PARTS[p]]) {
      if (side[i] === p) return `row ${i} appears twice in ${PARTS[p]}`;
      if (side[i] >= 0) return `row ${i} is in both ${PARTS[side[i]]} and ${PARTS[p]}: a row in two parts leaks`;
      side[i] = p;
    }
  }
  const missing = side.reduce((count, s) => count + (s < 0 ? 1 : 0), 0);
  if (missing > 0) {
    return `${missing} of ${n} rows are in no part (the first is row ${side.indexOf(-1)}); every row goes in exactly one of train, val, test`;
  }
  return undefined;
}

function sideOf(split: SplitIndices, n: number): Int8Array {
  const side = new Int8Array(n).fill(-1);
  PARTS.forEach((part, p) => {
    for (const i of split[part]) side[i] = p;
  });
  return side;
}

/**
 * Unit id per row: rows that must land on one side share one. Identical rows
 * are one unit, all rows of a group are one unit, and both relations chain
 * (union-find), so a duplicate across two groups joins the two groups.
 */
export function unitsOf(table: Pick<Table, 'rows' | 'groups'>): number[] {
  const n = table.rows.length;
  const parent = Array.from({ length: n }, (_, i) => i);
  const find = (i: number): number => {
    while (parent[i] !== i) {
      parent[i] = parent[parent[i]];
      i = parent[i];
    }
    return i;
  };
  const join = (a: number, b: number): void => {
    const ra = find(a);
    const rb = find(b);
    if (ra !== rb) parent[Math.max(ra, rb)] = Math.min(ra, rb);
  };
  const firstByKey = new Map<string, number>();
  const firstByGroup = new Map<number, number>();
  for (let i = 0; i < n; i++) {
    const key = JSON.stringify(table.rows[i]);
    const seen = firstByKey.get(key);
    if (seen === undefined) firstByKey.set(key, i);
    else join(seen, i);
    if (table.groups) {
      const g = table.groups[i];
      const first = firstByGroup.get(g);
      if (first === undefined) firstByGroup.set(g, i);
      else join(first, i);
    }
  }
  return parent.map((_, i) => find(i));
}

/**
 * Per class, how many rows its blocks hold and the size of its largest block.
 * A block (rows that must stay together) counts as the class of its first
 * row, which is also the row that names it in `unitsOf`.
 */
export function blockClasses(labels: number[], units: number[]): Map<number, { rows: number; largest: number }> {
  const sizes = new Map<number, number>();
  for (const u of units) sizes.set(u, (sizes.get(u) ?? 0) + 1);
  const out = new Map<number, { rows: number; largest: number }>();
  for (const [root, size] of sizes) {
    const c = labels[root];
    const entry = out.get(c) ?? { rows: 0, largest: 0 };
    entry.rows += size;
    entry.largest = Math.max(entry.largest, size);
    out.set(c, entry);
  }
  return new Map([...out].sort((a, b) => a[0] - b[0]));
}

/**
 * How far val and test may be from their share of rows: rounding moves a
 * class by under one row, and the last block dealt to a part can overshoot
 * by its size minus one, so under the sum over classes of the largest block.
 */
export function sizeSlack(labels: number[], units: number[]): number {
  let slack = 0;
  for (const { largest } of blockClasses(labels, units).values()) slack += largest;
  return slack;
}

function linkReason(table: Table, a: number, b: number): string {
  if (JSON.stringify(table.rows[a]) === JSON.stringify(table.rows[b])) return 'are identical';
  if (table.groups && table.groups[a] === table.groups[b]) return `are in the same ${table.groupName ?? 'group'} (${table.groups[a]})`;
  return 'are linked (an identical row in one group ties it to another group)';
}

/** Every unit on one side; the message names two rows that were split apart and why they belong together. */
export function checkUnits(split: SplitIndices, table: Table, units: number[]): string | undefined {
  const side = sideOf(split, table.rows.length);
  const firstRow = new Map<number, number>();
  for (let i = 0; i < units.length; i++) {
    const first = firstRow.get(units[i]);
    if (first === undefined) {
      firstRow.set(units[i], i);
      continue;
    }
    if (side[i] !== side[first]) {
      return `rows ${first} and ${i} ${linkReason(table, first, i)} but row ${first} is in ${PARTS[side[first]]} and row ${i} in ${PARTS[side[i]]}; ` +
        'rows that repeat (or share a group) must land on one side, or the test set partly grades memory';
    }
  }
  return undefined;
}

function fraction(opts: SplitOptions, part: Part): number {
  return part === 'test' ? opts.test : part === 'val' ? opts.val : 1 - opts.test - opts.val;
}

/** Sizes of val and test less than `slack` rows off their share of n (train is what is left). */
export function checkSizes(split: SplitIndices, n: number, opts: SplitOptions, slack: number): string | undefined {
  for (const part of ['test', 'val'] as const) {
    const want = n * fraction(opts, part);
    const got = split[part].length;
    if (want > 0 && got === 0) return `${part} is empty`;
    if (Math.abs(got - want) > slack - EPS) {
      return `${part} has ${got} rows; ${part} ${fmt(fraction(opts, part))} of ${n} rows is ${fmt(want)}, and it must be less than ${slack} rows off`;
    }
  }
  return undefined;
}

/**
 * Class counts of val and test less than one block off their exact share (rows
 * of the class x fraction): each class has its own slack, the size of its
 * largest block, which is 1 when none of its rows repeat. Train is what is
 * left, so it follows.
 */
export function checkStratified(split: SplitIndices, table: Table, units: number[], opts: SplitOptions): string | undefined {
  const classes = blockClasses(table.labels, units);
  for (const part of ['test', 'val'] as const) {
    const counts = new Map<number, number>();
    for (const i of split[part]) {
      const c = table.labels[units[i]];
      counts.set(c, (counts.get(c) ?? 0) + 1);
    }
    for (const [c, { rows, largest }] of classes) {
      const want = rows * fraction(opts, part);
      const got = counts.get(c) ?? 0;
      if (Math.abs(got - want) > largest - EPS) {
        const name = table.classNames?.[c] ?? `class ${c}`;
        const give = largest === 1 ? 'less than one row off' : `less than ${largest} rows off (its largest block)`;
        return `${part} holds ${got} of the ${rows} rows of ${name}; its share (${fmt(fraction(opts, part))} of them) is ${fmt(want)}, and it must be ${give}. ` +
          'Shuffle and deal out each class on its own so every part keeps the class proportions';
      }
    }
  }
  return undefined;
}

function sorted(list: number[]): number[] {
  return [...list].sort((a, b) => a - b);
}

/** Whether two splits put every row on the same side (order inside a part does not matter). */
export function sameSplit(a: SplitIndices, b: SplitIndices): boolean {
  return PARTS.every((part) => {
    const x = sorted(a[part]);
    const y = sorted(b[part]);
    return x.length === y.length && x.every((v, i) => v === y[i]);
  });
}

// ---------------------------------------------------------------- selection

/** Fraction of `rows` where the prediction equals the label; NaN for no rows. */
export function accuracyOn(predictions: number[], labels: number[], rows: number[]): number {
  if (rows.length === 0) return Number.NaN;
  let right = 0;
  for (const i of rows) if (predictions[i] === labels[i]) right++;
  return right / rows.length;
}

/** The reference choice: best validation accuracy, the first listed among ties, and its test accuracy. */
export function referenceSelect(candidates: Candidate[], labels: number[], split: SplitIndices): Selection & { index: number } {
  const valScores = candidates.map((c) => accuracyOn(c.predictions, labels, split.val));
  let index = 0;
  for (let i = 1; i < valScores.length; i++) if (valScores[i] > valScores[index]) index = i;
  return { chosen: candidates[index].name, index, valScores, testScore: accuracyOn(candidates[index].predictions, labels, split.test) };
}

function bestOn(candidates: Candidate[], labels: number[], rows: number[]): number[] {
  const scores = candidates.map((c) => accuracyOn(c.predictions, labels, rows));
  const top = Math.max(...scores);
  return scores.flatMap((s, i) => (s === top ? [i] : []));
}

/** Compares what selectModel returned with the reference; explains a wrong choice by where it would have been best. */
export function checkSelection(value: unknown, candidates: Candidate[], labels: number[], split: SplitIndices, context = ''): string | undefined {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    return `expected { chosen, valScores, testScore }, got ${describe(value)}`;
  }
  const got = value as Record<string, unknown>;
  const want = referenceSelect(candidates, labels, split);
  const names = candidates.map((c) => c.name);
  if (typeof got.chosen !== 'string' || !names.includes(got.chosen)) {
    return `chosen must be one of the candidate names (${names.join(', ')}), got ${describe(got.chosen)}`;
  }
  const valScores = got.valScores;
  if (!Array.isArray(valScores) || valScores.length !== candidates.length) {
    return `valScores must hold one validation accuracy per candidate (${candidates.length}), got ${describe(valScores)}`;
  }
  for (let i = 0; i < candidates.length; i++) {
    const v: unknown = valScores[i];
    if (typeof v !== 'number' || Math.abs(v - want.valScores[i]) > EPS) {
      return `valScores[${i}] (${names[i]}) is ${describe(v)}, but its accuracy on the validation rows is ${fmt(want.valScores[i])}`;
    }
  }
  if (got.chosen !== want.chosen) {
    const picked = names.indexOf(got.chosen);
    const where: string[] = [];
    if (bestOn(candidates, labels, split.test).includes(picked)) where.push('test');
    if (bestOn(candidates, labels, split.train).includes(picked)) where.push('training');
    const scores = want.valScores[picked] === want.valScores[want.index]
      ? `both ${fmt(want.valScores[picked])}: on a tie the first listed wins`
      : `${fmt(want.valScores[want.index])} vs ${fmt(want.valScores[picked])}`;
    const why = where.length ? `; '${got.chosen}' is the best on the ${where.join(' and the ')} rows, which must not decide` : '';
    return `${context}you chose '${got.chosen}', but '${want.chosen}' has the best validation accuracy (${scores})${why}`;
  }
  if (typeof got.testScore !== 'number' || Math.abs(got.testScore - want.testScore) > EPS) {
    return `testScore is ${describe(got.testScore)}, but '${want.chosen}' scores ${fmt(want.testScore)} on the test rows: ` +
      'report the chosen model\'s accuracy on test, measured once, after choosing';
  }
  return undefined;
}

// -------------------------------------------------------------- candidates

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

/** k-NN votes; distance ties go to the lower row index, vote ties to the smaller label. */
function knn(space: number[][], labels: number[], train: number[], k: number): number[] {
  return space.map((q) => {
    const nearest = train
      .map((i) => [sqDist(space[i], q), i] as const)
      .sort((a, b) => a[0] - b[0] || a[1] - b[1])
      .slice(0, k);
    const votes = new Map<number, number>();
    for (const [, i] of nearest) votes.set(labels[i], (votes.get(labels[i]) ?? 0) + 1);
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
  return [
    { name: 'majority-class', predictions: rows.map(() => majority) },
    { name: 'nearest-centroid', predictions: centroid },
    { name: 'knn-15', predictions: knn(z, labels, train, 15) },
    { name: 'knn-5', predictions: knn(z, labels, train, 5) },
    { name: 'knn-1-raw', predictions: knn(rows, labels, train, 1) },
  ];
}

function shuffle<T>(items: T[], rng: Rng): T[] {
  for (let i = items.length - 1; i > 0; i--) {
    const j = Math.floor(rng() * (i + 1));
    [items[i], items[j]] = [items[j], items[i]];
  }
  return items;
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
    const rows = shuffle(byClass.get(y)!, rng);
    const nTest = Math.round(rows.length * test);
    const nVal = Math.round(rows.length * val);
    out.test.push(...rows.slice(0, nTest));
    out.val.push(...rows.slice(nTest, nTest + nVal));
    out.train.push(...rows.slice(nTest + nVal));
  }
  return out;
}

/** The candidate that disagrees most with `chosen` on `rows` (first listed among ties). */
function decoyFor(candidates: Candidate[], chosen: number, rows: number[]): number {
  let best = -1;
  let most = -1;
  candidates.forEach((c, i) => {
    if (i === chosen) return;
    const differ = rows.filter((r) => c.predictions[r] !== candidates[chosen].predictions[r]).length;
    if (differ > most) {
      most = differ;
      best = i;
    }
  });
  return best;
}

// -------------------------------------------------------------------- data

function tableRows(features: Float32Array, n: number, width: number, drop: number[] = []): number[][] {
  return Array.from({ length: n }, (_, i) => Array.from(features.subarray(i * width, (i + 1) * width)).filter((_, j) => !drop.includes(j)));
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
    towns: { name: 'Boston tracts', rows: bostonRows, labels: expensive, groups, classNames: ['tracts under $25k', 'tracts of $25k and up'], groupName: 'town' },
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

// ------------------------------------------------------------------- cases

function splitCases(table: Table, opts: SplitOptions, otherSeed: number, stratified: boolean): SuiteCase[] {
  const n = table.rows.length;
  const units = unitsOf(table);
  const slack = sizeSlack(table.labels, units);
  const args = (seed: number): unknown[] => [table.rows, table.labels, table.groups, { ...opts, seed }];
  const label = `${table.name} (${n} rows, seed ${opts.seed})`;
  let first: SplitIndices | undefined;
  const read = (value: unknown): SplitIndices | string => {
    const split = readSplit(value, n);
    if (typeof split === 'string') return split;
    return checkPartition(split, n) ?? split;
  };
  const cases: SuiteCase[] = [
    {
      fn: 'split',
      title: `${label}: every row in exactly one part`,
      args: args(opts.seed),
      verify(value) {
        const split = read(value);
        if (typeof split === 'string') return split;
        first = split;
        return undefined;
      },
    },
    {
      fn: 'split',
      title: `${label}: ${table.groups ? `each ${table.groupName ?? 'group'} and each` : 'each'} repeated row on one side`,
      args: args(opts.seed),
      verify(value) {
        const split = read(value);
        return typeof split === 'string' ? split : checkUnits(split, table, units);
      },
    },
    {
      fn: 'split',
      title: `${label}: part sizes match test ${opts.test} and val ${opts.val}`,
      args: args(opts.seed),
      verify(value) {
        const split = read(value);
        return typeof split === 'string' ? split : checkSizes(split, n, opts, slack);
      },
    },
  ];
  if (stratified) {
    cases.push({
      fn: 'split',
      title: `${label}: class proportions kept in val and test`,
      args: args(opts.seed),
      verify(value) {
        const split = read(value);
        return typeof split === 'string' ? split : checkStratified(split, table, units, opts);
      },
    });
  }
  cases.push(
    {
      fn: 'split',
      title: `${label}: the same seed gives the same split`,
      args: args(opts.seed),
      verify(value) {
        const split = read(value);
        if (typeof split === 'string') return split;
        if (!first) return 'the first call with this seed did not return a valid split';
        if (!sameSplit(first, split)) {
          return 'two calls with the same seed put rows on different sides: draw every random number from a generator seeded with opts.seed (Math.random cannot be seeded)';
        }
        return undefined;
      },
    },
    {
      fn: 'split',
      title: `${table.name}: another seed (${otherSeed}) gives another split`,
      args: args(otherSeed),
      verify(value) {
        const split = read(value);
        if (typeof split === 'string') return split;
        if (first && sameSplit(first, split)) return `seeds ${opts.seed} and ${otherSeed} gave the same split: the seed must drive the shuffle`;
        return undefined;
      },
    },
  );
  return cases;
}

function linkedCases(seed: number): SuiteCase[] {
  const table = linkedTable(deriveSeed(seed, 'linked-rows'));
  const units = unitsOf(table);
  return [0, 1, 2].map((k) => {
    const s = deriveSeed(seed, `linked-${k}`);
    return {
      fn: 'split',
      title: `duplicates across groups (16 rows, seed ${s}): linked groups stay together`,
      args: [table.rows, table.labels, table.groups, { seed: s, test: 0.25, val: 0.25 }],
      verify(value) {
        const split = readSplit(value, table.rows.length);
        if (typeof split === 'string') return split;
        return checkPartition(split, table.rows.length) ?? checkUnits(split, table, units);
      },
    };
  });
}

function selectionCases(data: EvaluationData, seed: number): SuiteCase[] {
  const { rows, labels } = data.houses;
  const split = stratifiedSplit(labels, deriveSeed(seed, 'select'), 0.25, 0.25);
  const candidates = trainCandidates(rows, labels, split.train);
  const honest = referenceSelect(candidates, labels, split);
  const title = (what: string): string => `Boston tracts over $25k (${candidates.length} models): ${what}`;
  const cases: SuiteCase[] = [];
  const add = (what: string, cands: Candidate[], ys: number[], context = ''): void => {
    cases.push({ fn: 'selectModel', title: title(what), args: [cands, ys, split], verify: (v) => checkSelection(v, cands, ys, split, context) });
  };

  add('choose on validation accuracy, report test accuracy', candidates, labels);

  const testDecoy = decoyFor(candidates, honest.index, split.test);
  const poisonedLabels = labels.slice();
  for (const i of split.test) poisonedLabels[i] = candidates[testDecoy].predictions[i];
  add(`test labels changed so '${candidates[testDecoy].name}' is perfect on test`, candidates, poisonedLabels,
    'only the test labels changed: ');

  const poisonedCands = candidates.map((c, i) => (i === testDecoy
    ? { name: c.name, predictions: c.predictions.map((p, r) => (split.test.includes(r) ? labels[r] : p)) }
    : c));
  add(`test predictions of '${candidates[testDecoy].name}' changed to match test`, poisonedCands, labels,
    'only test predictions changed: ');

  const trainDecoy = decoyFor(candidates, honest.index, split.train);
  const trainPoisoned = labels.slice();
  for (const i of split.train) trainPoisoned[i] = candidates[trainDecoy].predictions[i];
  add(`train labels changed so '${candidates[trainDecoy].name}' is perfect on train`, candidates, trainPoisoned,
    'only the train labels changed: ');

  const valTarget = decoyFor(candidates, honest.index, split.val);
  const valChanged = labels.slice();
  for (const i of split.val) valChanged[i] = candidates[valTarget].predictions[i];
  add(`validation labels changed so '${candidates[valTarget].name}' is perfect on validation`, candidates, valChanged);

  // A validation tie the first listed must win; the second is better on test, to catch a test tie-break.
  const tieLabels = [0, 1, 0, 1, 0, 1, 0, 1, 0, 1];
  const tieSplit: SplitIndices = { train: [0, 1], val: [2, 3, 4, 5], test: [6, 7, 8, 9] };
  const tie: Candidate[] = [
    { name: 'simple', predictions: [0, 1, 0, 1, 1, 0, 0, 0, 0, 0] },
    { name: 'complex', predictions: [0, 1, 1, 0, 0, 1, 0, 1, 0, 1] },
  ];
  cases.push({
    fn: 'selectModel',
    title: 'two models tied on validation: the first listed wins',
    args: [tie, tieLabels, tieSplit],
    verify: (v) => checkSelection(v, tie, tieLabels, tieSplit),
  });
  return cases;
}

export function buildSuite(data: EvaluationData): Suite {
  return {
    id: 'evaluation',
    exports: ['split', 'selectModel'],
    cases(seed: number): SuiteCase[] {
      const s = (what: string): number => deriveSeed(seed, what);
      return [
        ...splitCases(data.iris, { seed: s('iris'), test: 0.2, val: 0.2 }, s('iris-other'), true),
        ...splitCases(data.wages, { seed: s('wages'), test: 0.25, val: 0.15 }, s('wages-other'), true),
        ...splitCases(data.towns, { seed: s('towns'), test: 0.2, val: 0.2 }, s('towns-other'), false),
        ...linkedCases(seed),
        ...selectionCases(data, seed),
      ];
    },
  };
}

let loading: Promise<Suite> | undefined;

/** The suite, with its datasets loaded once per process. */
export function loadSuite(): Promise<Suite> {
  loading ??= loadEvaluationData().then(buildSuite);
  return loading;
}
