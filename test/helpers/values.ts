/**
 * Deterministic values in [-1, 1) from a seeded LCG: tests that compare two
 * backends or two kernels feed both the same numbers, not two random draws.
 */
export function values(n: number, seed: number): Float32Array {
  let s = seed >>> 0;
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    out[i] = s / 2 ** 31 - 1;
  }
  return out;
}

/** values() with the awkward ones mixed in: zeros of both signs, an infinity, a NaN, huge and tiny. */
export function awkward(n: number, seed: number): Float32Array {
  const v = values(n, seed);
  const special = [0, -0, Infinity, -Infinity, NaN, 3e38, -3e38, 1e-40];
  for (let i = 0; i < n; i += 37) v[i] = special[(i / 37) % special.length];
  return v;
}

/** A tensor's values as float32 bit patterns: NaN payloads and -0 compare as themselves. */
export function bitsOf(t: { dataSync(): ArrayLike<number> }): Uint32Array {
  return new Uint32Array(Float32Array.from(t.dataSync()).buffer);
}

/** How many entries differ (all, when the lengths do): a count, where jest would print two large arrays whole. */
export function differing(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) return Math.max(a.length, b.length);
  let n = 0;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) n++;
  return n;
}
