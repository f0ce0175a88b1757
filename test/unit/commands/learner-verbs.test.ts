/**
 * hint, solution, reset and report as plain functions: what they return and
 * what they leave on disk.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { run as hint } from '../../../src/commands/hint';
import { run as report } from '../../../src/commands/report';
import { run as reset } from '../../../src/commands/reset';
import { run as solution } from '../../../src/commands/solution';
import { resolveTarget } from '../../../src/commands/target';
import { UsageError } from '../../../src/errors';
import { reportAttempts, reportFile, writeExerciseReport } from '../../../src/reporters/exercise-report';
import { recordAttempt, loadProgress, saveProgress } from '../../../src/progress/store';
import { entryOf, makeUxWorkspace, PASSING, save, STARTER } from '../../helpers/ux-course';

function markPassed(ws: string): void {
  const { progress } = loadProgress(ws);
  recordAttempt(progress, 'm1/iris', 'passed', [{ name: 'accuracy', value: 0.9, passed: true }]);
  saveProgress(ws, progress);
}

function writeRun(ws: string, name: string, record: unknown): void {
  const dir = path.join(ws, '.mlpath', 'runs');
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, name), typeof record === 'string' ? record : JSON.stringify(record));
}

function record(createdAt: string, accuracy: number | null, curve: Record<string, number | null>[] = []): unknown {
  return {
    version: 1,
    createdAt,
    result: {
      exercise: 'm1/iris',
      status: accuracy === null ? 'error' : accuracy >= 0.8 ? 'passed' : 'failed',
      metrics: accuracy === null ? [] : [{ name: 'accuracy', value: accuracy, min: 0.8, passed: accuracy >= 0.8 }],
      seed: 1,
      backend: 'wasm',
      durationMs: 10,
      error: accuracy === null ? { kind: 'compile', message: 'x' } : null,
    },
    curve,
  };
}

describe('hint', () => {
  test('levels go up one at a time and stop at the last; --all records every level', async () => {
    const ws = makeUxWorkspace();
    const levels: number[] = [];
    for (let i = 0; i < 4; i++) levels.push((await hint({ cwd: ws, id: 'm1/iris' })).shown[0].level);
    expect(levels).toEqual([1, 2, 3, 3]);
    const fresh = makeUxWorkspace();
    const all = await hint({ cwd: fresh, id: 'm1/iris', all: true });
    expect(all.shown.map((h) => h.level)).toEqual([1, 2, 3]);
    expect(all.last).toBe(true);
    expect(loadProgress(fresh).progress.exercises['m1/iris'].hintsSeen).toBe(3);
  });

  test('without an id: the exercise folder you are in, else the next exercise', async () => {
    const ws = makeUxWorkspace();
    expect((await hint({ cwd: path.join(ws, 'm1', 'iris') })).exercise).toBe('m1/iris');
    expect((await hint({ cwd: ws })).exercise).toBe('m1/iris');
  });
});

describe('solution', () => {
  test('locked before a pass, with the next hint to try; the files after', async () => {
    const ws = makeUxWorkspace();
    await expect(solution({ cwd: ws, id: 'm1/iris' })).rejects.toThrow(
      /unlocks once your own solution passes \(not checked yet\)/,
    );
    await expect(solution({ cwd: ws, id: 'm1/iris' })).rejects.toBeInstanceOf(UsageError);
    markPassed(ws);
    const s = await solution({ cwd: ws, id: 'm1/iris' });
    expect(s.files).toEqual([{ path: 'train.ts', content: PASSING }]);
  });
});

describe('reset', () => {
  test('backs up only files that differ, under .mlpath/backups/<time>/, and restores the starter', async () => {
    const ws = makeUxWorkspace();
    save(ws, '// mine\n');
    fs.writeFileSync(path.join(ws, 'm1', 'iris', 'notes.md'), 'my notes');
    fs.rmSync(path.join(ws, 'm1', 'iris', 'README.md'));
    const now = new Date('2026-01-02T03:04:05.678Z');
    const r = await reset({ cwd: ws, ids: ['m1/iris'], now });
    expect(r.backupDir).toBe(path.join(ws, '.mlpath', 'backups', '2026-01-02T03-04-05-678Z'));
    expect(r.exercises).toEqual([
      {
        exercise: 'm1/iris',
        backedUp: ['m1/iris/train.ts'],
        restored: expect.arrayContaining(['m1/iris/train.ts', 'm1/iris/README.md']),
      },
    ]);
    expect(fs.readFileSync(path.join(r.backupDir!, 'm1', 'iris', 'train.ts'), 'utf8')).toBe('// mine\n');
    expect(fs.readFileSync(entryOf(ws), 'utf8')).toBe(STARTER);
    expect(fs.readFileSync(path.join(ws, 'm1', 'iris', 'notes.md'), 'utf8')).toBe('my notes');
    // A second reset at the same instant gets its own folder.
    save(ws, '// mine again\n');
    const again = await reset({ cwd: ws, ids: [], all: true, now });
    expect(again.backupDir).toBe(`${r.backupDir}-2`);
  });

  test('ids and --all together, or neither outside an exercise folder, are usage errors', async () => {
    const ws = makeUxWorkspace();
    await expect(reset({ cwd: ws, ids: ['m1/iris'], all: true })).rejects.toThrow(/not both/);
    await expect(reset({ cwd: ws, ids: [] })).rejects.toThrow(/which exercise\?/);
    const inside = await reset({ cwd: path.join(ws, 'm1', 'iris'), ids: [] });
    expect(inside.exercises[0].exercise).toBe('m1/iris');
    expect(inside.backupDir).toBeUndefined();
  });
});

describe('report', () => {
  test("reads this exercise's records, oldest first, skipping unreadable ones and other exercises", () => {
    const ws = makeUxWorkspace();
    writeRun(
      ws,
      '2026-01-01T00-00-02-000Z-m1-iris.json',
      record('2026-01-01T00:00:02.000Z', 0.9, [
        { epoch: 1, loss: 1 },
        { epoch: 2, loss: null },
      ]),
    );
    writeRun(ws, '2026-01-01T00-00-01-000Z-m1-iris.json', record('2026-01-01T00:00:01.000Z', 0.5));
    writeRun(ws, '2026-01-01T00-00-03-000Z-m1-iris.json', '{ broken');
    writeRun(ws, '2026-01-01T00-00-04-000Z-m1-iris.json', { createdAt: 'x' });
    writeRun(ws, '2026-01-01T00-00-05-000Z-m1-other.json', record('2026-01-01T00:00:05.000Z', 0.1));
    const attempts = reportAttempts(ws, 'm1/iris');
    expect(attempts.map((a) => a.metrics[0]?.value)).toEqual([0.5, 0.9]);
    // A NaN loss is stored as null; the chart gets the finite points only.
    expect(attempts[1].curve).toEqual([{ epoch: 1, loss: 1 }, { epoch: 2 }]);
  });

  test('writes the report where `report` says, and refuses before any check', async () => {
    const ws = makeUxWorkspace();
    await expect(report({ cwd: ws, id: 'm1/iris' })).rejects.toThrow(/has not been checked yet/);
    writeRun(ws, '2026-01-01T00-00-01-000Z-m1-iris.json', record('2026-01-01T00:00:01.000Z', null));
    const r = await report({ cwd: ws, id: 'm1/iris' });
    expect(r).toEqual({ exercise: 'm1/iris', file: reportFile(ws, 'm1/iris'), attempts: 1 });
    expect(fs.readFileSync(r.file, 'utf8')).toMatch(/badge error/);
    const { exercise } = resolveTarget({ cwd: ws, id: 'm1/iris', verb: 'report' });
    expect(writeExerciseReport(ws, exercise)).toBe(r.file);
  });
});

describe('target', () => {
  test('an unknown id, or none where none can be inferred, is a usage error', () => {
    const ws = makeUxWorkspace();
    expect(() => resolveTarget({ cwd: ws, id: 'm1/nope', verb: 'hint' })).toThrow(/unknown exercise 'm1\/nope'/);
    expect(() => resolveTarget({ cwd: ws, verb: 'solution' })).toThrow(
      /which exercise\? e\.g\. `mlpath solution m1\/iris`/,
    );
  });
});
