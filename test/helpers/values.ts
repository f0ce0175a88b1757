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
