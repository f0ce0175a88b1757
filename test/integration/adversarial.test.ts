/**
 * Submissions written to break the grader rather than to learn: each one
 * once got a wrong, vague or missing result (or left mlpath crashed, frozen
 * or a process behind). The built CLI, on the fast iris fixture course.
 */
import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';
import { checkReportSchema } from '../../src/grader/result';
import {
  BIN,
  harnessProcesses,
  makeWorkspace,
  parseReport,
  runCli,
  submit,
  SUBMISSIONS,
  tempDir,
  type JsonResult,
} from '../helpers/cli';

let ws: string;
beforeAll(() => {
  ws = makeWorkspace({ course: true });
});

afterAll(() => {
  expect(harnessProcesses()).toEqual([]);
});

function exerciseDir(exercise: string): string {
  return path.join(ws, ...exercise.split('/'));
}

/** Puts `submission` in place as the exercise's only code file (plus the shared helper). */
function place(submission: string, exercise: string, entry = 'train.ts'): void {
  const dir = exerciseDir(exercise);
  for (const f of fs.readdirSync(dir)) if (/\.[cm]?[jt]s$|\.txt$|\.json$/.test(f)) fs.rmSync(path.join(dir, f));
  if (entry === 'train.ts') {
    submit(ws, exercise, submission);
  } else {
    fs.copyFileSync(path.join(SUBMISSIONS, submission), path.join(dir, entry));
  }
}

function check(
  submission: string,
  exercise = 'm1/iris',
  opts: { entry?: string; env?: NodeJS.ProcessEnv; extra?: string[] } = {},
): { result: JsonResult; stdout: string; ms: number } {
  place(submission, exercise, opts.entry);
  const run = runCli(['check', exercise, '--json', ...(opts.extra ?? [])], ws, opts.env);
  const report = parseReport(run.stdout);
  expect(checkReportSchema.safeParse(report).success).toBe(true);
  return { result: report.results[0], stdout: run.stdout, ms: run.ms };
}

