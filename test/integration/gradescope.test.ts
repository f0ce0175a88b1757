/**
 * A Gradescope autograder built by `mlpath gradescope package`, unpacked
 * the way Gradescope does (/autograder/source) and run through its own
 * `run_autograder` on uploads of every shape: a whole workspace, a lone
 * train.ts, a folder named after the exercise, an ambiguous file, nothing
 * at all, and an image where mlpath cannot even start. Every run must
 * leave a results.json in Gradescope's format. setup.sh (Node and
 * `npm install`) needs the network, so it is checked for syntax and its
 * install is stood in for as in course-ci.test.ts.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { inflateRawSync } from 'node:zlib';
import { ROOT, runCli, tempDir } from '../helpers/cli';

const FIXTURE = path.join(ROOT, 'test', 'fixtures', 'ci-course');

interface Entry {
  name: string;
  mode: number;
  content: Buffer;
}

/** Reads a ZIP through its central directory, as unzip does (stored and deflated entries). */
function unzip(archive: Buffer): Entry[] {
  const end = archive.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]));
  if (end < 0) throw new Error('no end of central directory');
  const count = archive.readUInt16LE(end + 10);
  let at = archive.readUInt32LE(end + 16);
  const entries: Entry[] = [];
  for (let i = 0; i < count; i++) {
    if (archive.readUInt32LE(at) !== 0x02014b50) throw new Error(`bad central header ${i}`);
    const method = archive.readUInt16LE(at + 10);
    const size = archive.readUInt32LE(at + 20);
    const nameLength = archive.readUInt16LE(at + 28);
    const extra = archive.readUInt16LE(at + 30);
    const comment = archive.readUInt16LE(at + 32);
    const mode = archive.readUInt32LE(at + 38) >>> 16;
    const local = archive.readUInt32LE(at + 42);
    const name = archive.toString('utf8', at + 46, at + 46 + nameLength);
    const dataAt = local + 30 + archive.readUInt16LE(local + 26) + archive.readUInt16LE(local + 28);
    const raw = archive.subarray(dataAt, dataAt + size);
    entries.push({ name, mode, content: method === 8 ? inflateRawSync(raw) : Buffer.from(raw) });
    at += 46 + nameLength + extra + comment;
  }
  return entries;
}

/** Gradescope's image after setup.sh: the zip in /autograder/source, mlpath installed. */
function autograder(zipFile: string): string {
  const root = path.join(tempDir('mlpath-autograder-'), 'autograder');
  const source = path.join(root, 'source');
  for (const e of unzip(fs.readFileSync(zipFile))) {
    fs.mkdirSync(path.dirname(path.join(source, e.name)), { recursive: true });
    fs.writeFileSync(path.join(source, e.name), e.content, { mode: e.mode & 0o777 });
  }
  fs.mkdirSync(path.join(source, 'node_modules', '.bin'), { recursive: true });
  fs.symlinkSync(ROOT, path.join(source, 'node_modules', 'mlpath'));
  fs.symlinkSync(path.join('..', 'mlpath', 'bin', 'mlpath'), path.join(source, 'node_modules', '.bin', 'mlpath'));
  fs.mkdirSync(path.join(root, 'submission'));
  return root;
}

interface GradescopeResult {
  score: number;
  output: string;
  visibility: string;
  execution_time?: number;
  tests: { name: string; score: number; max_score: number; status: string; output: string; visibility: string }[];
}

/** Gradescope's run: a fresh submission folder, run_autograder from /autograder, results.json read back. */
function submit(root: string, files: Record<string, string>): GradescopeResult {
  const submission = path.join(root, 'submission');
  fs.rmSync(submission, { recursive: true, force: true });
  fs.mkdirSync(submission);
  for (const [rel, from] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(submission, rel)), { recursive: true });
    fs.copyFileSync(from, path.join(submission, rel));
  }
  fs.rmSync(path.join(root, 'results'), { recursive: true, force: true });
  const r = spawnSync(path.join(root, 'source', 'run_autograder'), [], {
    cwd: root,
    encoding: 'utf8',
    env: { ...process.env, AUTOGRADER: root, GITHUB_ACTIONS: '', NO_COLOR: '1' },
  });
  expect({ code: r.status, stderr: r.stderr.includes('internal error') ? r.stderr : '' }).toEqual({
    code: 0,
    stderr: '',
  });
  return JSON.parse(fs.readFileSync(path.join(root, 'results', 'results.json'), 'utf8')) as GradescopeResult;
}

