/**
 * Type errors in the learner's files reach the learner as warnings: with
 * file, line, column and TypeScript's message, printed beside a verdict they
 * never change. And every starter and every reference of the built-in
 * curriculum is type-clean in the workspace `mlpath start` makes, so the
 * warnings a learner sees are about their own code.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parse } from 'yaml';
import { makeWorkspace, ROOT, runCli, tempDir } from '../helpers/cli';

// The built module: the test checks what the CLI runs.
// eslint-disable-next-line @typescript-eslint/no-require-imports -- dist is built before the tests run
const { typeCheckNow } = require(
  path.join(ROOT, 'dist', 'coach', 'typecheck.js'),
) as typeof import('../../src/coach/typecheck');

interface Entry {
  id: string;
  solution?: string;
  track?: string;
}

const curriculum = parse(fs.readFileSync(path.join(ROOT, 'curriculum', 'curriculum.yaml'), 'utf8')) as {
  months: { id: string; exercises: Entry[] }[];
};
const exercises = curriculum.months.flatMap((m) => m.exercises.map((e) => ({ ...e, key: `${m.id}/${e.id}` })));
const tracks = [...new Set(exercises.map((e) => e.track).filter((t): t is string => !!t))];

function workspaceWithEveryExercise(): string {
  const ws = path.join(tempDir('mlpath-types-'), 'ws');
  for (const track of tracks) {
    const r = runCli(['start', ws, '--yes', '--track', track], ROOT);
    if (r.code !== 0) throw new Error(`mlpath start failed: ${r.stderr}`);
  }
  return ws;
}

test('every starter and every reference is type-clean in a workspace mlpath start made', () => {
  const ws = workspaceWithEveryExercise();
  // One program over the whole workspace: every exercise folder's files are its roots.
  expect(typeCheckNow({ root: ws, dir: ws })).toEqual([]);
  for (const e of exercises) {
    const from = path.join(ROOT, 'solutions', ...e.key.split('/'));
    fs.cpSync(from, path.join(ws, ...e.key.split('/')), { recursive: true });
  }
  expect(typeCheckNow({ root: ws, dir: ws })).toEqual([]);
});

test('a type error is a warning with file, line and message, and the verdict is unchanged', () => {
  const ws = makeWorkspace();
  const entry = path.join(ws, 'month1', 'tensors', 'tensors.ts');
  fs.copyFileSync(path.join(ROOT, 'solutions', 'month1', 'tensors', 'tensors.ts'), entry);
  const lines = fs.readFileSync(entry, 'utf8').split('\n').length;
  fs.appendFileSync(entry, '\nexport const oops: string = 42;\n');
  const r = runCli(['check', 'month1/tensors'], ws, { MLPATH_TYPECHECK: '1' });
  expect(r.code).toBe(0);
  expect(r.stdout + r.stderr).toMatch(/month1\/tensors passed/);
  expect(r.stderr).toContain(
    `warning: month1/tensors/tensors.ts:${lines + 1}:14 type error TS2322: Type 'number' is not assignable to type 'string'.`,
  );
  expect(r.stderr).toMatch(/type errors do not stop a check/);

  // `grade` runs checks with --no-record: no type check there, the verdict alone.
  const graded = runCli(['check', 'month1/tensors', '--no-record'], ws, { MLPATH_TYPECHECK: '1' });
  expect(graded.code).toBe(0);
  expect(graded.stderr).not.toMatch(/type error/);
});
