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
 * (unpackTensors) each one as it arrives, before any kind's code reads it, so
 * nothing else in the grader sees a packed tensor.
 */

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

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v) && !ArrayBuffer.isView(v);
}

/**
 * `message` with each float32 wire tensor that packs replaced by its PackedTensor; the objects on the way are
 * copied, never changed, so the grader's own data stays as it was.
 */
export function packTensors<T>(message: T, depth = 0): T {
  if (!isPlainObject(message) || depth > MAX_DEPTH) return message;
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

// The child's half runs as each message arrives, with learner code loaded: only functions taken as this module
// loads, own properties and typed array elements, which no prototype can intercept.
const ownKeys = Reflect.ownKeys;
const defineProperty = Reflect.defineProperty;
const deleteProperty = Reflect.deleteProperty;
const getOwn = Reflect.getOwnPropertyDescriptor;
const applyFn = Reflect.apply;
const isView = ArrayBuffer.isView.bind(ArrayBuffer);
const isArray = Array.isArray;
const typedProto = Reflect.getPrototypeOf(Uint8Array.prototype) as object;
const typedLength = getOwn(typedProto, 'length')!.get as () => number;
const typedBuffer = getOwn(typedProto, 'buffer')!.get as () => ArrayBuffer;
const typedTag = getOwn(typedProto, Symbol.toStringTag)!.get as () => string | undefined;
const NewUint32Array = Uint32Array;
const NewFloat32Array = Float32Array;

function ownValue(target: object, key: PropertyKey): unknown {
  const d = getOwn(target, key);
  return d && 'value' in d ? d.value : undefined;
}

function tagOf(v: unknown): string | undefined {
  return isView(v) ? applyFn(typedTag, v, []) : undefined;
}

function unpacked(packed: unknown): Float32Array | undefined {
  if (packed === null || typeof packed !== 'object') return undefined;
  const codes = ownValue(packed, 'codes');
  const table = ownValue(packed, 'table');
  if (tagOf(codes) !== 'Uint8Array' || tagOf(table) !== 'Uint32Array') return undefined;
  const c = codes as Uint8Array;
  const t = table as Uint32Array;
  const n = applyFn(typedLength, c, []);
  const size = applyFn(typedLength, t, []);
  const bits = new NewUint32Array(n);
  for (let i = 0; i < n; i++) {
    const code = c[i];
    if (code >= size) throw new Error(`a packed tensor's code ${code} is outside its table of ${size}`);
    bits[i] = t[code];
  }
  return new NewFloat32Array(applyFn(typedBuffer, bits, []));
}

/** Puts each PackedTensor in `message` (as the harness decoded it) back to float32 `values`, in place. */
export function unpackTensors(message: unknown, depth = 0): void {
  // Arrays are not walked, as packTensors does not: the grader sends texts and ids in them, never a wire tensor.
  if (message === null || typeof message !== 'object' || isView(message) || isArray(message) || depth > MAX_DEPTH)
    return;
  const packed = ownValue(message, 'packed');
  if (packed !== undefined) {
    const values = unpacked(packed);
    if (!values) throw new Error('a packed tensor from the grader is malformed');
    deleteProperty(message, 'packed');
    defineProperty(message, 'values', { value: values, writable: true, enumerable: true, configurable: true });
    return;
  }
  const keys = ownKeys(message);
  for (let i = 0; i < keys.length; i++) unpackTensors(ownValue(message, keys[i]), depth + 1);
}