function expectGradescopeShape(doc: GradescopeResult): void {
  expect(typeof doc.score).toBe('number');
  expect(typeof doc.output).toBe('string');
  for (const t of doc.tests) {
    expect(['passed', 'failed']).toContain(t.status);
    expect(t.score).toBeLessThanOrEqual(t.max_score);
    expect(['hidden', 'after_due_date', 'after_published', 'visible']).toContain(t.visibility);
  }
  expect(doc.score).toBe(doc.tests.reduce((a, t) => a + t.score, 0));
}

describe('a Gradescope autograder made by mlpath', () => {
  let course: string;
  let whole: string;
  let irisOnly: string;

  beforeAll(() => {
    course = path.join(tempDir('mlpath-gs-course-'), 'my-course');
    fs.mkdirSync(course);
    fs.copyFileSync(path.join(FIXTURE, 'course.yaml'), path.join(course, 'course.yaml'));
    for (const sub of ['exercises', 'solutions'])
      fs.cpSync(path.join(FIXTURE, sub), path.join(course, sub), { recursive: true });
    expect(
      runCli(
        [
          'holdout',
          'make',
          'week1/iris',
          '--curriculum',
          'course.yaml',
          '--from',
          path.join(FIXTURE, 'iris-fieldwork.csv'),
          '--label',
          'species',
        ],
        course,
      ).code,
    ).toBe(0);
    const packed = runCli(
      [
        'gradescope',
        'package',
        '--curriculum',
        'course.yaml',
        '--holdout',
        'holdouts',
        '--visibility',
        'after_published',
      ],
      course,
    );
    expect(packed.code).toBe(0);
    whole = autograder(path.join(course, 'autograder.zip'));
    const one = runCli(
      [
        'gradescope',
        'package',
        '--curriculum',
        'course.yaml',
        '--exercise',
        'week1/iris',
        '--mlpath',
        'git+https://example.invalid/mlpath.git#v0.1.0',
        '--out',
        'iris.zip',
      ],
      course,
    );
    expect(one.code).toBe(0);
    irisOnly = autograder(path.join(course, 'iris.zip'));
  }, 180000);

  test('the zip: setup.sh and an executable run_autograder at its root, the course without solutions, mlpath vendored, the holdouts', () => {
    const entries = unzip(fs.readFileSync(path.join(course, 'autograder.zip')));
    const byName = new Map(entries.map((e) => [e.name, e]));
    expect(byName.get('run_autograder')!.mode & 0o111).toBe(0o111);
    expect(byName.get('setup.sh')!.mode & 0o111).toBe(0o111);
    expect([...byName.keys()]).toEqual(
      expect.arrayContaining([
        'course/course.yaml',
        'course/exercises/week1/iris/train.ts',
        'holdouts/week1/iris.csv',
        'package.json',
      ]),
    );
    expect([...byName.keys()].some((n) => n.startsWith('course/solutions/') && n.endsWith('.ts'))).toBe(false);
    const vendored = [...byName.keys()].find((n) => /^vendor\/mlpath-.*\.tgz$/.test(n));
    expect(JSON.parse(byName.get('package.json')!.content.toString()).devDependencies.mlpath).toBe(`file:${vendored}`);
    for (const script of ['setup.sh', 'run_autograder']) {
      const check = spawnSync('bash', ['-n', path.join(whole, 'source', script)], { encoding: 'utf8' });
      expect({ script, stderr: check.stderr }).toEqual({ script, stderr: '' });
    }
    expect(byName.get('run_autograder')!.content.toString()).toMatch(/--curriculum-sha256 [0-9a-f]{64}/);
    if (spawnSync('unzip', ['-v']).status === 0) {
      expect(spawnSync('unzip', ['-tq', path.join(course, 'autograder.zip')], { encoding: 'utf8' }).stdout).toMatch(
        /No errors detected/,
      );
    }
  });

  test("a whole workspace: every exercise graded, on the instructor's holdout, with visibility and execution time", () => {
    const ws = path.join(tempDir('mlpath-gs-ws-'), 'ws');
    expect(
      runCli(
        ['start', ws, '--curriculum', path.join(whole, 'source', 'course', 'course.yaml'), '--yes', '--quiet'],
        ROOT,
      ).code,
    ).toBe(0);
    const files: Record<string, string> = {};
    for (const rel of ['mlpath.json', 'README.md', 'week1/houses/README.md'])
      files[`my-repo/${rel}`] = path.join(ws, rel);
    files['my-repo/week1/iris/train.ts'] = path.join(FIXTURE, 'submissions', 'iris-sepals.ts');
    files['my-repo/week1/houses/train.ts'] = path.join(FIXTURE, 'solutions', 'week1', 'houses', 'train.ts');
    const doc = submit(whole, files);
    expectGradescopeShape(doc);
    // Sepals alone pass the instructor's field rows (they miss the public split).
    expect(doc.tests.map((t) => [t.name, t.score, t.max_score, t.status])).toEqual([
      ['week1/iris', 10, 10, 'passed'],
      ['week1/houses', 10, 10, 'passed'],
    ]);
    expect(doc).toMatchObject({ score: 20, visibility: 'after_published' });
    expect(doc.tests.every((t) => t.visibility === 'after_published')).toBe(true);
    expect(doc.execution_time).toBeGreaterThanOrEqual(0);
    expect(doc.output).toMatch(
      /Graded the exercise folders of your workspace \(my-repo\/\): week1\/iris, week1\/houses/,
    );
  }, 180000);

  test('a lone train.ts: graded for a one-exercise assignment, explained and scored 0 where it is ambiguous', () => {
    const lone = submit(irisOnly, { 'train.ts': path.join(FIXTURE, 'submissions', 'iris-sepals.ts') });
    expectGradescopeShape(lone);
    // No holdout in this zip: the built-in split, where sepals earn the partial-credit tier.
    expect(lone.tests).toEqual([
      expect.objectContaining({ name: 'week1/iris', score: 4, max_score: 10, status: 'failed' }),
    ]);
    expect(lone.tests[0].output).toMatch(/partial credit: beats guessing by far/);
    expect(lone.output).toMatch(/Read your upload as: train\.ts -> week1\/iris\/train\.ts/);

    const ambiguous = submit(whole, { 'train.ts': path.join(FIXTURE, 'submissions', 'iris-sepals.ts') });
    expectGradescopeShape(ambiguous);
    expect(ambiguous.score).toBe(0);
    expect(ambiguous.tests.map((t) => [t.name, t.max_score])).toEqual([
      ['week1/iris', 10],
      ['week1/houses', 10],
    ]);
    expect(ambiguous.output).toMatch(
      /Could not tell which exercise these files belong to, so they were not graded: train\.ts/,
    );
    expect(ambiguous.tests[0].output).toMatch(/nothing was uploaded for it \(expected e\.g\. week1\/iris\/train\.ts\)/);

    const byFolder = submit(whole, { 'houses/train.ts': path.join(FIXTURE, 'submissions', 'houses-lstat.ts') });
    expect(byFolder.tests.map((t) => [t.name, t.score])).toEqual([
      ['week1/houses', 5],
      ['week1/iris', 0],
    ]);
  }, 240000);

  test('nothing uploaded, and an image where mlpath cannot start: still a results.json that says why', () => {
    const empty = submit(whole, {});
    expectGradescopeShape(empty);
    expect(empty.score).toBe(0);
    expect(empty.tests[0].output).toMatch(/the submission is empty/);

    fs.rmSync(path.join(irisOnly, 'source', 'node_modules'), { recursive: true });
    const broken = submit(irisOnly, { 'train.ts': path.join(FIXTURE, 'submissions', 'iris-sepals.ts') });
    expect(broken).toMatchObject({ score: 0, tests: [], output: expect.stringMatching(/could not run mlpath/) });
  }, 120000);
});
