/**
 * The data lock a tracked run records: the grader's hash of the arrays it
 * hands to train() is month4/data-versioning's lock of the folder they stand
 * for (the reference fingerprint of that exercise agrees, byte for byte), a
 * learner hashing `dataSync()` as the README says gets the same, and a run
 * without the tag or with another lock is refused with a reason that says
 * what to record.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { createHash } from 'node:crypto';
import type * as tfjs from '@tensorflow/tfjs';
import { initBackend } from '../../../src/backend/init';
import { auditDataLocks, dataLockHash, DATA_LOCK_TAG, type RunRecord } from '../../../src/tracking';
import { fingerprint } from '../../../solutions/month4/data-versioning/data';

let tf: typeof tfjs;
beforeAll(async () => {
  tf = (await initBackend('cpu')).tf;
});

// The parts as the grader sends them: float32 pixels and int32 labels.
const data = {
  xTrain: { values: Float32Array.from([0, 0.25, 0.5, 1, 0.125, 0.75]) },
  yTrain: { values: Int32Array.from([3, 7]) },
  xVal: { values: Float32Array.from([1, 0.5, 0]) },
  yVal: { values: Int32Array.from([9]) },
};

function run(name: string, tags: Record<string, string>): RunRecord {
  return { runId: `id-${name}`, runName: name, tags, params: {}, metrics: {} } as unknown as RunRecord;
}

describe('data lock', () => {
  it("is month4/data-versioning's lock of the files train/x, train/y, val/x, val/y", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mlpath-lock-'));
    try {
      const files: Record<string, Float32Array | Int32Array> = {
        'train/x': data.xTrain.values,
        'train/y': data.yTrain.values,
        'val/x': data.xVal.values,
        'val/y': data.yVal.values,
      };
      for (const [p, v] of Object.entries(files)) {
        fs.mkdirSync(path.join(dir, path.dirname(p)), { recursive: true });
        fs.writeFileSync(path.join(dir, p), Buffer.from(v.buffer, v.byteOffset, v.byteLength));
      }
      expect(dataLockHash(data)).toBe(fingerprint(dir).hash);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('is what a learner computes from the tensors it receives', () => {
    const tensors: [string, tfjs.Tensor][] = [
      ['train/x', tf.tensor(data.xTrain.values, [2, 3], 'float32')],
      ['train/y', tf.tensor(data.yTrain.values, [2], 'int32')],
      ['val/x', tf.tensor(data.xVal.values, [1, 3], 'float32')],
      ['val/y', tf.tensor(data.yVal.values, [1], 'int32')],
    ];
    const sha = (b: string | Uint8Array): string => createHash('sha256').update(b).digest('hex');
    let manifest = '';
    for (const [p, t] of tensors) {
      const v = t.dataSync();
      manifest += `${sha(new Uint8Array(v.buffer, v.byteOffset, v.byteLength))}  ${p}\n`;
    }
    expect(sha(manifest)).toBe(dataLockHash(data));
    tensors.forEach(([, t]) => t.dispose());
  });

  it('changes with any value, with the validation part, and with which file holds what', () => {
    const base = dataLockHash(data);
    const edited = { ...data, yTrain: { values: Int32Array.from([3, 8]) } };
    expect(dataLockHash(edited)).not.toBe(base);
    expect(dataLockHash({ xTrain: data.xTrain, yTrain: data.yTrain })).not.toBe(base);
    expect(dataLockHash({ ...data, xVal: data.yVal, yVal: data.xVal })).not.toBe(base);
  });

  it('refuses a run without the tag or with another lock, and says what to record', () => {
    const lock = dataLockHash(data);
    const refused = auditDataLocks(
      [
        run('good', { [DATA_LOCK_TAG]: lock }),
        run('none', {}),
        run('train-only', { [DATA_LOCK_TAG]: dataLockHash({ xTrain: data.xTrain, yTrain: data.yTrain }) }),
      ],
      lock,
    );
    expect([...refused.keys()]).toEqual(['id-none', 'id-train-only']);
    expect(refused.get('id-none')).toMatch(
      /^recorded no data lock: tag each run with the lock hash of the data it trained on, run\.setTag\('mlpath\.data_lock', hash\)/,
    );
    expect(refused.get('id-train-only')).toMatch(
      /^recorded data lock "[0-9a-f]{64}", which is not the lock of the data this check handed to train\(\) \(the expected hash is not shown/,
    );
    expect(refused.get('id-train-only')).not.toContain(lock);
  });
});
