/**
 * Typed arrays to and from little-endian bytes. Every platform Node ships on
 * today is little-endian, where these are plain views and copies; the
 * big-endian branch keeps files and hashes portable anyway.
 */
import { endianness } from 'node:os';

type Word32Array = Float32Array | Int32Array | Uint32Array;

const LITTLE = endianness() === 'LE';

export function littleEndianBytes(array: Word32Array): Buffer {
  if (LITTLE) return Buffer.from(array.buffer, array.byteOffset, array.byteLength);
  const out = Buffer.alloc(array.byteLength);
  const view = new DataView(out.buffer, out.byteOffset, out.byteLength);
  for (let i = 0; i < array.length; i++) {
    if (array instanceof Float32Array) view.setFloat32(i * 4, array[i], true);
    else if (array instanceof Int32Array) view.setInt32(i * 4, array[i], true);
    else view.setUint32(i * 4, array[i], true);
  }
  return out;
}

/** Copies (never views) so the result is aligned and owns its memory. */
export function readFloat32(bytes: Uint8Array): Float32Array {
  const out = new Float32Array(bytes.byteLength / 4);
  if (LITTLE) new Uint8Array(out.buffer).set(bytes);
  else {
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    for (let i = 0; i < out.length; i++) out[i] = view.getFloat32(i * 4, true);
  }
  return out;
}

export function readInt32(bytes: Uint8Array): Int32Array {
  const out = new Int32Array(bytes.byteLength / 4);
  if (LITTLE) new Uint8Array(out.buffer).set(bytes);
  else {
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    for (let i = 0; i < out.length; i++) out[i] = view.getInt32(i * 4, true);
  }
  return out;
}

export function readUint32(bytes: Uint8Array): Uint32Array {
  const out = new Uint32Array(bytes.byteLength / 4);
  if (LITTLE) new Uint8Array(out.buffer).set(bytes);
  else {
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    for (let i = 0; i < out.length; i++) out[i] = view.getUint32(i * 4, true);
  }
  return out;
}
