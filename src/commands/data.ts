/**
 * `mlpath data list` and `mlpath data info <id>`: what datasets exist, where
 * they come from, their license and size, and whether they are cached.
 * Returns data; the CLI prints it.
 */
import * as fs from 'node:fs';
import { cacheDir, datasetCacheFile, datasetInfo, datasetOptions, listDatasets, type DatasetInfo, type OptionDoc } from '../datasets';

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
}

function formatOption(o: OptionDoc): string {
  const range = o.values ? ` ${o.values.join('|')}` : o.min !== undefined || o.max !== undefined ? ` ${o.min ?? ''}..${o.max ?? ''}` : '';
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

/** Unknown ids throw a DatasetError that lists the valid ones. */
export async function info(id: string): Promise<DataInfoResult> {
  const result: DataInfoResult = { ...datasetInfo(id), options: datasetOptions(id).map(formatOption), cacheDir: cacheDir() };
  const file = cacheFileOf(id);
  if (file) {
    result.cacheFile = file;
    if (fs.existsSync(file)) result.cacheBytes = fs.statSync(file).size;
  }
  return result;
}
