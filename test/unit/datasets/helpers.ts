import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { makeDataset } from '../../../src/datasets/dataset';
import type { LoadedDataset } from '../../../src/datasets';

/** Points MLPATH_CACHE_DIR at a fresh temporary folder for the tests of one file, and removes it after. */
export function useTempCache(): { dir: () => string } {
  let dir = '';
  let previous: string | undefined;
  beforeAll(() => {
    previous = process.env.MLPATH_CACHE_DIR;
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mlpath-cache-test-'));
    process.env.MLPATH_CACHE_DIR = dir;
  });
  afterAll(() => {
    if (previous === undefined) delete process.env.MLPATH_CACHE_DIR;
    else process.env.MLPATH_CACHE_DIR = previous;
    fs.rmSync(dir, { recursive: true, force: true });
  });
  return { dir: () => dir };
}

export function tempDir(prefix = 'mlpath-ds-test-'): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

/** A small classification dataset: rows given as number arrays. */
export function tiny(rows: number[][], labels: number[], extra: Partial<LoadedDataset> = {}): LoadedDataset {
  const width = rows[0]?.length ?? 0;
  return makeDataset({
    id: 'tiny',
    features: Float32Array.from(rows.flat()),
    featureShape: [width],
    labels: Float32Array.from(labels),
    classNames: [...new Set(labels)].sort((a, b) => a - b).map(String),
    ...extra,
  });
}

export function classCounts(ds: LoadedDataset): Map<number, number> {
  const counts = new Map<number, number>();
  for (const label of ds.labels) counts.set(label, (counts.get(label) ?? 0) + 1);
  return counts;
}

// Plain loops that touch no global: under jest, globals (Math, Infinity,
// Number.isFinite) live on the sandbox's global object and every access is
// slow, which over 55 million pixels adds seconds.
export function hasNaN(values: Float32Array): boolean {
  for (let i = 0; i < values.length; i++) {
    // v - v is NaN exactly for NaN and +-Infinity.
    if (values[i] - values[i] !== 0) return true;
  }
  return false;
}

export function range(values: Float32Array): [number, number] {
  let min = values[0];
  let max = values[0];
  for (let i = 0; i < values.length; i++) {
    if (values[i] < min) min = values[i];
    if (values[i] > max) max = values[i];
  }
  return [min, max];
}
