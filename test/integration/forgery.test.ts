/**
 * Routes past the grader that once passed without the work (issue 12): a
 * planted symbolic link, files read at compile or run time from outside the
 * exercise, dataset and mlpath imports, the from-scratch bans reached around
 * the restricted namespace, library closed forms in month 1. Each now gets a
 * precise not-passed result; honest work still passes, and the same seed
 * gives the same metrics. The built CLI, on the built-in curriculum.
 */
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { spawn } from 'node:child_process';
import {
  BIN,
  harnessProcesses,
  makeWorkspace,
  parseReport,
  ROOT,
  runCli,
  SUBMISSIONS,
  tempDir,
  type JsonResult,
} from '../helpers/cli';

let ws: string;
beforeAll(() => {
  ws = makeWorkspace();
});

afterAll(() => {
  expect(harnessProcesses()).toEqual([]);
});

function dir(exercise: string): string {
  return path.join(ws, ...exercise.split('/'));
}

function reference(exercise: string): void {
  const from = path.join(ROOT, 'solutions', ...exercise.split('/'));
  for (const f of fs.readdirSync(from)) fs.copyFileSync(path.join(from, f), path.join(dir(exercise), f));
}

function write(exercise: string, file: string, text: string): void {
  fs.writeFileSync(path.join(dir(exercise), file), text.split('__ROOT__').join(ROOT));
}

function check(exercise: string, extra: string[] = []): JsonResult {
  const run = runCli(['check', exercise, '--json', ...extra], ws);
  return parseReport(run.stdout).results[0];
}

function submit(exercise: string, fixture: string, entry = 'train.ts'): JsonResult {
  write(exercise, entry, fs.readFileSync(path.join(SUBMISSIONS, fixture), 'utf8'));
  return check(exercise);
}

function hashTree(root: string): string {
  const h = createHash('sha256');
  const walk = (d: string): void => {
    for (const e of fs.readdirSync(d, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.isFile()) h.update(p).update(fs.readFileSync(p));
    }
  };
  walk(root);
  return h.digest('hex');
}

describe('planted symbolic links', () => {
  afterEach(() => {
    for (const link of [
      path.join(dir('month1/linear-regression'), 'data'),
      path.join(dir('month4/tracking'), 'mlruns'),
    ]) {
      if (fs.lstatSync(link, { throwIfNoEntry: false })?.isSymbolicLink()) fs.rmSync(link);
    }
  });

  test('a link out of the exercise folder is refused before anything runs', () => {
    reference('month1/linear-regression');
    fs.symlinkSync(
      path.relative(dir('month1/linear-regression'), ROOT),
      path.join(dir('month1/linear-regression'), 'data'),
    );
    const result = check('month1/linear-regression');
    expect(result.status).toBe('error');
    expect(result.error?.kind).toBe('forbidden-api');
    expect(result.error?.message).toMatch(/symbolic link to .*outside the exercise folder/);
    expect(result.error?.file).toBe(path.join(dir('month1/linear-regression'), 'data'));
  });

  test("a writable folder linked to the whole disk is refused, and mlpath's files stay as they were", () => {
    const before = hashTree(path.join(ROOT, 'dist'));
    reference('month4/tracking');
    fs.rmSync(path.join(dir('month4/tracking'), 'mlruns'), { recursive: true, force: true });
    fs.symlinkSync('../../../../../../../../../../../../..', path.join(dir('month4/tracking'), 'mlruns'));
    const result = check('month4/tracking');
    expect(result.error?.kind).toBe('forbidden-api');
    expect(result.error?.message).toMatch(/symbolic link to \/, outside the exercise folder/);
    expect(hashTree(path.join(ROOT, 'dist'))).toBe(before);
  });

  test('a link that stays inside the folder is followed', () => {
    reference('month1/linear-regression');
    const real = path.join(dir('month1/linear-regression'), 'lib');
    fs.mkdirSync(real, { recursive: true });
    fs.writeFileSync(path.join(real, 'rate.ts'), 'export const RATE = 0.1;\n');
    fs.symlinkSync('lib', path.join(dir('month1/linear-regression'), 'data'));
    write(
      'month1/linear-regression',
      'train.ts',
      fs
        .readFileSync(path.join(ROOT, 'solutions/month1/linear-regression/train.ts'), 'utf8')
        .replace('const LEARNING_RATE = 0.1;', "import { RATE as LEARNING_RATE } from './data/rate';"),
    );
    expect(check('month1/linear-regression').status).toBe('passed');
  });
});

