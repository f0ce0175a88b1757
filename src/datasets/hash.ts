/**
 * Content hashes: the fingerprint of a whole dataset, and one key per row for
 * exact-duplicate detection. Typed arrays are hashed as little-endian bytes so
 * the same data hashes the same on every machine.
 */
import { createHash, type Hash } from 'node:crypto';
import { littleEndianBytes } from './bytes';
import type { LoadedDataset } from './types';

function updateWithText(hash: Hash, text: string): void {
  const bytes = Buffer.from(text, 'utf8');
  const length = Buffer.alloc(4);
  length.writeUInt32LE(bytes.length, 0);
  hash.update(length);
  hash.update(bytes);
}

export function fingerprintOf(parts: Pick<LoadedDataset, 'features' | 'labels' | 'texts'>): string {
  const hash = createHash('sha256');
  hash.update(littleEndianBytes(parts.features));
  hash.update(littleEndianBytes(parts.labels));
  if (parts.texts) for (const text of parts.texts) updateWithText(hash, text);
  return hash.digest('hex');
}

export function rowWidth(ds: Pick<LoadedDataset, 'featureShape'>): number {
  return ds.featureShape.reduce((a, b) => a * b, 1);
}

/**
 * One key per row, equal exactly when the rows' features and text are equal
 * (the label is left out on purpose: the same input with another label still
 * leaks). -0 and 0 are distinct bytes, which is fine for exact duplicates.
 */
export function rowKeys(ds: Pick<LoadedDataset, 'n' | 'features' | 'featureShape' | 'texts'>): string[] {
  const width = rowWidth(ds);
  const bytes = littleEndianBytes(ds.features);
  const keys = new Array<string>(ds.n);
  for (let i = 0; i < ds.n; i++) {
    const hash = createHash('sha1');
    hash.update(bytes.subarray(i * width * 4, (i + 1) * width * 4));
    if (ds.texts) updateWithText(hash, ds.texts[i]);
    keys[i] = hash.digest('base64');
  }
  return keys;
}
