/**
 * `mlpath grade` never aborts a class: an argument that is not a workspace
 * folder becomes a row with its problem while the others are graded, and a
 * read-only submission grades normally because grading writes nothing into
 * it. Tests run as root, which ignores permission bits, so "read-only" is
 * checked by comparing the submission before and after, and once more as
 * `nobody` when setpriv can drop to it.
 */
import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import {
  BIN,
  COURSE,
  harnessProcesses,
  makeWorkspace,
  runCliAsync,
  submit,
  tempDir,
  type CliRun,
} from '../helpers/cli';

/** Every file and folder under `dir` with its size and mtime, so any write shows. */
function listing(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (d: string): void => {
    for (const name of fs.readdirSync(d)) {
      const p = path.join(d, name);
      const s = fs.lstatSync(p);
      out[path.relative(dir, p)] = `${s.isDirectory() ? 'dir' : s.size} ${s.mtimeMs}`;
      if (s.isDirectory()) walk(p);
    }
  };
  walk(dir);
  return out;
}

function csvRows(file: string): Map<string, Record<string, string>> {
  // Cells are quoted only when they hold a comma, quote or newline; none of these holds a newline.
  const parse = (line: string): string[] =>
    line.match(/("([^"]|"")*"|[^,]*)(,|$)/g)!.map((c) => c.replace(/,$/, '').replace(/^"|"$/g, '').replace(/""/g, '"'));
  const [header, ...lines] = fs.readFileSync(file, 'utf8').trim().split('\n').map(parse);
  return new Map(
    lines.map((cells) => [path.basename(cells[0]), Object.fromEntries(header.map((h, i) => [h, cells[i]]))]),
  );
}

/** A class folder: two passing workspaces, one of them read-only, and the usual junk. */
function makeClass(): { klass: string; readOnly: string } {
  const klass = tempDir('mlpath-grade-robust-');
  for (const name of ['alice', 'carol']) {
    const ws = makeWorkspace({ course: true });
    submit(ws, 'm1/iris', 'iris-pass.ts');
    fs.renameSync(ws, path.join(klass, name));
  }
  fs.writeFileSync(path.join(klass, 'notes.txt'), 'not a workspace\n');
  fs.mkdirSync(path.join(klass, 'empty'));
  const readOnly = path.join(klass, 'carol');
  spawnSync('chmod', ['-R', 'a-w', readOnly]);
  return { klass, readOnly };
}

const ARGS = ['alice', 'notes.txt', 'missing', 'empty', path.join('alice', 'm1'), 'carol'];

function expectClassGraded(dir: string, out: string): void {
  const rows = csvRows(path.join(out, 'grades.csv'));
  // Rows come in the order workspaces finish.
  expect([...rows.keys()].sort()).toEqual(['alice', 'carol', 'empty', 'm1', 'missing', 'notes.txt']);
  expect(rows.get('notes.txt')!.problem).toBe(`${path.join(dir, 'notes.txt')} is a file, not a workspace folder`);
  expect(rows.get('missing')!.problem).toBe(`${path.join(dir, 'missing')} does not exist`);
  expect(rows.get('empty')!.problem).toBe(`no mlpath workspace in ${path.join(dir, 'empty')} (no mlpath.json)`);
  // A folder inside a workspace is not that workspace: check would have walked up to alice.
  expect(rows.get('m1')!.problem).toMatch(/^no mlpath workspace in .*alice\/m1/);
  for (const junk of ['notes.txt', 'missing', 'empty', 'm1']) {
    expect(rows.get(junk)!['m1/iris status']).toBe('error');
    expect(rows.get(junk)!.points).toBe('0');
  }
  for (const learner of ['alice', 'carol']) {
    expect(rows.get(learner)!.problem).toBe('');
    expect(rows.get(learner)!['m1/iris status']).toBe('passed');
    expect(rows.get(learner)!.points).toBe('10');
  }
  const json = JSON.parse(fs.readFileSync(path.join(out, 'grades.json'), 'utf8')) as {
    grades: { workspace: string; failure?: string }[];
  };
  expect(json.grades.map((g) => !!g.failure)).toEqual([false, true, true, true, true, false]);
  const gradescope = JSON.parse(fs.readFileSync(path.join(out, 'gs', 'notes.txt.json'), 'utf8'));
  expect(gradescope).toMatchObject({ score: 0, output: expect.stringMatching(/^not graded: .* is a file/), tests: [] });
}

