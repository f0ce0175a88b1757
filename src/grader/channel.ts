/**
 * The private channel between the grader and the harness: length-prefixed
 * V8-serialized frames on a pipe of their own (file descriptor 3 in the
 * child). Node's built-in IPC would do the framing, but its parser runs
 * inside the grader's event loop and throws there, crashing mlpath, when a
 * frame is malformed, and learner code can write anything to that
 * descriptor. Here a bad frame is an error the session reports.
 */
import { deserialize, serialize } from 'node:v8';

/** The child's end of the channel. */
export const CHANNEL_FD = 3;

/** Frames larger than this are refused rather than buffered (predictions of every held-out row fit easily). */
export const MAX_FRAME_BYTES = 1024 * 1024 * 1024;

const HEADER_BYTES = 4;

export class FrameError extends Error {}

export function encodeFrame(message: unknown): Buffer {
  const body = serialize(message);
  const header = Buffer.allocUnsafe(HEADER_BYTES);
  header.writeUInt32BE(body.length, 0);
  return Buffer.concat([header, body]);
}

/** Collects chunks of the byte stream and yields whole messages; throws FrameError on anything else. */
export class FrameDecoder {
  private chunks: Buffer[] = [];
  private buffered = 0;
  private need = -1;

  push(chunk: Buffer): unknown[] {
    this.chunks.push(chunk);
    this.buffered += chunk.length;
    const messages: unknown[] = [];
    for (;;) {
      if (this.need < 0) {
        if (this.buffered < HEADER_BYTES) return messages;
        const length = this.take(HEADER_BYTES).readUInt32BE(0);
        if (length > MAX_FRAME_BYTES) throw new FrameError(`a frame of ${length} bytes is larger than the ${MAX_FRAME_BYTES} allowed`);
        this.need = length;
      }
      if (this.buffered < this.need) return messages;
      const body = this.take(this.need);
      this.need = -1;
      try {
        messages.push(deserialize(body));
      } catch (err) {
        throw new FrameError(`a frame could not be read (${err instanceof Error ? err.message : String(err)})`);
      }
    }
  }

  private take(bytes: number): Buffer {
    const all = this.chunks.length === 1 ? this.chunks[0] : Buffer.concat(this.chunks, this.buffered);
    const out = all.subarray(0, bytes);
    const rest = all.subarray(bytes);
    this.chunks = rest.length ? [rest] : [];
    this.buffered = rest.length;
    return out;
  }
}
