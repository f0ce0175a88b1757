/**
 * Image data as its 256 grey levels. Pixel datasets (MNIST, Fashion-MNIST)
 * are stored as bytes and become the 0..1 floats every image loader uses
 * only where floats are needed: a check copies and sends the bytes, a
 * quarter of the floats' size, and memory first touched is what a split of
 * MNIST costs most on a small machine.
 */

/** 1/255 steps, computed once; the same division yields the same floats everywhere. */
export const PIXEL = Float32Array.from({ length: 256 }, (_, i) => i / 255);

/** Bytes 0..255 as the 0..1 floats every image loader uses. */
export function pixelsToFloat(bytes: Uint8Array): Float32Array {
  const out = new Float32Array(bytes.length);
  for (let i = 0; i < bytes.length; i++) out[i] = PIXEL[bytes[i]];
  return out;
}
