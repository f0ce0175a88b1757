/**
 * The one list of datasets mlpath knows. Curricula, the grader and
 * `mlpath data` all go through here; nothing else loads data.
 */
import { DatasetError } from '../errors';
import { isCached } from './cache';
import type { DatasetFactory } from './factory';
import { boston } from './loaders/boston';
import { cpsWages } from './loaders/cps-wages';
import { fashionMnist } from './loaders/fashion-mnist';
import { iris } from './loaders/iris';
import { mnist } from './loaders/mnist';
import { spam } from './loaders/spam';
import { resolveOptions, type OptionSpec, type OptionValue, type ResolvedOptions } from './options';
import { driftStream } from './synthetic/drift-stream';
import { syntheticLinear } from './synthetic/linear';
import { syntheticLogistic } from './synthetic/logistic';
import { ratings } from './synthetic/ratings';
import type { DatasetInfo, DatasetOptions, LoadedDataset } from './types';

const FACTORIES: readonly DatasetFactory[] = [
  mnist,
  fashionMnist,
  iris,
  spam,
  boston,
  cpsWages,
  syntheticLinear,
  syntheticLogistic,
  driftStream,
  ratings,
];

export const DATASET_IDS: readonly string[] = FACTORIES.map((f) => f.info.id);

/** Every package that ships a dataset's files: what graded code is refused, by name and every subpath. */
export function datasetPackages(): string[] {
  return [...new Set(FACTORIES.flatMap((f) => f.packages))];
}

function factory(id: string): DatasetFactory {
  const found = FACTORIES.find((f) => f.info.id === id);
  if (!found) {
    throw new DatasetError(`unknown dataset '${id}'; valid ids: ${DATASET_IDS.join(', ')}`, 'run `mlpath data list`');
  }
  return found;
}

/** Whether the default load of a dataset is in the cache; undefined for data that is never cached. */
function cachedStatus(f: DatasetFactory, options: ResolvedOptions): boolean | undefined {
  if (!f.cacheFile) return undefined;
  try {
    return isCached(f.cacheFile(options));
  } catch {
    // The source package is not installed, so there is no key to look for.
    return false;
  }
}

function describe(f: DatasetFactory): DatasetInfo {
  const info: DatasetInfo = { ...f.info, featureShape: f.info.featureShape.slice() };
  if (f.info.classNames) info.classNames = f.info.classNames.slice();
  const cached = cachedStatus(f, resolveOptions(f.info.id, f.options));
  if (cached !== undefined) info.cached = cached;
  return info;
}

export function listDatasets(): DatasetInfo[] {
  return FACTORIES.map(describe);
}

export function datasetInfo(id: string): DatasetInfo {
  return describe(factory(id));
}

export interface OptionDoc {
  name: string;
  type: OptionSpec['type'];
  /** The default, resolved against the current environment (e.g. MLPATH_MNIST_FULL). */
  default: OptionValue;
  min?: number;
  max?: number;
  values?: string[];
  description: string;
}

/** The options a dataset takes, for `mlpath data info` and editors. */
export function datasetOptions(id: string): OptionDoc[] {
  const f = factory(id);
  const resolved = resolveOptions(id, f.options);
  return Object.entries(f.options).map(([name, spec]) => {
    const doc: OptionDoc = { name, type: spec.type, default: resolved[name], description: spec.description };
    if (spec.min !== undefined) doc.min = spec.min;
    if (spec.max !== undefined) doc.max = spec.max;
    if (spec.values) doc.values = spec.values.slice();
    return doc;
  });
}

/** Checks `options` against what dataset `id` takes, without loading anything (for curriculum validation). */
export function checkDatasetOptions(id: string, options?: DatasetOptions): void {
  resolveOptions(id, factory(id).options, options);
}

export function datasetCacheFile(id: string, options?: DatasetOptions): string | undefined {
  const f = factory(id);
  return f.cacheFile?.(resolveOptions(id, f.options, options));
}

export async function loadDataset(id: string, options?: DatasetOptions): Promise<LoadedDataset> {
  const f = factory(id);
  return f.load(resolveOptions(id, f.options, options));
}