/** Harness processes started by the grader process `parent`. */
function harnessesOf(parent: number): number[] {
  const pids: number[] = [];
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const ppid = Number(
        fs
          .readFileSync(`/proc/${entry}/stat`, 'utf8')
          .replace(/^.*\) /s, '')
          .split(' ')[1],
      );
      if (ppid !== parent) continue;
      if (fs.readFileSync(`/proc/${entry}/cmdline`, 'utf8').includes('child.cjs')) pids.push(Number(entry));
    } catch {
      /* gone, or not ours */
    }
  }
  return pids;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function waitFor<T>(probe: () => T | undefined, ms: number): Promise<T | undefined> {
  const end = Date.now() + ms;
  for (;;) {
    const value = probe();
    if (value !== undefined || Date.now() > end) return value;
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('the grader survives and reports', () => {
  test('garbage written onto the private channel is a runtime error, not an mlpath crash', () => {
    const { result } = check('adv-ipc-garbage.ts');
    expect(result.status).toBe('error');
    expect(result.error?.kind).toBe('runtime');
    expect(result.error?.message).toMatch(/private channel/);
  });

  test('a signal to the grader is refused, so SIGSTOP cannot freeze the check', () => {
    place('adv-signal-parent.ts', 'm1/iris');
    const run = spawnSync(process.execPath, [BIN, 'check', 'm1/iris', '--json'], {
      cwd: ws,
      env: { ...process.env, NO_COLOR: '1', GITHUB_ACTIONS: '' },
      encoding: 'utf8',
      timeout: 30000,
      killSignal: 'SIGKILL',
    });
    expect(run.signal).toBeNull();
    const result = parseReport(run.stdout).results[0];
    expect(result.error?.kind).toBe('runtime');
    expect(result.error?.message).toMatch(/signals to other processes/);
    expect(result.error?.line).toBe(5);
  });

  test('a learner process spinning in a loop dies with a grader killed from outside', async () => {
    place('adv-spin.ts', 'm1/iris');
    const cli = spawn(process.execPath, [BIN, 'check', 'm1/iris', '--json', '--timeout', '60'], {
      cwd: ws,
      stdio: 'ignore',
      env: { ...process.env },
    });
    let pids: number[] | undefined;
    try {
      pids = await waitFor(() => (harnessesOf(cli.pid!).length ? harnessesOf(cli.pid!) : undefined), 60000);
      expect(pids?.length).toBe(1);
      // Past start-up, into the loop: an idle process would notice its channel close anyway.
      await new Promise((r) => setTimeout(r, 2000));
      cli.kill('SIGKILL');
      const left = await waitFor(() => (pids!.some(alive) ? undefined : []), 5000);
      expect(left).toEqual([]);
    } finally {
      cli.kill('SIGKILL');
      for (const pid of pids ?? []) if (alive(pid)) process.kill(pid, 'SIGKILL');
    }
  });

  test('a tensor look-alike from predict is invalid-output at once, not a timeout', () => {
    const { result } = check('adv-fake-tensor.ts');
    expect(result.error?.kind).toBe('invalid-output');
    expect(result.error?.message).toMatch(
      /returned (an object that looks like a tf\.Tensor|a tensor with its own data)/,
    );
  });

  test('predictions far larger than the held-out set are refused in the learner process', () => {
    const { result } = check('adv-huge-predictions.ts');
    expect(result.error?.kind).toBe('invalid-output');
    expect(result.error?.message).toMatch(/returned shape \[\d+, 100000\] \(\d+ values\) for \d+ held-out rows/);
  });

  test('resetting TensorFlow.js or replacing a global the grader uses is explained, and not called memory', () => {
    const reset = check('adv-engine-reset.ts').result;
    expect(reset.error?.kind).toBe('runtime');
    expect(reset.error?.message).toMatch(/held-out inputs.*tf\.engine\(\)\.reset/);
    const replaced = check('adv-global-typed-array.ts').result;
    expect(replaced.status).toBe('error');
    expect(replaced.error?.kind).toBe('forbidden-api');
    expect(replaced.error?.message).toMatch(
      /tried to replace JavaScript's built-in globalThis\.\w+Array.*leave built-in objects as they are/,
    );
  });
});

describe('integrity', () => {
  test('no connection leaves the learner process', async () => {
    let connections = 0;
    const server = net.createServer((socket) => {
      connections++;
      socket.destroy();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      place('adv-network.ts', 'm1/iris');
      fs.writeFileSync(
        path.join(exerciseDir('m1/iris'), 'port.txt'),
        String((server.address() as net.AddressInfo).port),
      );
      const run = runCli(['check', 'm1/iris', '--json'], ws);
      const result = parseReport(run.stdout).results[0];
      expect(result.error?.kind).toBe('runtime');
      expect(result.error?.message).toMatch(/\(network\)/);
      expect(connections).toBe(0);
    } finally {
      server.close();
    }
  });

  test('terminal escape sequences from learner code reach neither the output nor the message', () => {
    const { result } = check('adv-escape-codes.ts');
    expect(result.status).toBe('error');
    expect(result.error?.message).toContain('✔ m1/iris passed (seed 1)');
    expect(result.error?.message).not.toMatch(/[\u001b\r]/);
    expect(result.output).toContain('✔ m1/iris passed');
    expect(result.output).not.toMatch(/[\u001b\r]/);
  });
});

describe('from-scratch enforcement', () => {
  test('an optimizer class reached by a computed name is forbidden-api', () => {
    const { result } = check('adv-optimizer-class.ts', 'm1/scratch');
    expect(result.error?.kind).toBe('forbidden-api');
    expect(result.error?.message).toMatch(/tf\.SGDOptimizer/);
    expect(result.error?.line).toBe(6);
  });

  test('a use the static scan refuses leaves no compiled bundle behind', () => {
    const tmp = tempDir();
    const { result } = check('iris-forbidden-static.ts', 'm1/scratch', { env: { TMPDIR: tmp } });
    expect(result.error?.kind).toBe('forbidden-api');
    expect(fs.readdirSync(tmp)).toEqual([]);
  });

  test('a second, unrestricted require of TensorFlow.js through node:module is refused where it is imported', () => {
    for (const exercise of ['m1/scratch', 'm1/iris']) {
      const { result } = check('adv-real-tf.ts', exercise);
      expect(result.error?.kind).toBe('forbidden-api');
      expect(result.error?.message).toMatch(/train\.ts:1:\d+: graded code cannot use Node's 'module' module/);
      expect(result.error?.line).toBe(1);
    }
  });
});

describe('precise diagnoses', () => {
  test('an error thrown deep inside TensorFlow.js points at the learner line that called it', () => {
    const { result } = check('adv-shape-error.ts');
    expect(result.error?.kind).toBe('runtime');
    expect(result.error?.message).toMatch(/matMul/);
    expect(path.basename(result.error?.file ?? '')).toBe('train.ts');
    expect(result.error?.line).toBe(8);
  });

  test('a default export that is a class is missing-entry and says so', () => {
    const { result } = check('adv-default-class.ts');
    expect(result.error?.kind).toBe('missing-entry');
    expect(result.error?.message).toMatch(/is a class \(Trainer\)/);
  });

  test('a thrown object is shown, cycles and all', () => {
    const { result } = check('adv-throw-cyclic.ts');
    expect(result.error?.kind).toBe('runtime');
    expect(result.error?.message).toMatch(/not an Error: .*code: 'E_DIVERGED', step: 17/);
  });

  test.each([['adv-top-level-await.ts', /train\.ts:4:1: Top-level await .* move the await inside train\(ctx\)/]])(
    '%s: the compile error says what to do',
    (file, message) => {
      const { result } = check(file);
      expect(result.error?.kind).toBe('compile');
      expect(result.error?.message).toMatch(message);
    },
  );

  test('a package the exercise does not allow is refused by name, with file and line', () => {
    const { result } = check('adv-missing-package.ts');
    expect(result.error?.kind).toBe('forbidden-api');
    expect(result.error?.message).toMatch(
      /train\.ts:\d+:\d+: graded code cannot import the package 'lodash-shuffle-fast': it is not available to this exercise/,
    );
  });
});

describe('honest code in less usual shapes', () => {
  test('train.js instead of train.ts is graded', () => {
    const { result } = check('adv-javascript-entry.ts', 'm1/iris', { entry: 'train.js' });
    expect(result.error).toBeNull();
    expect(result.status).toBe('passed');
  });

  test("__dirname and import.meta.url find files next to the learner's code", () => {
    place('adv-dirname.ts', 'm1/iris');
    fs.writeFileSync(path.join(exerciseDir('m1/iris'), 'settings.json'), '{ "scale": 1 }');
    const run = runCli(['check', 'm1/iris', '--json'], ws);
    const result = parseReport(run.stdout).results[0];
    expect(result.error).toBeNull();
    expect(result.status).toBe('passed');
  });

  test('without the sandbox too, a temporary folder under a "type": "module" package.json does not turn the bundle into an ES module', () => {
    const tmp = tempDir();
    fs.writeFileSync(path.join(tmp, 'package.json'), '{ "type": "module" }');
    const { result } = check('iris-pass.ts', 'm1/iris', { env: { TMPDIR: tmp, MLPATH_NO_SANDBOX: '1' } });
    expect(result.error).toBeNull();
    expect(result.status).toBe('passed');
  });
});
