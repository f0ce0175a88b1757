/**
 * A course from an empty folder to a graded class, as docs/authoring.md
 * walks it, and its generated workflows run the way a GitHub runner runs
 * them (test/helpers/actions.ts): `run:` steps in bash with GITHUB_OUTPUT
 * and GITHUB_STEP_SUMMARY, actions fed INPUT_* variables, and GitHub
 * Classroom's reporter held to its contract (test/helpers/classroom.ts).
 * The only step not run for real is `npm ci`, which would need the network:
 * its stand-in checks that package.json pins the vendored tarball and that
 * the tarball is an installable mlpath, then links this checkout in.
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parse } from 'yaml';
import { runJob, type ActionHandler, type JobRun } from '../helpers/actions';
import { ROOT, runCli, tempDir } from '../helpers/cli';
import { classroomReporter, type ReporterOutcome } from '../helpers/classroom';
import { validateJunit } from '../helpers/junit-schema';

const FIXTURE = path.join(ROOT, 'test', 'fixtures', 'ci-course');

function cli(args: string[], cwd: string): string {
  const r = runCli(args, cwd);
  if (r.code !== 0) throw new Error(`mlpath ${args.join(' ')} exited ${r.code}\n${r.stdout}\n${r.stderr}`);
  return r.stdout;
}

/** Steps 1-5 of docs/authoring.md, in a fresh folder; returns the instructor's course folder and the template repository. */
function authorCourse(): { course: string; template: string } {
  const dir = tempDir('mlpath-course-ci-');
  const course = path.join(dir, 'my-course');
  fs.mkdirSync(course);
  fs.writeFileSync(
    path.join(course, 'course.yaml'),
    'formatVersion: 1\nid: intro-ml\nversion: "2026.1"\ntitle: Intro to ML\nmonths: []\n',
  );
  cli(['new', 'exercise', 'week1/iris', '--curriculum', 'course.yaml'], course);
  cli(['new', 'exercise', 'week1/houses', '--curriculum', 'course.yaml', '--title', 'House prices'], course);
  // What the author then writes by hand (YAML entries, READMEs, starters, solutions) is the fixture.
  fs.copyFileSync(path.join(FIXTURE, 'course.yaml'), path.join(course, 'course.yaml'));
  for (const sub of ['exercises', 'solutions'])
    fs.cpSync(path.join(FIXTURE, sub), path.join(course, sub), { recursive: true });
  expect(cli(['validate', '--solutions', 'course.yaml'], course)).toMatch(/2\/2 exercises verified/);
  cli(
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
  );
  cli(['holdout', 'make', 'week1/houses', '--curriculum', 'course.yaml'], course);
  cli(['holdout', 'pack', 'holdouts'], course);
  cli(['start', '../ml-course-template', '--curriculum', 'course.yaml', '--yes', '--quiet'], course);
  const template = path.join(dir, 'ml-course-template');
  expect(cli(['ci', 'init'], template)).toMatch(/vendor\/mlpath-.*\.tgz/);
  // `npm install` in the template writes the lock file the workflow's `npm ci` and npm cache need.
  fs.writeFileSync(path.join(template, 'package-lock.json'), '{"lockfileVersion": 3}\n');
  return { course, template };
}

/** A learner's clone of the template (a copy, so each test starts from the same repository). */
function clone(template: string): string {
  const repo = path.join(tempDir('mlpath-learner-'), 'repo');
  fs.cpSync(template, repo, { recursive: true });
  return repo;
}

/** `npm ci`, without the network: the pinned tarball must be an mlpath that installs nothing of its own. */
function install({ repo }: { repo: string }): void {
  const pkg = JSON.parse(fs.readFileSync(path.join(repo, 'package.json'), 'utf8'));
  const spec: string = pkg.devDependencies.mlpath;
  expect(spec).toMatch(/^file:vendor\/mlpath-\d+\.\d+\.\d+.*\.tgz$/);
  expect(pkg.optionalDependencies['@tensorflow/tfjs-node']).toMatch(/^\^4\./);
  const tarball = path.join(repo, spec.slice('file:'.length));
  const manifest = JSON.parse(
    spawnSync('tar', ['-xzOf', tarball, 'package/package.json'], { encoding: 'utf8' }).stdout,
  );
  expect(manifest.name).toBe('mlpath');
  expect(manifest.scripts?.prepare).toBeUndefined();
  const listing = spawnSync('tar', ['-tzf', tarball], { encoding: 'utf8' }).stdout;
  expect(listing).toMatch(/^package\/bin\/mlpath$/m);
  expect(listing).toMatch(/^package\/dist\/grader\/child\.cjs$/m);
  fs.rmSync(path.join(repo, 'node_modules'), { recursive: true, force: true });
  fs.mkdirSync(path.join(repo, 'node_modules', '.bin'), { recursive: true });
  fs.symlinkSync(ROOT, path.join(repo, 'node_modules', 'mlpath'));
  fs.symlinkSync(path.join('..', 'mlpath', 'bin', 'mlpath'), path.join(repo, 'node_modules', '.bin', 'mlpath'));
}

