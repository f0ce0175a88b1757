/**
 * Seeded train / val / test splits that do not leak.
 *
 * - The same dataset, spec and seed give the same split on every machine: the
 *   randomness is `rng.ts`, orders are index orders, never engine sorts of
 *   ties.
 * - Rows are first bound into units (`units.ts`): all exact copies of a row
 *   (same features and text), and all rows of one group when the dataset has
 *   groups. A unit lands wholly on one side, so train and test share no row.
 * - Classification data is stratified by default: each class gets its share
 *   of every split, by largest remainder, so the split sizes are exact when no
 *   row repeats.
 * - `ordered: true` keeps time order: test is the tail, val just before it.
 *   A unit then goes to the side of its first occurrence.
 */
import { DatasetError } from '../errors';
import { selectRows } from './dataset';
import { rowKeys, rowWidth } from './hash';
import { createRng, deriveSeed, shuffleInPlace, type Rng } from './rng';
import type { LoadedDataset, SplitResult, SplitSpec } from './types';
import { linkedUnits } from './units';

const TRAIN = 0;
const VAL = 1;
const TEST = 2;

function checkSpec(ds: LoadedDataset, spec: SplitSpec): void {
  const bad = (message: string): never => {
    throw new DatasetError(`split of '${ds.id}': ${message}`);
  };
  if (!Number.isFinite(spec.seed)) bad(`seed must be a number, got ${spec.seed}`);
  if (!(spec.test > 0 && spec.test < 1)) bad(`test must be a fraction between 0 and 1, got ${spec.test}`);
  const val = spec.val ?? 0;
  if (!(val >= 0 && val < 1)) bad(`val must be a fraction from 0 to 1, got ${val}`);
  if (spec.test + val >= 1) bad(`test + val must leave rows for training, got ${spec.test} + ${val}`);
  if (spec.limit !== undefined && !(Number.isInteger(spec.limit) && spec.limit > 0)) {
    bad(`limit must be a positive integer, got ${spec.limit}`);
  }
}

/**
 * Splits `total` into integer shares proportional to `sizes` (largest
 * remainder; ties go to the earlier stratum).
 */
function apportion(total: number, sizes: number[]): number[] {
  const sum = sizes.reduce((a, b) => a + b, 0);
  if (sum === 0) return sizes.map(() => 0);
  const exact = sizes.map((s) => (total * s) / sum);
  const shares = exact.map(Math.floor);
  let left = total - shares.reduce((a, b) => a + b, 0);
  const order = exact.map((_, i) => i).sort((a, b) => exact[b] - shares[b] - (exact[a] - shares[a]) || a - b);
  for (const i of order) {
    if (left <= 0) break;
    if (shares[i] < sizes[i]) {
      shares[i]++;
      left--;
    }
  }
  return shares;
}

/** Rows of `pool` grouped by stratum (label value, or one stratum), strata in ascending label order. */
function strata(ds: LoadedDataset, pool: ArrayLike<number>, stratify: boolean): number[][] {
  if (!stratify) return [Array.from(pool)];
  const byLabel = new Map<number, number[]>();
  for (let r = 0; r < pool.length; r++) {
    const label = ds.labels[pool[r]];
    let rows = byLabel.get(label);
    if (!rows) byLabel.set(label, (rows = []));
    rows.push(pool[r]);
  }
  return [...byLabel.keys()].sort((a, b) => a - b).map((label) => byLabel.get(label)!);
}

/** A seeded subsample of `limit` rows (per-stratum shares when stratified), in original order. */
function subsample(ds: LoadedDataset, limit: number, stratify: boolean, rng: Rng): Int32Array {
  const all = Int32Array.from({ length: ds.n }, (_, i) => i);
  if (limit >= ds.n) return all;
  const groups = strata(ds, all, stratify);
  const quotas = apportion(
    limit,
    groups.map((g) => g.length),
  );
  const chosen: number[] = [];
  groups.forEach((rows, s) => {
    shuffleInPlace(rows, rng);
    for (let k = 0; k < quotas[s]; k++) chosen.push(rows[k]);
  });
  return Int32Array.from(chosen).sort();
}

/** Side per position for an ordered split: tail is test, before it val. */
function orderedSides(count: number, testCount: number, valCount: number): Uint8Array {
  const side = new Uint8Array(count);
  side.fill(VAL, count - testCount - valCount, count - testCount);
  side.fill(TEST, count - testCount);
  return side;
}

