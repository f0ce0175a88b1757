/**
 * Building LoadedDataset values: every loader and every split goes through
 * `makeDataset`, so shapes are checked and the fingerprint is computed in one
 * place. The fingerprint is a sha256 over every value, which a split's parts
 * never need on the way to a check (about 50 ms for MNIST's training part):
 * it is computed the first time it is read.
 */
import { DatasetError } from '../errors';
import { fingerprintOf, rowWidth } from './hash';
import type { LoadedDataset } from './types';

export type DatasetParts = Omit<LoadedDataset, 'fingerprint' | 'n'> & { n?: number };

export function makeDataset(parts: DatasetParts): LoadedDataset {
  const n = parts.n ?? parts.labels.length;
  const width = rowWidth(parts);
  const problems: string[] = [];
  if (parts.labels.length !== n) problems.push(`${parts.labels.length} labels for ${n} rows`);
  if (parts.features.length !== n * width)
    problems.push(`${parts.features.length} feature values, expected ${n} x ${width}`);
  if (parts.texts && parts.texts.length !== n) problems.push(`${parts.texts.length} texts for ${n} rows`);
  if (parts.groups && parts.groups.length !== n) problems.push(`${parts.groups.length} group ids for ${n} rows`);
  if (parts.featureNames && width > 0 && parts.featureNames.length !== width) {
    problems.push(`${parts.featureNames.length} feature names for ${width} features`);
  }
  if (problems.length) throw new DatasetError(`dataset '${parts.id}' is inconsistent: ${problems.join('; ')}`);
  let fingerprint: string | undefined;
  return {
    ...parts,
    n,
    get fingerprint(): string {
      return (fingerprint ??= fingerprintOf(parts));
    },
  };
}

/** The rows at `indices`, in that order, as a dataset of its own (names, meta and notes carried over). */
export function selectRows(ds: LoadedDataset, indices: ArrayLike<number>): LoadedDataset {
  const width = rowWidth(ds);
  const count = indices.length;
  const features = new Float32Array(count * width);
  const labels = new Float32Array(count);
  const groups = ds.groups ? new Int32Array(count) : undefined;
  const texts = ds.texts ? new Array<string>(count) : undefined;
  for (let r = 0; r < count; r++) {
    const i = indices[r];
    if (width > 0) features.set(ds.features.subarray(i * width, (i + 1) * width), r * width);
    labels[r] = ds.labels[i];
    if (groups) groups[r] = ds.groups![i];
    if (texts) texts[r] = ds.texts![i];
  }
  const parts: DatasetParts = { id: ds.id, n: count, features, featureShape: ds.featureShape.slice(), labels };
  if (texts) parts.texts = texts;
  if (groups) parts.groups = groups;
  if (ds.featureNames) parts.featureNames = ds.featureNames.slice();
  if (ds.classNames) parts.classNames = ds.classNames.slice();
  if (ds.meta) parts.meta = ds.meta;
  if (ds.notes) parts.notes = ds.notes.slice();
  return makeDataset(parts);
}
