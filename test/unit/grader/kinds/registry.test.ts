/**
 * The registry of grading kinds: each side's table covers every graded kind,
 * an unknown kind is refused on both sides (never graded as `train`), and the
 * built harness says why it refused rather than "exited with code 71".
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { LoadedExercise } from '../../../../src/curriculum';
import { UsageError } from '../../../../src/errors';
import { gradeExercise } from '../../../../src/grader/grade';
import { childKind } from '../../../../src/grader/kinds/children';
import { GRADED_KINDS, isGradedKind } from '../../../../src/grader/kinds/kind';
import { PARENT_KINDS } from '../../../../src/grader/kinds/parents';
import type * as RunnerModule from '../../../../src/grader/runner';
import { ROOT } from '../../../helpers/cli';

const GRADES = 'this harness grades train, functions, tracking, service';

test('the child table has a side for every graded kind, and refuses anything else by name', () => {
  for (const kind of GRADED_KINDS) expect(typeof childKind(kind)).toBe('function');
  expect(childKind('functions')).not.toBe(childKind('train'));
  for (const unknown of ['split', 'drift', 'versioning', '', 'constructor', '__proto__', 'TRAIN']) {
    expect(() => childKind(unknown)).toThrow(`unknown grading kind '${unknown}': ${GRADES}`);
  }
  expect(() => childKind(undefined)).toThrow('unknown grading kind undefined');
  expect(() => childKind(7)).toThrow('unknown grading kind number');
});

test('isGradedKind holds for the graded kinds only, not for inherited property names', () => {
  expect(GRADED_KINDS.filter(isGradedKind)).toEqual(['train', 'functions', 'tracking', 'service']);
  for (const other of ['split', 'toString', 'hasOwnProperty', null, {}]) expect(isGradedKind(other)).toBe(false);
});

test('the parent table loads a grader for every graded kind; only tracking keeps an output', async () => {
  expect(Object.keys(PARENT_KINDS).sort()).toEqual([...GRADED_KINDS].sort());
  const kept: Record<string, string | undefined> = {};
  for (const kind of GRADED_KINDS) {
    const parent = await PARENT_KINDS[kind]();
    expect(typeof parent.grade).toBe('function');
    kept[kind] = parent.keptOutput;
  }
  expect(kept).toEqual({ train: undefined, functions: undefined, tracking: 'mlruns', service: undefined });
});

test('gradeExercise refuses a kind nothing grades, before touching the exercise folder', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mlpath-kinds-'));
  try {
    const ex = { key: 'm9/split', kind: 'split' } as unknown as LoadedExercise;
    const graded = gradeExercise(ex, { exerciseDir: path.join(dir, 'missing'), seeds: [1] });
    await expect(graded).rejects.toThrow(UsageError);
    await expect(graded).rejects.toThrow(
      "m9/split is a 'split' exercise, which this version of mlpath cannot grade yet",
    );
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('the built harness refuses an unknown kind and the session says so (needs `npm run build`)', async () => {
  // The child is the built bundle, so the runner that starts it is the built one too.
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- a module of dist/, loaded at run time
  const { ChildSession, ChildFailure } = require(path.join(ROOT, 'dist', 'grader', 'runner.js')) as typeof RunnerModule;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mlpath-kinds-'));
  const session = new ChildSession({
    kind: 'split' as never,
    bundle: path.join(dir, 'bundle.cjs'),
    sourceRoot: dir,
    backend: 'cpu',
    seed: 1,
    budgetSeconds: 60,
    memoryMb: 512,
    forbid: [],
    payload: null,
  });
  try {
    const failure = await session.expect('trained').then(
      () => undefined,
      (err: unknown) => err,
    );
    expect(failure).toBeInstanceOf(ChildFailure);
    expect((failure as RunnerModule.ChildFailure).error).toEqual({
      kind: 'exited',
      message: `mlpath's harness stopped before grading anything: unknown grading kind 'split': ${GRADES}`,
    });
  } finally {
    await session.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
