/**
 * Pieces the seeded generators share. Everything here draws from `rng.ts`,
 * so a generator's output depends on its options alone.
 */
import { DatasetError } from '../../errors';
import { gaussian, type Rng } from '../rng';

/** Past this many feature values a generator would allocate gigabytes; a curriculum never needs it. */
const MAX_VALUES = 50_000_000;

export function checkSize(id: string, n: number, d: number): void {
  if (n * d > MAX_VALUES) {
    throw new DatasetError(`dataset '${id}': n x d = ${n * d} values is more than the ${MAX_VALUES} a generator makes`);
  }
}

/** Coefficients a learner can read and compare with: uniform in [-limit, limit], one decimal, never 0. */
export function roundCoefficients(rng: Rng, count: number, limit: number): number[] {
  const out: number[] = [];
  while (out.length < count) {
    const value = Math.round((rng() * 2 - 1) * limit * 10) / 10;
    if (value !== 0) out.push(value);
  }
  return out;
}

/**
 * n x d standard-normal features, rounded to float32 before anything is
 * computed from them, so the relation the learner should recover holds on
 * the values the learner actually sees.
 */
export function normalFeatures(rng: Rng, n: number, d: number): Float32Array {
  const x = new Float32Array(n * d);
  for (let i = 0; i < x.length; i++) x[i] = gaussian(rng);
  return x;
}

export function dot(x: Float32Array, row: number, w: readonly number[]): number {
  const d = w.length;
  let sum = 0;
  for (let j = 0; j < d; j++) sum += x[row * d + j] * w[j];
  return sum;
}

export function featureNames(d: number): string[] {
  return Array.from({ length: d }, (_, j) => `x${j + 1}`);
}
