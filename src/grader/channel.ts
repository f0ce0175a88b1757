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
import { Deserializer, deserialize, serialize } from 'node:v8';
import { append } from './child/own';

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
  return Buffer.concat(frameParts(message, marker));
}

/**
 * The frame as its three parts, marker, length and body, for a writer that sends them one after the other
 * (a stream keeps writes made in one turn together and in order): the body, megabytes for a dataset, is not
 * copied again to join them.
 */
export function frameParts(message: unknown, marker: Buffer): [Buffer, Buffer, Buffer] {
  const body = serialize(message);
  if (body.length > MAX_LENGTH)
    throw new FrameError('too-large', `a message of ${body.length} bytes does not fit in a frame`, body.length);
  const length = Buffer.allocUnsafe(LENGTH_BYTES);
  length.writeUInt32BE(body.length, 0);
  return [marker, length, body];
}

// Taken as this module loads, before any learner code runs in the child (see `isolate` below).
const applyFn = Reflect.apply;
const getProto = Reflect.getPrototypeOf;
const setProto = Reflect.setPrototypeOf;
const slowBuffer = Buffer.allocUnsafeSlow.bind(Buffer);
const typedProto = getProto(Uint8Array.prototype) as object;
const typedSet = Reflect.getOwnPropertyDescriptor(typedProto, 'set')!.value as (src: ArrayLike<number>) => void;
const typedFill = Reflect.getOwnPropertyDescriptor(typedProto, 'fill')!.value as (v: number) => void;
const typedLength = Reflect.getOwnPropertyDescriptor(typedProto, 'length')!.get as (this: unknown) => number;
const typedBuffer = Reflect.getOwnPropertyDescriptor(typedProto, 'buffer')!.get as (this: unknown) => ArrayBuffer;
const subarrayOf = Reflect.getOwnPropertyDescriptor(typedProto, 'subarray')!.value as (
  this: unknown,
  start: number,
  end: number,
) => Uint8Array;
const NewUint8Array = Uint8Array;
// FrameDecoder's own steps, for the same reason: in the child every byte the grader sends passes through it, and a
// prototype method swapped while a chunk is decoded (and put back before the integrity check looks) would see them.
const typedOffset = Reflect.getOwnPropertyDescriptor(typedProto, 'byteOffset')!.get as (this: unknown) => number;
/**
 * Bytes `start` to `end` of `bytes`, as a new Uint8Array on the same memory. Not Buffer's subarray, which is
 * JavaScript reading `length` and `byteOffset` through the getters a Buffer inherits, nor the typed array one,
 * which asks the species constructor (through `constructor`) to make the view.
 */
function view(bytes: Uint8Array, start: number, end: number): Uint8Array {
  return new NewUint8Array(applyFn(typedBuffer, bytes, []), applyFn(typedOffset, bytes, []) + start, end - start);
}
const deserializeValue = deserialize;
/** A Buffer's length: the typed array getter captured above, not the `length` a Buffer inherits. */
function sizeOf(bytes: Uint8Array): number {
  return applyFn(typedLength, bytes, []);
}

/**
 * The constructors V8's default serializer names by index for a typed array or DataView (node:v8's own list; 10 is
 * a Buffer), with their element sizes, read once here.
 */
const HOST_VIEWS: readonly (readonly [
  new (buffer: ArrayBuffer, offset: number, length: number) => ArrayBufferView,
  number,
])[] = [
  Int8Array,
  Uint8Array,
  Uint8ClampedArray,
  Int16Array,
  Uint16Array,
  Int32Array,
  Uint32Array,
  Float32Array,
  Float64Array,
  DataView,
  Uint8Array,
  BigInt64Array,
  BigUint64Array,
].map((c) => [c, (c as { BYTES_PER_ELEMENT?: number }).BYTES_PER_ELEMENT ?? 1] as const);
const BUFFER_VIEW = 10;
const bufferProto: object = Buffer.prototype as object;
/* eslint-disable @typescript-eslint/unbound-method -- called only through applyFn, with the deserializer as `this` */
const readHeader = Deserializer.prototype.readHeader;
const readValue = Deserializer.prototype.readValue;
const readUint32 = Deserializer.prototype.readUint32;
const readRawBytes = (Deserializer.prototype as unknown as { _readRawBytes: (length: number) => number })._readRawBytes;
/* eslint-enable @typescript-eslint/unbound-method */

/**
 * node:v8's DefaultDeserializer makes each typed array a view of the bytes it reads, found through the
 * `buffer` and `byteOffset` getters every typed array inherits (and, when unaligned, copied with
 * Buffer.allocUnsafe): learner code that swapped one of those while a frame was read would be handed the whole
 * frame. Here each one is copied into an ArrayBuffer of its own with functions captured at load.
 */