interface Observed {
  reporter?: ReporterOutcome;
  cacheSaved: boolean;
  uploaded: string[];
}

function handlers(seen: Observed): Record<string, ActionHandler> {
  return {
    'actions/checkout': () => undefined,
    'actions/setup-node': ({ env, repo }) => {
      expect(Number(env['INPUT_NODE-VERSION'])).toBeGreaterThanOrEqual(22);
      expect(Number(env['INPUT_NODE-VERSION']) % 2).toBe(0);
      // setup-node's npm cache fails the step without a lock file.
      if (env.INPUT_CACHE === 'npm') expect(fs.existsSync(path.join(repo, 'package-lock.json'))).toBe(true);
    },
    'actions/cache/restore': ({ env }) => {
      expect(env.INPUT_KEY).toMatch(/^mlpath-data-Linux-[0-9a-f]{64}$/);
      return { 'cache-hit': 'false', 'cache-primary-key': env.INPUT_KEY };
    },
    'actions/cache/save': ({ env }) => {
      expect(env.INPUT_KEY).toMatch(/^mlpath-data-Linux-/);
      seen.cacheSaved = true;
    },
    'actions/upload-artifact': ({ env, repo }) => {
      seen.uploaded = env.INPUT_PATH.split('\n').filter((p) => p && fs.existsSync(path.join(repo, p)));
    },
    'classroom-resources/autograding-grading-reporter': ({ env }) => {
      seen.reporter = classroomReporter(env);
      if (seen.reporter.failed) throw new Error('Some tests failed.');
    },
  };
}

/** The job, and what the actions saw; a reporter that never ran fails with every step's log. */
function runClassroom(
  repo: string,
  secrets: Record<string, string> = {},
): { job: JobRun; seen: Observed; reporter: ReporterOutcome } {
  const seen: Observed = { cacheSaved: false, uploaded: [] };
  const job = runJob(path.join(repo, '.github', 'workflows', 'classroom.yml'), 'run-autograding-tests', {
    repo,
    secrets,
    actions: handlers(seen),
    runOverrides: { install },
  });
  if (!seen.reporter)
    throw new Error(
      `the reporter did not accept the results:\n${job.steps.map((s) => `${s.outcome} ${s.name}\n${s.stderr.trim()}`).join('\n')}`,
    );
  return { job, seen, reporter: seen.reporter };
}

function step(job: JobRun, id: string): JobRun['steps'][number] {
  return job.steps.find((s) => s.id === id)!;
}

function submitTo(repo: string, exercise: string, file: string): void {
  fs.copyFileSync(path.join(FIXTURE, file), path.join(repo, ...exercise.split('/'), 'train.ts'));
}

