/**
 * The child's half of grader/packing.ts: each PackedTensor in a message the
 * grader sent is put back to float32 `values` as the message arrives
 * (harness.ts), before any kind's code reads it, so nothing else in the child
 * sees a packed tensor. The codes index a table of bit patterns, so the child
 * gets the very float32 bits the grader held.
 */

/** How deep in a message wire tensors are looked for (as grader/packing.ts packs them). */
const MAX_DEPTH = 4;

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
