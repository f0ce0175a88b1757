/**
 * The private channel between the grader and the harness: length-prefixed
 * V8-serialized frames on a pipe of their own (file descriptor 3 in the
 * child). Node's built-in IPC would do the framing, but its parser runs
 * inside the grader's event loop and throws there, crashing mlpath, when a
 * frame is malformed, and learner code can write anything to that
 * descriptor. Here a bad frame is an error the session reports.
 *
 * Every frame starts with a marker, then the body's length. The child's
 * marker is derived from the session token, which learner code never sees,
 * so bytes it writes to the descriptor fail the grader's check at their
 * first byte: they cannot pose as a header and swallow the harness's later
 * frames while the grader waits for a body that never comes.
 */
import { createHash } from 'node:crypto';
import { deserialize, serialize } from 'node:v8';

/** The child's end of the channel. */
export const CHANNEL_FD = 3;

/**
 * Frames from the child (where learner code runs too) longer than this are
 * refused from their header, before any of their body is buffered. The
 * largest real one, predictions for every held-out row (10,000 x 10 floats
 * for full MNIST), is well under a megabyte.
 */
export const MAX_CHILD_FRAME_BYTES = 64 * 1024 * 1024;

const MARKER_BYTES = 16;
const LENGTH_BYTES = 4;
const HEADER_BYTES = MARKER_BYTES + LENGTH_BYTES;
/** What a 4-byte length can say; the grader's frames carry whole training sets and are capped by nothing else. */
const MAX_LENGTH = 0xffff_ffff;

/** Marker of the grader's frames: only the grader writes towards the child, so it need not be secret. */
export const GRADER_MARKER = Buffer.from('mlpath grader   ', 'latin1');

/** Marker of the child's frames in the session of `token`. */
export function childMarker(token: string): Buffer {
  return createHash('sha256').update(`mlpath child frame\0${token}`).digest().subarray(0, MARKER_BYTES);
}

export type FrameProblem = 'foreign' | 'too-large' | 'unreadable' | 'truncated';

export class FrameError extends Error {
  constructor(
    readonly problem: FrameProblem,
    message: string,
    readonly bytes?: number,
  ) {
    super(message);
  }
}

export function encodeFrame(message: unknown, marker: Buffer): Buffer {
  const body = serialize(message);
  if (body.length > MAX_LENGTH)
    throw new FrameError('too-large', `a message of ${body.length} bytes does not fit in a frame`, body.length);
  const length = Buffer.allocUnsafe(LENGTH_BYTES);
  length.writeUInt32BE(body.length, 0);
  return Buffer.concat([marker, length, body]);
}

// Taken as this module loads, before any learner code runs in the child (see `isolate` below).
const applyFn = Reflect.apply;
const viewCheck = ArrayBuffer.isView.bind(ArrayBuffer);
const isView = (v: unknown): v is ArrayBufferView => viewCheck(v);
const isArray = Array.isArray;
const objectKeys = Object.keys;
const getProto = Reflect.getPrototypeOf;
const setProto = Reflect.setPrototypeOf;
const slowBuffer = Buffer.allocUnsafeSlow.bind(Buffer);
const typedProto = getProto(Uint8Array.prototype) as object;
const typedSet = Reflect.getOwnPropertyDescriptor(typedProto, 'set')!.value as (src: ArrayLike<number>) => void;
const typedFill = Reflect.getOwnPropertyDescriptor(typedProto, 'fill')!.value as (v: number) => void;
const typedLength = Reflect.getOwnPropertyDescriptor(typedProto, 'length')!.get as (this: unknown) => number;
const viewBuffer = Reflect.getOwnPropertyDescriptor(DataView.prototype, 'buffer')!.get as (
  this: unknown,
) => ArrayBuffer;
const viewOffset = Reflect.getOwnPropertyDescriptor(DataView.prototype, 'byteOffset')!.get as (this: unknown) => number;
const viewLength = Reflect.getOwnPropertyDescriptor(DataView.prototype, 'byteLength')!.get as (this: unknown) => number;
const NewDataView = DataView;
const NewUint8Array = Uint8Array;
type TypedCtor = new (n: number) => Uint8Array;
const typedTag = Reflect.getOwnPropertyDescriptor(typedProto, Symbol.toStringTag)!.get as (
  this: unknown,
) => string | undefined;
/** By the name a typed array's internal slot gives (the realm its prototype came from does not matter). */
const TYPED = new Map<string, TypedCtor>(
  [
    Int8Array,
    Uint8Array,
    Uint8ClampedArray,
    Int16Array,
    Uint16Array,
    Int32Array,
    Uint32Array,
    Float32Array,
    Float64Array,
    BigInt64Array,
    BigUint64Array,
  ].map((c) => [c.name, c as unknown as TypedCtor]),
);
// eslint-disable-next-line @typescript-eslint/unbound-method -- called through applyFn with the map as `this`
const mapGet = Map.prototype.get as (this: Map<string, TypedCtor>, key: string) => TypedCtor | undefined;

/** A copy of the view `v` in a buffer of its own, with `v`'s prototype (a Buffer stays a Buffer). */
function copyView(v: ArrayBufferView): ArrayBufferView {
  const tag = applyFn(typedTag, v, []);
  if (tag === undefined) {
    // A DataView.
    const bytes = new NewUint8Array(applyFn(viewLength, v, []));
    applyFn(typedSet, bytes, [new NewUint8Array(applyFn(viewBuffer, v, []), applyFn(viewOffset, v, []), bytes.length)]);
    return new NewDataView(bytes.buffer);
  }
  const Ctor = applyFn(mapGet, TYPED, [tag]);
  if (!Ctor) throw new Error(`a message held a typed array of an unknown kind (${tag})`);
  const out = new Ctor(applyFn(typedLength, v, []));
  applyFn(typedSet, out, [v]);
  const proto = getProto(v);
  if (proto !== getProto(out)) setProto(out, proto);
  return out;
}