describe('mlpath grade on a messy class', () => {
  test('junk arguments become rows with their problem; the workspaces, one read-only, are graded and left untouched', async () => {
    const { klass, readOnly } = makeClass();
    const before = listing(readOnly);
    const aliceBefore = listing(path.join(klass, 'alice'));
    const run = await runCliAsync(
      [
        'grade',
        ...ARGS,
        '--jobs',
        '2',
        '--csv',
        'grades.csv',
        '--json',
        'grades.json',
        '--gradescope',
        'gs',
        '--curriculum',
        COURSE,
      ],
      klass,
    );
    expect(run.stderr).not.toMatch(/internal error/);
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(/Graded 2\/6 workspaces/);
    expectClassGraded(klass, klass);
    expect(listing(readOnly)).toEqual(before);
    expect(listing(path.join(klass, 'alice'))).toEqual(aliceBefore);
    expect(harnessProcesses()).toEqual([]);
  }, 300000);

  test('only junk: every row says why, nothing is graded, exit 1', async () => {
    const klass = tempDir('mlpath-grade-junk-');
    fs.writeFileSync(path.join(klass, 'a.zip'), 'PK');
    const run = await runCliAsync(['grade', 'a.zip', 'nowhere', '--csv', 'grades.csv', '--curriculum', COURSE], klass);
    expect(run.stderr).not.toMatch(/internal error/);
    expect(run.code).toBe(1);
    const rows = csvRows(path.join(klass, 'grades.csv'));
    expect(rows.get('a.zip')!.problem).toMatch(/is a file, not a workspace folder/);
    expect(rows.get('nowhere')!.problem).toMatch(/does not exist/);
  }, 120000);
});

function canRunAsNobody(): boolean {
  if (process.getuid?.() !== 0) return false;
  return (
    spawnSync('setpriv', [
      '--reuid=nobody',
      '--regid=nogroup',
      '--clear-groups',
      process.execPath,
      '-e',
      `require('fs').accessSync(${JSON.stringify(BIN)}, require('fs').constants.R_OK)`,
    ]).status === 0
  );
}

function runAsNobody(args: string[], cwd: string, env: NodeJS.ProcessEnv): Promise<CliRun> {
  const t0 = Date.now();
  return new Promise((resolve) => {
    const child = spawn(
      'setpriv',
      ['--reuid=nobody', '--regid=nogroup', '--clear-groups', process.execPath, BIN, ...args],
      {
        cwd,
        env: { ...process.env, NO_COLOR: '1', GITHUB_ACTIONS: '', ...env },
      },
    );
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('close', (code) => resolve({ code, stdout, stderr, ms: Date.now() - t0 }));
  });
}

const asNobody = canRunAsNobody() ? test : test.skip;

asNobody(
  'as a user who cannot write the submission (nobody), the read-only workspace is graded all the same',
  async () => {
    const { klass, readOnly } = makeClass();
    // nobody may read the class and write only the instructor's output folder and its own cache.
    fs.chmodSync(klass, 0o755);
    fs.chmodSync(path.join(klass, 'alice'), 0o755);
    const out = tempDir('mlpath-grade-out-');
    const cache = tempDir('mlpath-grade-cache-');
    for (const d of [out, cache]) fs.chmodSync(d, 0o777);
    const before = listing(readOnly);
    const run = await runAsNobody(
      [
        'grade',
        ...ARGS,
        '--jobs',
        '2',
        '--csv',
        path.join(out, 'grades.csv'),
        '--json',
        path.join(out, 'grades.json'),
        '--gradescope',
        path.join(out, 'gs'),
        '--curriculum',
        COURSE,
      ],
      klass,
      { MLPATH_CACHE_DIR: cache, HOME: cache },
    );
    expect(run.stderr).not.toMatch(/internal error/);
    expect(run.code).toBe(1);
    expectClassGraded(klass, out);
    expect(listing(readOnly)).toEqual(before);
    expect(harnessProcesses()).toEqual([]);
  },
  300000,
);
