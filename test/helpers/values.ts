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