describe('a course from an empty folder to a graded GitHub Classroom repository', () => {
  let course: string;
  let template: string;

  beforeAll(() => {
    ({ course, template } = authorCourse());
  }, 300000);

  test('the template holds the course copy (no solutions), the vendored mlpath and one workflow; its tsconfig is relative', () => {
    expect(fs.readFileSync(path.join(template, 'course', 'course.yaml'))).toEqual(
      fs.readFileSync(path.join(course, 'course.yaml')),
    );
    expect(fs.readFileSync(path.join(template, 'course', 'solutions', 'week1', 'iris', 'README.md'), 'utf8')).toMatch(
      /Kept by your instructor/,
    );
    expect(fs.existsSync(path.join(template, 'course', 'solutions', 'week1', 'iris', 'train.ts'))).toBe(false);
    expect(fs.readdirSync(path.join(template, '.github', 'workflows'))).toEqual(['classroom.yml']);
    const config = JSON.parse(fs.readFileSync(path.join(template, 'mlpath.json'), 'utf8'));
    expect(config.curriculumFile).toBe('course/course.yaml');
    const tsconfig = fs.readFileSync(path.join(template, 'tsconfig.json'), 'utf8');
    expect(tsconfig).not.toContain(ROOT);
    expect(JSON.parse(tsconfig).compilerOptions.paths.mlpath).toEqual(['./node_modules/mlpath/dist/index.d.ts']);
    expect(JSON.parse(tsconfig).include).toEqual(['week1/**/*.ts']);
    const workflow = parse(fs.readFileSync(path.join(template, '.github', 'workflows', 'classroom.yml'), 'utf8'));
    const text = JSON.stringify(workflow);
    expect(text).not.toContain(course);
    expect(text).not.toMatch(/npx mlpath/);
  });

  test('starters: every runner reaches the reporter, 0 points, the job fails; the dataset cache is saved anyway', () => {
    const repo = clone(template);
    const { job, seen, reporter } = runClassroom(repo);
    expect(step(job, 'grade').outcome).toBe('failure');
    expect(step(job, 'mlpath').outcome).toBe('success');
    expect(seen.reporter).toMatchObject({ points: 0, maxPoints: 20 });
    expect(reporter.rows.map((r) => r.runner)).toEqual([
      'week1iristier1',
      'week1iris',
      'week1housestier1',
      'week1houses',
    ]);
    expect(seen.cacheSaved).toBe(true);
    expect(seen.uploaded).toEqual(expect.arrayContaining(['mlpath-results.json', 'mlpath-junit.xml']));
    expect(job.summary).toMatch(/0\/2 exercises passed/);
    expect(job.conclusion).toBe('failure');
  }, 180000);

  test("partial credit reaches the Classroom grade, and the log's table agrees with it", async () => {
    const repo = clone(template);
    submitTo(repo, 'week1/iris', 'solutions/week1/iris/train.ts');
    submitTo(repo, 'week1/houses', 'submissions/houses-lstat.ts');
    const { job, reporter } = runClassroom(repo);
    // iris passes (10), houses earns its tier (5 of 10).
    expect([reporter.points, reporter.maxPoints]).toEqual([15, 20]);
    expect(reporter.rows.reduce((a, r) => a + r.tableScore, 0)).toBe(reporter.points);
    expect(reporter.rows.find((r) => r.runner === 'week1housestier1')).toMatchObject({ status: 'pass', maxScore: 5 });
    expect(reporter.rows.find((r) => r.runner === 'week1houses')).toMatchObject({ status: 'fail', maxScore: 5 });
    expect(reporter.rows.find((r) => r.runner === 'week1houses')!.tests[0].message).toMatch(
      /rmse 6\.\d+ \(max 5\.8\) missed/,
    );
    expect(job.conclusion).toBe('failure');
    const junit = fs.readFileSync(path.join(repo, 'mlpath-junit.xml'), 'utf8');
    expect(await validateJunit(junit)).toEqual([]);
  }, 180000);

  test("the holdout secret grades on the instructor's rows, one file per exercise", () => {
    const repo = clone(template);
    submitTo(repo, 'week1/iris', 'submissions/iris-sepals.ts');
    submitTo(repo, 'week1/houses', 'solutions/week1/houses/train.ts');
    const without = runClassroom(repo).reporter;
    // Sepals alone miss the built-in split (0.8) but pass the instructor's field rows.
    expect(without.points).toBe(4 + 10);
    const bundle = fs.readFileSync(path.join(course, 'holdouts.json'), 'utf8');
    const { job, reporter } = runClassroom(clone(repo), { MLPATH_HOLDOUTS: bundle });
    expect(reporter.points).toBe(20);
    expect(job.conclusion).toBe('success');
  }, 240000);

  test('an edited course copy moves no goalpost: every result is an error, 0 points', () => {
    const repo = clone(template);
    submitTo(repo, 'week1/houses', 'submissions/houses-lstat.ts');
    const copy = path.join(repo, 'course', 'course.yaml');
    fs.writeFileSync(copy, fs.readFileSync(copy, 'utf8').replace('max: 5.8', 'max: 8.0'));
    // Even with the pin in mlpath.json rewritten to match, the workflow's SHA-256 holds.
    const config = JSON.parse(fs.readFileSync(path.join(repo, 'mlpath.json'), 'utf8'));
    config.curriculumHash = createHash('sha256').update(fs.readFileSync(copy)).digest('hex');
    fs.writeFileSync(path.join(repo, 'mlpath.json'), JSON.stringify(config));
    const { reporter } = runClassroom(repo);
    expect(reporter.points).toBe(0);
    expect(reporter.rows.every((r) => r.status === 'error')).toBe(true);
    expect(reporter.rows[0].tests[0].message).toMatch(/is not the course's curriculum/);
    // A copy edited past validity cannot even be read: still 0 of the 20 points, not a missing grade.
    fs.writeFileSync(copy, fs.readFileSync(copy, 'utf8').replace('max: 8.0', 'max: 9.5'));
    const broken = runClassroom(repo).reporter;
    expect([broken.points, broken.maxPoints]).toEqual([0, 20]);
    expect(broken.rows[0].tests[0].message).toMatch(/baseline .* meets every threshold/);
  }, 240000);

  test('a configuration error reaches every channel: JUnit, the step summary, ::error, and the reporter', async () => {
    const repo = clone(template);
    const { job, reporter } = runClassroom(repo, {
      MLPATH_HOLDOUTS:
        '{"mlpathHoldouts": 1, "holdouts": {"week1/iris": {"format": "csv", "content": "a,b\\n1,2\\n"}}}',
    });
    const grade = step(job, 'grade');
    expect(grade.outcome).toBe('failure');
    expect(grade.stderr).toMatch(/^::error title=mlpath%3A not graded::/m);
    expect(job.summary).toMatch(/## mlpath: not graded/);
    const junit = fs.readFileSync(path.join(repo, 'mlpath-junit.xml'), 'utf8');
    expect(junit).toMatch(/<error message="not graded: .*" type="not-graded">/);
    expect(await validateJunit(junit)).toEqual([]);
    expect([reporter.points, reporter.maxPoints]).toEqual([0, 20]);
    expect(reporter.rows.every((r) => r.status === 'error')).toBe(true);
  }, 180000);

  test('a workflow older than the course fails loudly instead of grading with the wrong runners', () => {
    const repo = clone(template);
    const file = path.join(repo, '.github', 'workflows', 'classroom.yml');
    fs.writeFileSync(
      file,
      fs
        .readFileSync(file, 'utf8')
        .replace(/--runners week1iristier1=4,week1iris=6,/, '--runners week1iristier1=2,week1iris=8,'),
    );
    const { job } = runClassroom(repo);
    const results = step(job, 'mlpath');
    expect(results.outcome).toBe('failure');
    expect(results.stderr).toMatch(/the workflow is older than the course; re-run `mlpath ci init`/);
    expect(results.stderr).toMatch(/^::error /m);
  }, 180000);

  test('plain GitHub Actions (--no-classroom): one workflow, valid JUnit, step summary and annotations', async () => {
    const repo = clone(template);
    fs.rmSync(path.join(repo, '.github'), { recursive: true });
    cli(
      [
        'ci',
        'init',
        '--no-classroom',
        '--mlpath',
        `file:${path.relative(repo, path.join(repo, 'vendor', fs.readdirSync(path.join(repo, 'vendor'))[0]))}`,
      ],
      repo,
    );
    expect(fs.readdirSync(path.join(repo, '.github', 'workflows'))).toEqual(['mlpath.yml']);
    submitTo(repo, 'week1/iris', 'solutions/week1/iris/train.ts');
    const seen: Observed = { cacheSaved: false, uploaded: [] };
    const job = runJob(path.join(repo, '.github', 'workflows', 'mlpath.yml'), 'grade', {
      repo,
      actions: handlers(seen),
      runOverrides: { install },
    });
    const grade = step(job, 'grade');
    expect(grade.outcome).toBe('failure');
    expect(grade.stderr).toMatch(/^::error .*title=week1\/houses failed::/m);
    expect(job.summary).toMatch(/1\/2 exercises passed, Points 10\/20/);
    expect(seen.cacheSaved).toBe(true);
    expect(await validateJunit(fs.readFileSync(path.join(repo, 'mlpath-junit.xml'), 'utf8'))).toEqual([]);
  }, 180000);
});
