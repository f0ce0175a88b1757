/**
 * The data lock of a tracked run: which data it trained on, in the lock
 * format of month4/data-versioning (datasets/lock.ts). The
 * data a tracking check hands to train() is read as a folder of four files,
 * `train/x`, `train/y`, `val/x` and `val/y`, each the raw bytes of that
 * tensor's values (`ctx.data.xTrain.dataSync()`, little-endian).
 *
 * Each run records it as the tag DATA_LOCK_TAG; the grader computes the
 * lock itself from the very arrays it sent to the child and refuses a run
 * whose tag is missing or differs (auditDataLocks). The learner's value is
 * compared, never trusted.
 */
import { littleEndianBytes } from '../datasets/bytes';
import { lockOf } from '../datasets/lock';
import { GradingError } from '../errors';
import type { RunRecord } from './reader';

/** The tag a run records its data lock hash in. */
export const DATA_LOCK_TAG = 'mlpath.data_lock';

/** A tensor's values as the grader sends them (grader/protocol.ts, WireTensor). */
type Values = Float32Array | Int32Array | Uint8Array | readonly string[];

/** The four parts a tracking check hands to train(), as the grader sends them. */
export interface LockedData {
  xTrain: { values: Values };
  yTrain: { values: Values };
  xVal?: { values: Values };
  yVal?: { values: Values };
}

/** The bytes of a file of the locked folder: what `dataSync()` holds, little-endian. */
function bytesOf(path: string, values: Values): Buffer {
  if (values instanceof Float32Array || values instanceof Int32Array) return littleEndianBytes(values);
  if (values instanceof Uint8Array) return Buffer.from(values.buffer, values.byteOffset, values.byteLength);
  throw new GradingError(`the data lock covers numeric tensors only; ${path} holds strings`);
}

/** The lock hash of the data handed to a run (see the header for the folder it stands for). */
export function dataLockHash(data: LockedData): string {
  const files: Record<string, Values> = { 'train/x': data.xTrain.values, 'train/y': data.yTrain.values };
  if (data.xVal) files['val/x'] = data.xVal.values;
  if (data.yVal) files['val/y'] = data.yVal.values;
  const bytes: Record<string, Buffer> = {};
  for (const [p, values] of Object.entries(files)) bytes[p] = bytesOf(p, values);
  return lockOf(bytes).hash;
}

/**
 * The runs whose data lock tag is missing or is not `expected`, by run id,
 * with the reason, in the form the sweep audit takes as `refused`.
 */
export function auditDataLocks(runs: readonly RunRecord[], expected: string): Map<string, string> {
  const refused = new Map<string, string>();
  for (const run of runs) {
    const logged = run.tags[DATA_LOCK_TAG];
    if (logged === undefined) {
      refused.set(
        run.runId,
        `recorded no data lock: tag each run with the lock hash of the data it trained on, run.setTag('${DATA_LOCK_TAG}', hash), where hash is the month4/data-versioning lock hash of train/x, train/y, val/x, val/y (README.md, "The data lock")`,
      );
    } else if (logged.trim() !== expected) {
      refused.set(
        run.runId,
        `recorded data lock ${JSON.stringify(logged.slice(0, 80))}, which is not the lock of the data this check handed to train() (the expected hash is not shown: it is yours to compute): hash the bytes of ctx.data.xTrain, yTrain, xVal and yVal as the files train/x, train/y, val/x, val/y, sorted by path, as month4/data-versioning builds a lock (README.md, "The data lock")`,
      );
    }
  }
  return refused;
}