/** Side per position for a shuffled split: units shuffled within each stratum, filled test first, then val. */
function shuffledSides(
  ds: LoadedDataset,
  pool: Int32Array,
  unit: Int32Array,
  spec: SplitSpec,
  stratify: boolean,
  rng: Rng,
): Uint8Array {
  const members = new Map<number, number[]>();
  for (let p = 0; p < pool.length; p++) {
    let list = members.get(unit[p]);
    if (!list) members.set(unit[p], (list = []));
    list.push(p);
  }
  // Stratify units by the label of their first row; the unit ids are positions, so
  // build a pseudo-pool of first rows and reuse `strata`.
  const roots = [...members.keys()].sort((a, b) => a - b);
  const rootRows = Int32Array.from(roots, (p) => pool[p]);
  const positionOfRow = new Map<number, number>(roots.map((p) => [pool[p], p]));
  const unitStrata = strata(ds, rootRows, stratify).map((rows) => rows.map((row) => positionOfRow.get(row)!));
  const rowsPerStratum = unitStrata.map((us) => us.reduce((sum, u) => sum + members.get(u)!.length, 0));
  const testQuota = apportion(Math.round(spec.test * pool.length), rowsPerStratum);
  const valQuota = apportion(Math.round((spec.val ?? 0) * pool.length), rowsPerStratum);

  const side = new Uint8Array(pool.length);
  unitStrata.forEach((units, s) => {
    shuffleInPlace(units, rng);
    let test = 0;
    let val = 0;
    for (const u of units) {
      const rows = members.get(u)!;
      let target = TRAIN;
      if (test < testQuota[s]) {
        target = TEST;
        test += rows.length;
      } else if (val < valQuota[s]) {
        target = VAL;
        val += rows.length;
      }
      for (const p of rows) side[p] = target;
    }
  });
  return side;
}

/** Which rows go to each side, in the order they are given, and what the split found: a split before its rows are copied. */
export interface SplitPlan {
  train: number[];
  val: number[];
  test: number[];
  report: SplitResult['report'];
}

export function splitDataset(ds: LoadedDataset, spec: SplitSpec): SplitResult {
  return splitFromPlan(ds, spec, planSplit(ds, spec));
}

/** The parts a plan names, copied out of `ds`. */
export function splitFromPlan(ds: LoadedDataset, spec: SplitSpec, plan: SplitPlan): SplitResult {
  const result: SplitResult = {
    train: selectRows(ds, plan.train),
    test: selectRows(ds, plan.test),
    report: { ...plan.report },
  };
  if ((spec.val ?? 0) > 0) result.val = selectRows(ds, plan.val);
  return result;
}

/**
 * Whether a split of `ds` by `spec` keeps class shares: as the spec asks, by default when the data names its
 * classes, never when ordered. A split plan's cache key holds this (split-cache.ts).
 */
export function stratifies(ds: LoadedDataset, spec: SplitSpec): boolean {
  return spec.ordered ? false : (spec.stratify ?? ds.classNames !== undefined);
}

/** The split's rows by side (checked spec, units, strata, seeded shuffles); costs a hash of every row. */
export function planSplit(ds: LoadedDataset, spec: SplitSpec): SplitPlan {
  checkSpec(ds, spec);
  const stratify = stratifies(ds, spec);
  const keys = rowKeys(ds);
  const pool =
    spec.limit !== undefined
      ? subsample(ds, spec.limit, stratify, createRng(deriveSeed(spec.seed, 'limit')))
      : Int32Array.from({ length: ds.n }, (_, i) => i);
  const groups = ds.groups;
  const unit = linkedUnits(pool.length, (p) => keys[pool[p]], groups && ((p) => groups[pool[p]]));

  let side: Uint8Array;
  if (spec.ordered) {
    const bySide = orderedSides(
      pool.length,
      Math.round(spec.test * pool.length),
      Math.round((spec.val ?? 0) * pool.length),
    );
    side = Uint8Array.from(unit, (root) => bySide[root]);
  } else {
    side = shuffledSides(ds, pool, unit, spec, stratify, createRng(deriveSeed(spec.seed, 'split')));
  }

  const indices: number[][] = [[], [], []];
  for (let p = 0; p < pool.length; p++) indices[side[p]].push(pool[p]);
  if (!spec.ordered) {
    const orderRng = createRng(deriveSeed(spec.seed, 'order'));
    for (const list of indices) shuffleInPlace(list, orderRng);
  }
  const name = ['train', 'val', 'test'];
  for (const s of [TRAIN, TEST]) {
    if (indices[s].length === 0) {
      throw new DatasetError(
        `split of '${ds.id}': the ${name[s]} split is empty (${pool.length} rows, test ${spec.test}, val ${spec.val ?? 0})`,
      );
    }
  }

  const trainKeys = new Set(indices[TRAIN].map((i) => keys[i]));
  const distinct = new Set<string>();
  for (const i of pool) distinct.add(keys[i]);
  return {
    train: indices[TRAIN],
    val: indices[VAL],
    test: indices[TEST],
    report: {
      trainTestOverlap: indices[TEST].filter((i) => trainKeys.has(keys[i])).length,
      duplicatesFound: pool.length - distinct.size,
    },
  };
}

/** Rows of `b` whose features (and text) exactly equal some row of `a`. */
export function overlapReport(a: LoadedDataset, b: LoadedDataset): { overlap: number } {
  if (rowWidth(a) !== rowWidth(b) || Boolean(a.texts) !== Boolean(b.texts)) {
    throw new DatasetError(
      `cannot compare '${a.id}' [${a.featureShape}] with '${b.id}' [${b.featureShape}]: different row shapes`,
    );
  }
  const seen = new Set(rowKeys(a));
  return { overlap: rowKeys(b).filter((k) => seen.has(k)).length };
}

/**
 * The split with its test side replaced (an instructor's holdout file), the
 * overlap recounted against the new test rows: a holdout copied from the
 * public data shows up here.
 */
export function replaceTest(split: SplitResult, test: LoadedDataset): SplitResult {
  return {
    ...split,
    test,
    report: { ...split.report, trainTestOverlap: overlapReport(split.train, test).overlap },
  };
}