class IsolatingDeserializer extends Deserializer {
  readonly #source: Uint8Array;

  constructor(source: Uint8Array) {
    super(source);
    this.#source = source;
  }

  _readHostObject(): ArrayBufferView {
    const type = applyFn(readUint32, this, []);
    const byteLength = applyFn(readUint32, this, []);
    const offset = applyFn(readRawBytes, this, [byteLength]);
    const entry = type < HOST_VIEWS.length ? HOST_VIEWS[type] : undefined;
    if (!entry || byteLength % entry[1] !== 0)
      throw new Error(`a message held a typed array of an unknown kind (${type})`);
    const bytes = new NewUint8Array(byteLength);
    applyFn(typedSet, bytes, [applyFn(subarrayOf, this.#source, [offset, offset + byteLength])]);
    const view = new entry[0](applyFn(typedBuffer, bytes, []), 0, byteLength / entry[1]);
    if (type === BUFFER_VIEW) setProto(view, bufferProto);
    return view;
  }
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
  private chunks: Uint8Array[] = [];
  private buffered = 0;
  private need = -1;
  private broken?: FrameError;
  /** Set when peek joins chunks into a buffer it made: bytes taken then are this decoder's alone. */
  private joined = false;

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
    append(this.chunks, chunk);
    this.buffered += sizeOf(chunk);
    const messages: unknown[] = [];
    for (;;) {
      if (this.need < 0) {
        if (this.buffered === 0) return messages;
        // Checked on every byte that arrives, not once a whole header is in:
        // a lone byte that cannot start a frame already breaks the stream.
        const head = this.peek(Math.min(this.buffered, HEADER_BYTES));
        const seen = Math.min(sizeOf(head), MARKER_BYTES);
        // Byte by byte, and the length by hand: no Buffer method (equals, readUInt32BE) a submission could swap.
        for (let i = 0; i < seen; i++) {
          if (head[i] !== this.marker[i])
            throw this.break(new FrameError('foreign', 'bytes that do not start a frame of this session'));
        }
        if (sizeOf(head) < HEADER_BYTES) return messages;
        const at = MARKER_BYTES;
        const length = head[at] * 0x1000000 + head[at + 1] * 0x10000 + head[at + 2] * 0x100 + head[at + 3];
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
      this.joined = false;
      const body = this.take(this.need);
      // A body that spanned chunks was just copied into a buffer of the decoder's own: no second copy.
      const own = this.joined;
      this.need = -1;
      try {
        append(messages, this.isolate ? isolated(body, own) : deserializeValue(body));
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
  private peek(bytes: number): Uint8Array {
    if (sizeOf(this.chunks[0]) < bytes) {
      // Never from Buffer's shared pool, which a small Buffer of learner code's would be a view of.
      const joined = slowBuffer(this.buffered);
      let at = 0;
      // An index loop, not for..of: the array iterator is a prototype method too.
      for (let i = 0; i < this.chunks.length; i++) {
        applyFn(typedSet, joined, [this.chunks[i], at]);
        at += sizeOf(this.chunks[i]);
      }
      this.chunks = [joined];
      this.joined = true;
    }
    return view(this.chunks[0], 0, bytes);
  }

  private take(bytes: number): Uint8Array {
    if (bytes === 0) return slowBuffer(0);
    const out = this.peek(bytes);
    const rest = view(this.chunks[0], bytes, sizeOf(this.chunks[0]));
    // The first chunk replaced by what is left of it, without splice.
    const chunks: Uint8Array[] = sizeOf(rest) ? [rest] : [];
    for (let i = 1; i < this.chunks.length; i++) append(chunks, this.chunks[i]);
    this.chunks = chunks;
    this.buffered -= bytes;
    return out;
  }
}

/**
 * A message read from a private copy of `body` (`body` itself when the decoder made it and nothing else holds it:
 * a 25 MB frame is then not copied twice), its views copied out, the copy zeroed (FrameDecoder's `isolate`).
 */
function isolated(body: Uint8Array, decodersOwn = false): unknown {
  let own = body;
  if (!decodersOwn) {
    own = slowBuffer(sizeOf(body));
    applyFn(typedSet, own, [body]);
  }
  try {
    const reader = new IsolatingDeserializer(own);
    applyFn(readHeader, reader, []);
    return applyFn(readValue, reader, []);
  } finally {
    applyFn(typedFill, own, [0]);
  }
}
