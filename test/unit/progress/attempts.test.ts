/**
 * Attempt records: what the writer puts on disk is what the reader (and so
 * `mlpath report`) gets back, through the one schema.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { GradeOutcome } from '../../../src/grader/result';
import {
  attemptRecordSchema,
  attemptsDir,
  readAttemptRecords,
  writeAttemptRecord,
} from '../../../src/progress/attempts';

function outcome(exercise: string, value: number, status: 'passed' | 'failed' = 'passed'): GradeOutcome {
  return {
    result: {
      exercise,
      status,
      metrics: [{ name: 'accuracy', value, min: 0.8, passed: value >= 0.8 }],
      seed: 1,
      backend: 'cpu',
      durationMs: 12,
      error: null,
      output: 'x'.repeat(5000),
    },
    details: {
      curve: [{ epoch: 1, loss: 0.5 }],
      nonFinite: [{ index: 1, keys: ['loss'] }],
      confusion: [
        [3, 1],
        [0, 4],
      ],
      classNames: ['a', 'b'],
      inputScale: { min: 0, max: 1 },
      // A computed figure that came out NaN is written as null and still reads back.
      trainSeconds: Number.NaN,
      peakRssMb: 80,
      tfjsVersion: '4.22.0',
    },
  };
}

describe('attempt records', () => {
  let root: string;
  beforeEach(() => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'mlpath-attempts-'));
  });
  afterEach(() => fs.rmSync(root, { recursive: true, force: true }));

  const context = { curriculum: 'mlpath-core', curriculumVersion: '1', holdout: false };

  test('a written record reads back through the schema, output cut to its tail', () => {
    const file = writeAttemptRecord(root, outcome('m2/iris', 0.9), context, new Date('2026-01-02T03:04:05.678Z'));
    expect(path.dirname(file)).toBe(path.join(root, '.mlpath', 'runs'));
    expect(path.basename(file)).toBe('2026-01-02T03-04-05-678Z-m2-iris.json');
    const raw = JSON.parse(fs.readFileSync(file, 'utf8'));
    expect(attemptRecordSchema.safeParse(raw).success).toBe(true);
    expect(raw.result.output).toBeUndefined();
    expect(raw.outputTail).toHaveLength(4000);
    const [read] = readAttemptRecords(root, 'm2/iris');
    expect(read.result.metrics[0].value).toBe(0.9);
    expect(read.trainSeconds).toBeNull();
    expect(read.confusion).toEqual([
      [3, 1],
      [0, 4],
    ]);
    expect(read).toMatchObject({ curriculum: 'mlpath-core', holdout: false, createdAt: '2026-01-02T03:04:05.678Z' });
  });

  test('the reader keeps one exercise, oldest first, and skips unreadable files', () => {
    writeAttemptRecord(root, outcome('m2/iris', 0.7, 'failed'), context, new Date('2026-01-02T00:00:02Z'));
    writeAttemptRecord(root, outcome('m2/iris', 0.9), context, new Date('2026-01-02T00:00:01Z'));
    writeAttemptRecord(root, outcome('m2/iris-extra', 0.1, 'failed'), context, new Date('2026-01-02T00:00:03Z'));
    fs.writeFileSync(path.join(attemptsDir(root), '2026-01-02T00-00-04-000Z-m2-iris.json'), '{ broken');
    fs.writeFileSync(
      path.join(attemptsDir(root), '2026-01-02T00-00-05-000Z-m2-iris.json'),
      JSON.stringify({ createdAt: 'x' }),
    );
    expect(readAttemptRecords(root, 'm2/iris').map((r) => r.result.metrics[0].value)).toEqual([0.9, 0.7]);
  });

  test('a workspace never checked has no records', () => {
    expect(readAttemptRecords(root, 'm2/iris')).toEqual([]);
  });
});
