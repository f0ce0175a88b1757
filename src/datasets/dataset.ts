/**
 * Building LoadedDataset values: every loader and every split goes through
 * `makeDataset`, so shapes are checked and the fingerprint is computed in one
 * place. The fingerprint is a sha256 over every value, which a split's parts
 * never need on the way to a check (about 50 ms for MNIST's training part):
 * it is computed the first time it is read.
 */
import { DatasetError } from '../errors';
import { fingerprintOf, rowWidth } from './hash';
import { pixelsToFloat } from './pixels';
import type { LoadedDataset } from './types';

/** A dataset's parts: its features as floats, or (pixel data) as the bytes they are made from. */
export type DatasetParts = Omit<LoadedDataset, 'fingerprint' | 'n' | 'features' | 'pixels'> & {
  n?: number;
  /** The features; left out when `pixels` is given. */
  features?: Float32Array;
  /** Pixel data's features as bytes; features given as well win, and the bytes are dropped. */
  pixels?: Uint8Array;
};

/**
 * `target` as a pixel dataset: `pixels` kept (not enumerable, so a copy made by spreading is a plain dataset),
 * `features` made from them the first time they are read. From then on, or once `features` is assigned, the
 * floats are the data and `pixels` is gone: what grader code changes in them is what a split copies and a
 * check sends, as for any dataset.
 */
export function withPixels<T extends object>(target: T, pixels: Uint8Array): T & Pick<LoadedDataset, 'features'> {
  let features: Float32Array | undefined;
  const settle = (value: Float32Array): Float32Array => {
    features = value;
    Reflect.deleteProperty(target, 'pixels');
    return value;
  };
  Object.defineProperty(target, 'pixels', { value: pixels, enumerable: false, writable: false, configurable: true });
  Object.defineProperty(target, 'features', {
    get: () => features ?? settle(pixelsToFloat(pixels)),
    set: (value: Float32Array) => {
      settle(value);
    },
    enumerable: true,
    configurable: true,
  });
  return target as T & Pick<LoadedDataset, 'features'>;
}

export function makeDataset(parts: DatasetParts): LoadedDataset {
  const n = parts.n ?? parts.labels.length;
  const width = rowWidth(parts);
  const problems: string[] = [];
  const pixels = parts.features ? undefined : parts.pixels;
  const features = parts.features ?? (pixels ? undefined : new Float32Array(0));
  const valueCount = (pixels ?? features!).length;
  if (parts.labels.length !== n) problems.push(`${parts.labels.length} labels for ${n} rows`);
  if (valueCount !== n * width) problems.push(`${valueCount} feature values, expected ${n} x ${width}`);
  if (parts.texts && parts.texts.length !== n) problems.push(`${parts.texts.length} texts for ${n} rows`);
  if (parts.groups && parts.groups.length !== n) problems.push(`${parts.groups.length} group ids for ${n} rows`);
  if (parts.featureNames && width > 0 && parts.featureNames.length !== width) {
    problems.push(`${parts.featureNames.length} feature names for ${width} features`);
  }
  if (problems.length) throw new DatasetError(`dataset '${parts.id}' is inconsistent: ${problems.join('; ')}`);
  let fingerprint: string | undefined;
  const { pixels: _bytes, features: _floats, ...rest } = parts;
  const made = {
    ...rest,
    n,
    get fingerprint(): string {
      return (fingerprint ??= fingerprintOf(made as LoadedDataset));
    },
  };
  if (pixels) withPixels(made, pixels);
  else Object.assign(made, { features });
  return made as LoadedDataset;
}

/** The rows at `indices`, in that order, as a dataset of its own (names, meta and notes carried over). */
export function selectRows(ds: LoadedDataset, indices: ArrayLike<number>): LoadedDataset {
  const width = rowWidth(ds);
  const count = indices.length;
  // Pixel data is copied as its bytes, a quarter of the floats' size.
  const source = ds.pixels ?? ds.features;
  const values = ds.pixels ? new Uint8Array(count * width) : new Float32Array(count * width);
  const labels = new Float32Array(count);
  const groups = ds.groups ? new Int32Array(count) : undefined;
  const texts = ds.texts ? new Array<string>(count) : undefined;
  for (let r = 0; r < count; r++) {
    const i = indices[r];
    if (width > 0) values.set(source.subarray(i * width, (i + 1) * width), r * width);
    labels[r] = ds.labels[i];
    if (groups) groups[r] = ds.groups![i];
    if (texts) texts[r] = ds.texts![i];
  }
  const common = { id: ds.id, n: count, featureShape: ds.featureShape.slice(), labels };
  const parts: DatasetParts =
    values instanceof Uint8Array ? { ...common, pixels: values } : { ...common, features: values };
  if (texts) parts.texts = texts;
  if (groups) parts.groups = groups;
  if (ds.featureNames) parts.featureNames = ds.featureNames.slice();
  if (ds.classNames) parts.classNames = ds.classNames.slice();
  if (ds.meta) parts.meta = ds.meta;
  if (ds.notes) parts.notes = ds.notes.slice();
  return makeDataset(parts);
}