/** `value` with every typed array or DataView in it replaced by a copy that shares no memory (the messages are plain data). */
function rehome(value: unknown): unknown {
  if (value === null || typeof value !== 'object') return value;
  if (isView(value)) return copyView(value);
  if (isArray(value)) {
    for (let i = 0; i < value.length; i++) value[i] = rehome(value[i]);
    return value;
  }
  const keys = objectKeys(value);
  for (let i = 0; i < keys.length; i++)
    (value as Record<string, unknown>)[keys[i]] = rehome((value as Record<string, unknown>)[keys[i]]);
  return value;
}

/**
 * Collects chunks of the byte stream and yields whole messages; throws
 * FrameError on anything else. Once broken it stays broken and keeps
 * nothing more, so a stream that goes on after a bad header costs no memory.
 *
 * With `isolate` (the child's end), a typed array in a message shares memory
 * with nothing: V8's deserializer makes typed arrays views of the bytes it
 * reads, so through `.buffer` learner code given the training data could
 * read whatever else those bytes held, the init frame's session token
 * among them, and forge the harness's frames. Each body is read from a
 * buffer of its own, its typed arrays copied out, and the buffer zeroed.
 */
export class FrameDecoder {
  private chunks: Buffer[] = [];
  private buffered = 0;
  private need = -1;
  private broken?: FrameError;

  constructor(
    private readonly marker: Buffer,
    private readonly maxFrameBytes = MAX_LENGTH,
    private readonly isolate = false,
  ) {
    if (marker.length !== MARKER_BYTES)
      throw new Error(`a frame marker has ${MARKER_BYTES} bytes, not ${marker.length}`);
  }

  /** Bytes held for a frame not yet complete. */
  get pending(): number {
    return this.buffered;
  }

  push(chunk: Buffer): unknown[] {
    if (this.broken) throw this.broken;
    this.chunks.push(chunk);
    this.buffered += chunk.length;
    const messages: unknown[] = [];
    for (;;) {
      if (this.need < 0) {
        if (this.buffered === 0) return messages;
        // Checked on every byte that arrives, not once a whole header is in:
        // a lone byte that cannot start a frame already breaks the stream.
        const head = this.peek(Math.min(this.buffered, HEADER_BYTES));
        const seen = Math.min(head.length, MARKER_BYTES);
        if (!head.subarray(0, seen).equals(this.marker.subarray(0, seen))) {
          throw this.break(new FrameError('foreign', 'bytes that do not start a frame of this session'));
        }
        if (head.length < HEADER_BYTES) return messages;
        const length = head.readUInt32BE(MARKER_BYTES);
        if (length > this.maxFrameBytes) {
          throw this.break(
            new FrameError(
              'too-large',
              `a frame of ${length} bytes is larger than the ${this.maxFrameBytes} allowed`,
              length,
            ),
          );
        }
        this.take(HEADER_BYTES);
        this.need = length;
      }
      if (this.buffered < this.need) return messages;
      const body = this.take(this.need);
      this.need = -1;
      try {
        messages.push(this.isolate ? isolated(body) : deserialize(body));
      } catch (err) {
        throw this.break(
          new FrameError(
            'unreadable',
            `a frame could not be read (${err instanceof Error ? err.message : String(err)})`,
          ),
        );
      }
    }
  }

  /** Call when the stream has closed: bytes of an unfinished frame are an error, not a message to wait for. */
  end(): void {
    if (this.broken) throw this.broken;
    if (this.buffered > 0 || this.need >= 0) {
      throw this.break(
        new FrameError(
          'truncated',
          `the channel closed in the middle of a frame (${this.buffered} bytes of it received)`,
        ),
      );
    }
  }

  private break(error: FrameError): FrameError {
    this.broken = error;
    this.chunks = [];
    this.buffered = 0;
    this.need = -1;
    return error;
  }

  /** The first `bytes` buffered (at least one must be). */
  private peek(bytes: number): Buffer {
    if (this.chunks[0].length < bytes) {
      // Never from Buffer's shared pool, which a small Buffer of learner code's would be a view of.
      const joined = slowBuffer(this.buffered);
      let at = 0;
      for (const chunk of this.chunks) {
        applyFn(typedSet, joined, [chunk, at]);
        at += chunk.length;
      }
      this.chunks = [joined];
    }
    return this.chunks[0].subarray(0, bytes);
  }

  private take(bytes: number): Buffer {
    if (bytes === 0) return Buffer.alloc(0);
    const out = this.peek(bytes);
    const rest = this.chunks[0].subarray(bytes);
    this.chunks.splice(0, 1, ...(rest.length ? [rest] : []));
    this.buffered -= bytes;
    return out;
  }
}

/** A message read from a private copy of `body`, its views copied out, the copy zeroed (FrameDecoder's `isolate`). */
function isolated(body: Buffer): unknown {
  const own = slowBuffer(body.length);
  applyFn(typedSet, own, [body]);
  try {
    return rehome(deserialize(own));
  } finally {
    applyFn(typedFill, own, [0]);
  }
}
