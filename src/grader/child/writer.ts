/**
 * The child's half of the channel, written so that learner code in the same
 * process can neither read nor forge what the harness sends. Every frame
 * carries the session's marker and token, so both must stay out of reach:
 * the frame is built and written with functions captured when this module
 * loads, before any learner code, and goes to the file descriptor with
 * `fs.writeSync` (no stream, no Socket.prototype.write or Buffer method a
 * submission could wrap to copy the bytes). A wrapped Array, Object or
 * Buffer method therefore sees nothing of the frames.
 */
import * as fs from 'node:fs';
import { serialize } from 'node:v8';

const writeSync = fs.writeSync;
const serializeValue = serialize;
const apply = Reflect.apply;
const setBytes = Uint8Array.prototype.set;
const subarray = Uint8Array.prototype.subarray;
const setUint32 = DataView.prototype.setUint32;
const byteLength = Reflect.getOwnPropertyDescriptor(
  Object.getPrototypeOf(Uint8Array.prototype) as object,
  'byteLength',
)!.get!;
const wait = Atomics.wait;
const pause = new Int32Array(new SharedArrayBuffer(4));
const NewUint8Array = Uint8Array;
const NewDataView = DataView;
const LENGTH_BYTES = 4;

/** Writes `bytes` whole, waiting out a full pipe (the grader drains it continuously). */
function writeAll(fd: number, bytes: Uint8Array): void {
  const total = apply(byteLength, bytes, []) as number;
  let offset = 0;
  while (offset < total) {
    try {
      offset += writeSync(fd, bytes, offset, total - offset);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EAGAIN') throw err;
      wait(pause, 0, 0, 1);
    }
  }
}

/** A function that frames and writes one message; `marker` is the session's child marker. */
export function frameWriter(fd: number, marker: Uint8Array): (message: unknown) => void {
  const markerBytes = new NewUint8Array(marker);
  const markerLength = apply(byteLength, markerBytes, []) as number;
  return (message: unknown): void => {
    const body = serializeValue(message) as Uint8Array;
    const bodyLength = apply(byteLength, body, []) as number;
    const frame = new NewUint8Array(markerLength + LENGTH_BYTES + bodyLength);
    apply(setBytes, frame, [markerBytes, 0]);
    apply(setUint32, new NewDataView(frame.buffer), [markerLength, bodyLength, false]);
    apply(setBytes, frame, [apply(subarray, body, [0, bodyLength]), markerLength + LENGTH_BYTES]);
    writeAll(fd, frame);
  };
}