describe('files from outside the exercise', () => {
  test.each([
    ['forge-outside-file.ts', /train\.ts:5:\d+: graded code can only import files inside its exercise folder/],
    ['forge-dataset-subpath.ts', /graded code cannot import the dataset package 'mnist\/src\/digits\/0\.json'/],
    ['forge-mlpath-dist.ts', /graded code cannot import mlpath's own files/],
    [
      'forge-closed-form.ts',
      /graded code cannot import the package 'ml-regression-multivariate-linear': it is not available to this exercise/,
    ],
  ])('%s is refused when bundled, with file and line', (fixture, message) => {
    const result = submit('month1/linear-regression', fixture);
    expect(result.error?.kind).toBe('forbidden-api');
    expect(result.error?.message).toMatch(message);
    expect(result.error?.line).toBeGreaterThan(0);
  });

  test("mlpath's own generators and the dataset packages cannot be read at run time", () => {
    const result = submit('month1/linear-regression', 'forge-read-outside.ts');
    expect(result.status).toBe('failed');
    expect(result.output).toContain('read: nothing');
  });

  test('a package name built at run time is refused by the module lockdown', () => {
    const result = submit('month1/linear-regression', 'forge-runtime-require.ts');
    expect(result.error?.kind).toBe('runtime');
    expect(result.error?.message).toMatch(/cannot load '@stdlib\/datasets-harrison-boston-house-prices' at run time/);
  });
});

describe('from-scratch bans, every route', () => {
  test.each([
    ['forge-adam-registry.ts', 'forbidden-api', /tf\.train \(optimizers\)/],
    ['forge-require-main.ts', 'runtime', /Cannot read properties of undefined \(reading 'require'\)/],
    ['forge-module-cache.ts', 'runtime', /no real tf found/],
    ['forge-second-copy.ts', 'runtime', /Code generation from strings disallowed/],
    ['forge-vm.ts', 'runtime', /cannot use Node's 'vm' module/],
  ])('%s does not pass month1/linear-regression', (fixture, kind, message) => {
    const result = submit('month1/linear-regression', fixture);
    expect(result.status).toBe('error');
    expect(result.error?.kind).toBe(kind);
    expect(result.error?.message).toMatch(message);
  });

  test.each([
    ['the chained form', 'return (logits as any).softmax();'],
    ['a softmax layer', 'return (tf as any).layers.softmax().apply(logits);'],
    ['the kernel run by hand', "return (tf as any).engine().runKernel('Softmax', { logits }, { dim: -1 });"],
  ])('tf.softmax reached through %s is forbidden-api in month1/tensors', (_route, body) => {
    reference('month1/tensors');
    const file = path.join(dir('month1/tensors'), 'tensors.ts');
    const source = fs.readFileSync(file, 'utf8');
    const start = source.indexOf('export function softmax');
    const end = source.indexOf('export function crossEntropy');
    fs.writeFileSync(
      file,
      `${source.slice(0, start)}export function softmax(logits: tf.Tensor2D): tf.Tensor2D {\n  ${body}\n}\n\n${source.slice(end)}`,
    );
    const result = check('month1/tensors');
    expect(result.error?.kind).toBe('forbidden-api');
    expect(result.error?.message).toMatch(/tf\.softmax is not allowed/);
  });
});

describe("the search objective's score table (month4/search, review 17)", () => {
  const casesPassed = (r: JsonResult): number | null | undefined =>
    r.metrics.find((m) => m.name === 'cases_passed')?.value;

  test.each([['adv-prototype-getter-search.ts'], ['adv-prototype-getter-message.ts']])(
    '%s, reading scores through a prototype getter instead of searching, does not pass',
    (fixture) => {
      const result = submit('month4/search', fixture, 'search.ts');
      expect(result.status).not.toBe('passed');
      if (result.status === 'failed') {
        // Without the table it falls back to the first configuration, which is the best in a few problems only.
        expect(casesPassed(result)).toBeLessThan(0.65);
      } else {
        // The prototypes are closed to new keys (child/integrity.ts pin): the getter's definition is refused.
        expect(result.error?.kind).toBe('forbidden-api');
        expect(result.error?.message).toMatch(
          /^graded code tried to add '(-1|listing)' to one of JavaScript's built-in objects/,
        );
      }
    },
  );

  test("adv-channel-eavesdrop.ts, reading the grader's call frames off the harness's channel socket (review 18), does not pass", () => {
    const result = submit('month4/search', 'adv-channel-eavesdrop.ts', 'search.ts');
    expect(result.status).not.toBe('passed');
    expect(result.error?.message).toMatch(/mlpath's private channel\) is blocked during a check/);
  });

  test('the reference search still passes', () => {
    reference('month4/search');
    expect(check('month4/search').status).toBe('passed');
  });
});

describe('a check killed from outside', () => {
  test('leaves its private folder behind only until the next check sweeps it', async () => {
    const tmp = tempDir();
    write(
      'month1/linear-regression',
      'train.ts',
      'export default async function train() {\n  for (;;) { /* spin */ }\n}\n',
    );
    const cli = spawn(process.execPath, [BIN, 'check', 'month1/linear-regression', '--json'], {
      cwd: ws,
      stdio: 'ignore',
      env: { ...process.env, TMPDIR: tmp },
    });
    const runDirs = (): string[] => fs.readdirSync(tmp).filter((d) => d.startsWith('mlpath-run-'));
    const bundled = (): boolean => runDirs().some((d) => fs.existsSync(path.join(tmp, d, 'bundle', 'entry.cjs')));
    for (let waited = 0; !bundled() && waited < 600; waited++) await new Promise((r) => setTimeout(r, 100));
    expect(bundled()).toBe(true);
    cli.kill('SIGKILL');
    await new Promise((r) => cli.once('close', r));
    expect(runDirs()).toHaveLength(1);
    reference('month1/linear-regression');
    const run = runCli(['check', 'month1/linear-regression', '--json'], ws, { TMPDIR: tmp });
    expect(parseReport(run.stdout).results[0].status).toBe('passed');
    expect(runDirs()).toEqual([]);
  });
});

describe('honest work', () => {
  test('every from-scratch reference still passes', () => {
    for (const exercise of ['month1/tensors', 'month1/linear-regression', 'month1/logistic-regression']) {
      reference(exercise);
      expect([exercise, check(exercise).status]).toEqual([exercise, 'passed']);
    }
  });

  test('two checks of the reference MNIST with the same seed print identical metrics', () => {
    reference('month2/mnist');
    const first = check('month2/mnist', ['--seed', '7']);
    const second = check('month2/mnist', ['--seed', '7']);
    expect(first.status).toBe('passed');
    expect(second.metrics).toEqual(first.metrics);
  });
});
