/**
 * Float32 tensors with few distinct values, sent to the child as one byte per
 * value. MNIST's pixels are 256 grey levels over 255: its training part is 22
 * MB as float32 and 5.5 MB as codes, and every byte of a frame is serialized
 * once by the grader and copied about three times by the child's decoder
 * (channel.ts), once per seed's child. The child gets back the very float32
 * bits the grader held: codes index a table of bit patterns, so -0, NaN
 * payloads and every rounding survive.
 *
 * The grader packs (packTensors) every message it sends; the harness unpacks
 * each one as it arrives (child/unpack.ts), before any kind's code reads it,
 * so nothing else in the grader sees a packed tensor.
 *
 * Pixel data comes packed already (pixelTensor): its bytes are the codes and
 * the 256 grey levels the table, so neither the floats nor the pass that
 * finds the codes is made, unless grader code reads the tensor's values.
 */
import { PIXEL } from '../datasets/pixels';
import type { WireTensor } from './protocol';

/** A float32 wire tensor as sent: `table[codes[i]]` are the bits of value i. */
export interface PackedTensor {
  shape: number[];
  dtype: 'float32';
  packed: { codes: Uint8Array; table: Uint32Array };
}

/** Shorter tensors are sent as they are: the table and the walk would cost more than they save. */
const MIN_VALUES = 4096;
/** How deep in a message wire tensors are looked for (a service's payload holds the training data one level down). */
const MAX_DEPTH = 4;

/** `values` as codes into at most 256 bit patterns, or undefined when it holds more. */
export function packValues(values: Float32Array): PackedTensor['packed'] | undefined {
  const bits = new Uint32Array(values.buffer, values.byteOffset, values.length);
  const codes = new Uint8Array(bits.length);
  const table = new Uint32Array(256);
  // Open addressing over 1,024 slots, each the code of a pattern plus one (0: empty).
  const slots = new Uint16Array(1024);
  let count = 0;
  let last = -1;
  let lastCode = 0;
  for (let i = 0; i < bits.length; i++) {
    const b = bits[i];
    if (b === last) {
      codes[i] = lastCode;
      continue;
    }
    let slot = Math.imul(b, 0x9e3779b1) >>> 22;
    for (;;) {
      const held = slots[slot];
      if (held === 0) {
        if (count === 256) return undefined;
        table[count] = b;
        slots[slot] = ++count;
        lastCode = count - 1;
        break;
      }
      if (table[held - 1] === b) {
        lastCode = held - 1;
        break;
      }
      slot = (slot + 1) & 1023;
    }
    codes[i] = lastCode;
    last = b;
  }
  // Not cached by array: the grader may refill an array it sent before, and the codes must be of what it holds now.
  return { codes, table: table.slice(0, count) };
}

/** The grey levels' float32 bits: a pixel tensor's table. */
const PIXEL_BITS = new Uint32Array(PIXEL.buffer, PIXEL.byteOffset, PIXEL.length);

/** Pixel tensors whose values no one has read: each gives its bytes, or undefined once its floats exist. */
const unreadPixels = new WeakMap<object, () => Uint8Array | undefined>();

/** Where a pixel tensor's values come from: a pixel dataset (datasets/dataset.ts withPixels). */
export interface PixelSource {
  /** The values as bytes, until `features` is read. */
  readonly pixels?: Uint8Array;
  readonly features: Float32Array;
}

/**
 * A float32 wire tensor of pixel data, the source's features, sent as the source's bytes while no one has
 * read the floats. Its `values` are the source's `features`: once anything reads them the source drops its
 * bytes, and the tensor is packed from the floats as any other is, so a change made to them is what is sent.
 */
export function pixelTensor(source: PixelSource, shape: number[]): WireTensor {
  const tensor = {
    shape,
    dtype: 'float32' as const,
    get values(): Float32Array {
      return source.features;
    },
  };
  unreadPixels.set(tensor, () => source.pixels);
  return tensor;
}

/** A wire tensor's size in bytes, without making a pixel tensor's floats: 0 for strings. */
export function wireByteLength(t: WireTensor): number {
  const pixels = unreadPixels.get(t)?.();
  if (pixels) return pixels.length * Float32Array.BYTES_PER_ELEMENT;
  return ArrayBuffer.isView(t.values) ? t.values.byteLength : 0;
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v) && !ArrayBuffer.isView(v);
}

/**
 * `message` with each float32 wire tensor that packs replaced by its PackedTensor; the objects on the way are
 * copied, never changed, so the grader's own data stays as it was.
 */
export function packTensors<T>(message: T, depth = 0): T {
  if (!isPlainObject(message) || depth > MAX_DEPTH) return message;
  const pixels = unreadPixels.get(message)?.();
  if (pixels) {
    const { shape, dtype } = message;
    return { shape, dtype, packed: { codes: pixels, table: PIXEL_BITS } } as T;
  }
  const values = message.values;
  if (message.dtype === 'float32' && values instanceof Float32Array && values.length >= MIN_VALUES) {
    const packed = packValues(values);
    if (!packed) return message;
    const { values: _sent, ...rest } = message;
    return { ...rest, packed } as T;
  }
  let copy: Record<string, unknown> | undefined;
  for (const key of Object.keys(message)) {
    const v = message[key];
    const p = packTensors(v, depth + 1);
    if (p !== v) (copy ??= { ...message })[key] = p;
  }
  return (copy ?? message) as T;
}
