/**
 * `mlpath data list` and `mlpath data info <id>`: what datasets exist, where
 * they come from, their license and size, and whether they are cached.
 * Returns data; the CLI prints it.
 */
import * as fs from 'node:fs';
import {
  cacheDir,
  datasetCacheFile,
  datasetInfo,
  datasetOptions,
  listDatasets,
  loadDataset,
  type DatasetInfo,
  type OptionDoc,
} from '../datasets';
import { holdoutHeader } from '../datasets/holdout';

export async function list(): Promise<DatasetInfo[]> {
  return listDatasets();
}

export interface DataInfoResult extends DatasetInfo {
  /** One line per option: `name (type, default value): description`. */
  options: string[];
  cacheDir: string;
  /** The cache file of the default load, for datasets that are cached. */
  cacheFile?: string;
  /** Its size on disk, when it exists. */
  cacheBytes?: number;
  /** Feature names in column order, or what the unnamed features are. */
  features: string[] | string;
  /** The first line of a holdout CSV for this dataset (`mlpath holdout make`). */
  holdoutHeader: string;
}

function formatOption(o: OptionDoc): string {
  const range = o.values
    ? ` ${o.values.join('|')}`
    : o.min !== undefined || o.max !== undefined
      ? ` ${o.min ?? ''}..${o.max ?? ''}`
      : '';
  return `${o.name} (${o.type}${range}, default ${JSON.stringify(o.default)}): ${o.description}`;
}

function cacheFileOf(id: string): string | undefined {
  try {
    return datasetCacheFile(id);
  } catch {
    // An optional source package is missing: there is nothing cached to point at.
    return undefined;
  }
}

/** Feature names and the holdout header need the data itself: loaded (from the cache when there is one) with the default options. */
async function columns(id: string): Promise<Pick<DataInfoResult, 'features' | 'holdoutHeader'>> {
  let ds;
  try {
    ds = await loadDataset(id);
  } catch (err) {
    const why = `unknown until the dataset loads (${(err as Error).message.split('\n')[0]})`;
    return { features: why, holdoutHeader: why };
  }
  const header = holdoutHeader(ds);
  if (ds.texts !== undefined)
    return { features: 'one text per row, no numeric features', holdoutHeader: header.join(',') };
  if (ds.featureNames && ds.featureNames.length === header.length - 1)
    return { features: ds.featureNames, holdoutHeader: header.join(',') };
  const width = header.length - 1;
  return {
    features: `${width} unnamed values per row (shape ${ds.featureShape.join(' x ')})`,
    holdoutHeader: `x1,x2,...,x${width},label`,
  };
}

/** Unknown ids throw a DatasetError that lists the valid ones. */
export async function info(id: string): Promise<DataInfoResult> {
  const base = datasetInfo(id);
  const result: DataInfoResult = {
    ...base,
    options: datasetOptions(id).map(formatOption),
    cacheDir: cacheDir(),
    features: '',
    holdoutHeader: '',
  };
  const file = cacheFileOf(id);
  if (file) {
    result.cacheFile = file;
    if (fs.existsSync(file)) result.cacheBytes = fs.statSync(file).size;
  }
  // After the cache state is read: loading caches the dataset, and this reports what was there before.
  Object.assign(result, await columns(id));
  return result;
}
