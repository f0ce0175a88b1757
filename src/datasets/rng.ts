/**
 * Seeded randomness that gives the same numbers on every machine and Node
 * version. Only integer ops and IEEE +, -, *, / are used: Math.random is
 * unseeded, and Math.log / Math.cos / Math.exp are not required to be
 * correctly rounded, so a held-out split or a synthetic dataset built on them
 * could differ between two graders.
 *
 * Hand-written on purpose, for that reason: the derived seeds, the normal
 * draws and exp must use integer and IEEE +, -, *, / only, a promise no
 * library we could use makes, and a split that moved between two graders
 * would grade one submission two ways.
 */

import { createHash, randomInt as secureInt } from 'node:crypto';
export type Rng = () => number;

/** mulberry32: a uniform float in [0, 1) per call, a multiple of 2^-32. */
export function createRng(seed: number): Rng {
  if (!Number.isFinite(seed)) throw new RangeError(`seed must be a finite number, got ${seed}`);
  let state = Math.trunc(seed) >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A seed for an independent stream, so that e.g. the subsample and the split of one seed do not reuse numbers. */
export function deriveSeed(seed: number, purpose: string): number {
  // FNV-1a over the purpose, folded with the seed.
  let h = 0x811c9dc5 ^ (Math.trunc(seed) >>> 0);
  for (let i = 0; i < purpose.length; i++) {
    h ^= purpose.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/**
 * A seed that cannot be traced back to `seed` (SHA-256, unlike deriveSeed's
 * FNV, which inverts): for seeds handed to graded code when `seed` also
 * draws data the code must not rebuild.
 */
export function oneWaySeed(seed: number, purpose: string): number {
  return createHash('sha256')
    .update(`${Math.trunc(seed)}:${purpose}`)
    .digest()
    .readUInt32BE(0);
}

/** Integer in [0, n). */
export function randomInt(rng: Rng, n: number): number {
  return Math.floor(rng() * n);
}

/** In-place Fisher-Yates shuffle. */
export function shuffleInPlace<T>(items: T[] | Int32Array, rng: Rng): void {
  for (let i = items.length - 1; i > 0; i--) {
    const j = randomInt(rng, i + 1);
    const tmp = items[i];
    items[i] = items[j];
    items[j] = tmp;
  }
}

/** 0..n-1 in an order drawn from the operating system's randomness, which no one can recompute from a seed. */
export function secretOrder(n: number): number[] {
  const out = Array.from({ length: n }, (_, i) => i);
  for (let i = n - 1; i > 0; i--) {
    const j = secureInt(i + 1);
    [out[i], out[j]] = [out[j], out[i]];
  }
  return out;
}

/**
 * Approximately standard normal: the sum of twelve uniforms minus six (mean 0,
 * variance 1, tails cut at +-6). Box-Muller would need log and cos.
 */
export function gaussian(rng: Rng): number {
  let sum = 0;
  for (let i = 0; i < 12; i++) sum += rng();
  return sum - 6;
}

const LN2_HI = 0.6931471803691238;
const LN2_LO = 1.9082149292705877e-10;

/** e^x from IEEE arithmetic only (range reduction by ln 2, then a Taylor series). */
export function exp(x: number): number {
  if (Number.isNaN(x)) return NaN;
  if (x > 709) return Infinity;
  if (x < -745) return 0;
  const k = Math.round(x / (LN2_HI + LN2_LO));
  const r = x - k * LN2_HI - k * LN2_LO;
  let term = 1;
  let sum = 1;
  for (let i = 1; i < 20; i++) {
    term = (term * r) / i;
    sum += term;
  }
  let scale = 1;
  const factor = k >= 0 ? 2 : 0.5;
  for (let i = Math.abs(k); i > 0; i--) scale *= factor;
  return sum * scale;
}

export function sigmoid(z: number): number {
  return z >= 0 ? 1 / (1 + exp(-z)) : exp(z) / (1 + exp(z));
}
