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

/**
 * Collects chunks of the byte stream and yields whole messages; throws
 * FrameError on anything else. Once broken it stays broken and keeps
 * nothing more, so a stream that goes on after a bad header costs no memory.
 */
export class FrameDecoder {
  private chunks: Buffer[] = [];
  private buffered = 0;
  private need = -1;
  private broken?: FrameError;

  constructor(
    private readonly marker: Buffer,
    private readonly maxFrameBytes = MAX_LENGTH,
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
        messages.push(deserialize(body));
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
    if (this.chunks[0].length < bytes) this.chunks = [Buffer.concat(this.chunks, this.buffered)];
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
