/**
 * The CLI's contract outside grading itself: exit codes, usage errors that
 * name the closest ids, commands that must not load TensorFlow.js, start's
 * never-clobber rule, and the CI outputs of `check`.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { checkReportSchema } from '../../src/grader/result';
import { BIN, COURSE, makeWorkspace, parseReport, ROOT, runCli, submit, tempDir } from '../helpers/cli';

function loadedModules(args: string[], cwd: string): string[] {
  const script = `
    const Module = require('module');
    const seen = new Set();
    const orig = Module._load;
    Module._load = function (request, parent, isMain) { seen.add(request); return orig.apply(this, arguments); };
    process.on('exit', () => { require('fs').writeSync(2, '\\nLOADED ' + JSON.stringify([...seen]) + '\\n'); });
    process.argv = [process.argv[0], ${JSON.stringify(BIN)}, ...${JSON.stringify(args)}];
    require(${JSON.stringify(BIN)});
  `;
  const r = spawnSync(process.execPath, ['-e', script], {
    cwd,
    encoding: 'utf8',
    env: { ...process.env, NO_COLOR: '1' },
  });
  const m = /LOADED (.*)/.exec(r.stderr);
  return m ? (JSON.parse(m[1]) as string[]) : [];
}

describe('commands that do not train load no TensorFlow.js', () => {
  let ws: string;
  beforeAll(() => {
    ws = makeWorkspace();
  });
  test.each([[['--help']], [['status']], [['validate']], [['next']], [['doctor']], [['data', 'list']]])(
    'mlpath %j',
    (args) => {
      const loaded = loadedModules(args, ws);
      expect(loaded.length).toBeGreaterThan(0);
      expect(loaded.filter((m) => m.includes('@tensorflow'))).toEqual([]);
      expect(loaded.filter((m) => m === 'esbuild')).toEqual([]);
    },
  );
});

describe('usage errors exit 2 and say what to do', () => {
  test('an unknown exercise id lists the closest ids', () => {
    const ws = makeWorkspace();
    const r = runCli(['check', 'month2/mnst'], ws);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/unknown exercise 'month2\/mnst'/);
    expect(r.stderr).toMatch(/month2\/mnist/);
  });

  test('an exercise not built yet says so', () => {
    const ws = makeWorkspace();
    const built = JSON.parse(runCli(['status', '--json'], ws).stdout) as {
      months: { exercises: { key: string; state: string }[] }[];
    };
    const planned = built.months.flatMap((m) => m.exercises).find((e) => e.state === 'planned');
    if (!planned) return; // every exercise of the path is built
    const r = runCli(['check', planned.key], ws);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/not built yet/);
  });

  test('outside a workspace, check names `mlpath start`', () => {
    const r = runCli(['check', 'month2/mnist'], tempDir());
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/mlpath start/);
  });

  test('an unknown option and a bad --seed are usage errors', () => {
    const ws = makeWorkspace();
    expect(runCli(['check', 'month2/mnist', '--frobnicate'], ws).code).toBe(2);
    expect(runCli(['check', 'month2/mnist', '--seed', 'abc'], ws).code).toBe(2);
  });

  test('a forced backend that is unavailable is a usage error, never a fallback', () => {
    const ws = makeWorkspace();
    const r = runCli(['check', 'month2/mnist', '--backend', 'tensorflow'], ws);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/allow-scripts=@tensorflow\/tfjs-node|tfjs-node/);
    const env = runCli(['check', 'month2/mnist'], ws, { MLPATH_BACKEND: 'tensorflow' });
    expect(env.code).toBe(2);
  });

  test('an invalid curriculum reports file:line: field: message and exits 2', () => {
    const dir = tempDir();
    const file = path.join(dir, 'bad.yaml');
    fs.writeFileSync(
      file,
      'formatVersion: 1\nid: x\nversion: "1"\ntitle: t\nmonths:\n  - id: m1\n    title: M\n    exercises:\n      - id: a\n        title: A\n        kind: nope\n',
    );
    const r = runCli(['validate', file], dir);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/bad\.yaml:11: months\[0\]\.exercises\[0\]\.kind: /);
  });

  test('the built-in curriculum is valid', () => {
    const r = runCli(['validate'], ROOT);
    expect(r.code).toBe(0);
  });
});

describe('mlpath start', () => {
  test('re-running never overwrites a changed file and restores a missing one', () => {
    const ws = makeWorkspace();
    const train = path.join(ws, 'month2', 'mnist', 'train.ts');
    const readme = path.join(ws, 'month2', 'mnist', 'README.md');
    fs.writeFileSync(train, '// my work\n');
    fs.rmSync(readme);
    const r = runCli(['start', ws, '--yes'], ROOT);
    expect(r.code).toBe(0);
    expect(fs.readFileSync(train, 'utf8')).toBe('// my work\n');
    expect(fs.existsSync(readme)).toBe(true);
    expect(r.stdout).toMatch(/1 kept because you changed them/);
    const config = JSON.parse(fs.readFileSync(path.join(ws, 'mlpath.json'), 'utf8'));
    expect(config.curriculum).toBe('mlpath-core');
  });

  test("the workspace tsconfig resolves mlpath and TensorFlow.js types for the learner's editor", () => {
    const ws = makeWorkspace();
    fs.copyFileSync(
      path.join(ROOT, 'solutions', 'month2', 'mnist', 'train.ts'),
      path.join(ws, 'month2', 'mnist', 'train.ts'),
    );
    const tsc = path.join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc');
    const r = spawnSync(process.execPath, [tsc, '-p', path.join(ws, 'tsconfig.json')], { encoding: 'utf8' });
    expect(r.stdout + r.stderr).toBe('');
    expect(r.status).toBe(0);
  });

  test('an unreadable progress file is backed up and replaced, never a crash', () => {
    const ws = makeWorkspace();
    fs.writeFileSync(path.join(ws, '.mlpath', 'progress.json'), '{ not json');
    const r = runCli(['status'], ws);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/unreadable/);
    expect(fs.readdirSync(path.join(ws, '.mlpath')).some((f) => f.startsWith('progress.json.unreadable-'))).toBe(true);
  });
});

describe('check in CI', () => {
  test('several exercises, --json file, --junit and the GitHub step summary', () => {
    const ws = makeWorkspace({ course: true });
    submit(ws, 'm1/iris', 'iris-pass.ts');
    submit(ws, 'm1/scratch', 'iris-throws.ts');
    const out = tempDir();
    const summary = path.join(out, 'summary.md');
    fs.writeFileSync(summary, '');
    // In CI the instructor's curriculum is named explicitly: the workspace's own is never used there.
    const r = runCli(
      [
        'check',
        '--all',
        '--json',
        path.join(out, 'r.json'),
        '--junit',
        path.join(out, 'junit.xml'),
        '--curriculum',
        COURSE,
      ],
      ws,
      {
        GITHUB_ACTIONS: 'true',
        GITHUB_STEP_SUMMARY: summary,
      },
    );
    expect(r.code).toBe(1);
    const report = JSON.parse(fs.readFileSync(path.join(out, 'r.json'), 'utf8'));
    expect(checkReportSchema.safeParse(report).success).toBe(true);
    expect(report.results.map((x: { exercise: string }) => x.exercise)).toEqual(['m1/iris', 'm1/scratch', 'm1/seeds']);
    expect([report.passed, report.failed, report.errors]).toEqual([1, 1, 1]);
    const junit = fs.readFileSync(path.join(out, 'junit.xml'), 'utf8');
    expect(junit).toMatch(/<testsuite name="mlpath"[^>]* tests="3" failures="1" errors="1"/);
    expect(junit).toMatch(/<error message="runtime: m1\/scratch\/train\.ts:5: weights and inputs disagree/);
    expect(fs.readFileSync(summary, 'utf8')).toMatch(/1\/3 exercises passed/);
    expect(r.stderr).toMatch(/::error file=m1\/scratch\/train\.ts,line=5,title=m1\/scratch error::runtime: weights/);
    expect(r.stdout).toMatch(/Points 10\/30/);
  });

  test('--json to stdout is a valid report even when every check errors', () => {
    const ws = makeWorkspace({ course: true });
    submit(ws, 'm1/iris', 'iris-syntax.ts');
    const r = runCli(['check', 'm1/iris', '--json'], ws);
    expect(checkReportSchema.safeParse(parseReport(r.stdout)).success).toBe(true);
  });
});
