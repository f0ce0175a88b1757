/**
 * Split plans kept beside the binary dataset cache. Planning a split hashes
 * every row (exact copies must land on one side) and shuffles each stratum:
 * for MNIST's 10,000 digits about 150 ms that every check of month2/mnist
 * paid again before its children could start. The plan depends only on the
 * planning code, the data and the spec, so it is keyed by a digest of that
 * code, the dataset's content fingerprint (and its groups, which the
 * fingerprint leaves out) and the spec, and read back as a small JSON file.
 *
 * The cache folder is trusted as the dataset cache in it is (a writer there
 * could as well change the labels); a plan that fails any check, a row out of
 * range, a row on two sides, an empty side the spec needs, is ignored and
 * planned again.
 */
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { writeFileAtomic } from '../atomic-write';
import { littleEndianBytes } from './bytes';
import { cacheDir } from './cache';
import { planSplit, splitFromPlan, stratifies, type SplitPlan } from './split';
import type { LoadedDataset, SplitResult, SplitSpec } from './types';

/** The modules a plan is made by: a plan that other code made is not reused. */
const PLANNING_MODULES = ['./split', './units', './rng', './hash', './bytes'];
let planningCode: string | undefined;

function planningDigest(): string {
  if (planningCode === undefined) {
    const hash = createHash('sha1');
    for (const name of PLANNING_MODULES) hash.update(fs.readFileSync(require.resolve(name)));
    planningCode = hash.digest('hex');
  }
  return planningCode;
}

/**
 * Everything a plan depends on: the planning code, the data (the fingerprint leaves groups out) and the spec,
 * its stratification as planSplit resolves it (by default, whether the dataset names its classes).
 */
function planKey(ds: LoadedDataset, spec: SplitSpec): string {
  const { seed, test, val, limit, ordered } = spec;
  const stratify = stratifies(ds, spec);
  const groups = ds.groups ? createHash('sha1').update(littleEndianBytes(ds.groups)).digest('hex') : null;
  return JSON.stringify({
    code: planningDigest(),
    fingerprint: ds.fingerprint,
    groups,
    n: ds.n,
    spec: { seed, test, val, limit, stratify, ordered },
  });
}

export function planFile(key: string, env: NodeJS.ProcessEnv = process.env): string {
  const digest = createHash('sha256').update(key).digest('hex').slice(0, 32);
  return path.join(cacheDir(env), 'splits', `${digest}.json`);
}

function isRowList(v: unknown, n: number, seen: Uint8Array): v is number[] {
  if (!Array.isArray(v)) return false;
  for (const i of v as unknown[]) {
    if (typeof i !== 'number' || !Number.isInteger(i) || i < 0 || i >= n || seen[i]) return false;
    seen[i] = 1;
  }
  return true;
}

const isCount = (v: unknown): v is number => Number.isInteger(v) && (v as number) >= 0;

/** The plan stored for `key`, or undefined when there is none or it fails a check. */
export function readPlan(file: string, key: string, ds: LoadedDataset, spec: SplitSpec): SplitPlan | undefined {
  let stored: { key?: unknown; plan?: Partial<SplitPlan> };
  try {
    stored = JSON.parse(fs.readFileSync(file, 'utf8')) as typeof stored;
  } catch {
    return undefined;
  }
  const plan = stored?.plan;
  if (stored?.key !== key || typeof plan !== 'object' || plan === null) return undefined;
  const seen = new Uint8Array(ds.n);
  const { train, val, test, report } = plan;
  if (!isRowList(train, ds.n, seen) || !isRowList(val, ds.n, seen) || !isRowList(test, ds.n, seen)) return undefined;
  if (train.length === 0 || test.length === 0 || (!((spec.val ?? 0) > 0) && val.length > 0)) return undefined;
  if (!report || !isCount(report.trainTestOverlap) || !isCount(report.duplicatesFound)) return undefined;
  return {
    train,
    val,
    test,
    report: { trainTestOverlap: report.trainTestOverlap, duplicatesFound: report.duplicatesFound },
  };
}

/**
 * splitDataset's result, with the plan read from the cache when it holds one for this data and spec, else
 * planned and stored. A cache that cannot be written only costs the next check the planning again.
 */
export function splitDatasetCached(ds: LoadedDataset, spec: SplitSpec): SplitResult {
  const key = planKey(ds, spec);
  const file = planFile(key);
  let plan = readPlan(file, key, ds, spec);
  if (!plan) {
    plan = planSplit(ds, spec);
    try {
      writeFileAtomic(file, JSON.stringify({ key, plan }));
    } catch {
      // A read-only or full cache folder: the split is right all the same.
    }
  }
  return splitFromPlan(ds, spec, plan);
}
