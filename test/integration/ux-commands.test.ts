/**
 * The learner's verbs through the built CLI, without a terminal: tiered
 * hints recorded in progress, the solution locked until a pass, reset with
 * a backup, status and next, plain output for pipes and NO_COLOR, --quiet,
 * and no TensorFlow.js loaded by any of them.
 */
import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { BIN, runCli } from '../helpers/cli';
import { entryOf, HANGS, makeUxWorkspace, PASSING, processesIn, save, STARTER } from '../helpers/ux-course';

function progress(ws: string): { exercises: Record<string, { hintsSeen: number; attempts: number; passed: boolean }> } {
  return JSON.parse(fs.readFileSync(path.join(ws, '.mlpath', 'progress.json'), 'utf8'));
}

/** Every line a command prints to stdout, whatever it is, ends with the next useful command. */
function lastLine(text: string): string {
  return text.trimEnd().split('\n').pop() ?? '';
}

let ws: string;
beforeAll(() => {
  ws = makeUxWorkspace();
});

test('hints come one level at a time, are recorded, and --all shows all', () => {
  const one = runCli(['hint', 'm1/iris'], ws);
  expect(one.code).toBe(0);
  expect(one.stdout).toMatch(/Hint 1 of 3 \(m1\/iris\)\n {2}Hint one: look at the shapes\./);
  expect(one.stdout).not.toMatch(/Hint two/);
  expect(lastLine(one.stdout)).toMatch(/^next: .*`mlpath hint m1\/iris` shows hint 2/);
  expect(progress(ws).exercises['m1/iris'].hintsSeen).toBe(1);

  // Inside the exercise folder no id is needed.
  const two = runCli(['hint'], path.join(ws, 'm1', 'iris'));
  expect(two.stdout).toMatch(/Hint 2 of 3/);
  expect(progress(ws).exercises['m1/iris'].hintsSeen).toBe(2);

  const three = runCli(['hint', 'm1/iris'], ws);
  expect(three.stdout).toMatch(/Hint 3 of 3/);
  expect(lastLine(three.stdout)).toMatch(/that was the last hint/);
  const again = runCli(['hint', 'm1/iris'], ws);
  expect(again.stdout).toMatch(/Hint 3 of 3/);
  expect(progress(ws).exercises['m1/iris'].hintsSeen).toBe(3);

  const all = runCli(['hint', 'm1/iris', '--all'], ws);
  expect(all.stdout.match(/Hint \d of 3/g)).toEqual(['Hint 1 of 3', 'Hint 2 of 3', 'Hint 3 of 3']);
  const quiet = runCli(['hint', 'm1/iris', '--quiet'], ws);
  expect(quiet.stdout).toBe('Hint three: adam with a learning rate of 0.1 for 30 epochs.\n');
});

test('an unknown id is a usage error naming the closest one', () => {
  const r = runCli(['hint', 'm1/irsi'], ws);
  expect(r.code).toBe(2);
  expect(r.stderr).toMatch(/m1\/iris/);
  const planned = runCli(['hint', 'm1/later'], ws);
  expect(planned.code).toBe(2);
  expect(planned.stderr).toMatch(/not built yet/);
});

test('the solution is locked until the exercise passes, then shown', () => {
  const locked = runCli(['solution', 'm1/iris'], ws);
  expect(locked.code).toBe(2);
  expect(locked.stdout).toBe('');
  expect(locked.stderr).toMatch(/unlocks once your own solution passes/);
  expect(locked.stderr).toMatch(/next: .*mlpath check m1\/iris/);

  save(ws, PASSING);
  expect(runCli(['check', 'm1/iris'], ws).code).toBe(0);
  const shown = runCli(['solution', 'm1/iris'], ws);
  expect(shown.code).toBe(0);
  expect(shown.stdout).toMatch(/--- train\.ts ---/);
  expect(shown.stdout).toContain('optimizer: tf.train.adam(0.1)');
  expect(lastLine(shown.stdout)).toMatch(/^next: /);
});

test("status: a bar per month, each exercise's state and best metric, then the next command", () => {
  const s = runCli(['status'], ws);
  expect(s.code).toBe(0);
  expect(s.stdout).toMatch(/Month 1: Flowers +\[#{12}\] +1\/1 passed/);
  expect(s.stdout).toMatch(
    /✔ m1\/iris +Iris with a small network +passed\n +best accuracy 0\.\d{4} \(needs >= 0\.8\) · \d attempts? · hints 3\/3/,
  );
  expect(s.stdout).toMatch(/later: later/);
  expect(lastLine(s.stdout)).toMatch(/^next: /);
  const json = JSON.parse(runCli(['status', '--json'], ws).stdout);
  expect(json.months[0].exercises[0].hints).toEqual({ seen: 3, total: 3 });
});

test("reset backs the learner's file up and restores the starter; progress stays", () => {
  const mine = `${PASSING}\n// my notes\n`;
  save(ws, mine);
  const r = runCli(['reset', 'm1/iris'], ws);
  expect(r.code).toBe(0);
  expect(fs.readFileSync(entryOf(ws), 'utf8')).toBe(STARTER);
  const backups = path.join(ws, '.mlpath', 'backups');
  const [stamp] = fs.readdirSync(backups);
  expect(stamp).toMatch(/^\d{4}-\d\d-\d\dT/);
  expect(fs.readFileSync(path.join(backups, stamp, 'm1', 'iris', 'train.ts'), 'utf8')).toBe(mine);
  expect(r.stdout).toMatch(/restored train\.ts/);
  expect(r.stdout).toMatch(new RegExp(`your previous files are in \\.mlpath/backups/${stamp}`));
  expect(lastLine(r.stdout)).toMatch(/^next: `mlpath check m1\/iris`/);
  expect(progress(ws).exercises['m1/iris'].passed).toBe(true);

  const again = runCli(['reset', '--all'], ws);
  expect(again.stdout).toMatch(/already the starter/);
  expect(fs.readdirSync(backups)).toHaveLength(1);
  expect(runCli(['reset'], ws).code).toBe(2);
});

test('output is plain without a terminal or with NO_COLOR, and --quiet keeps results only', () => {
  const fresh = makeUxWorkspace();
  for (const env of [{}, { NO_COLOR: '1', FORCE_COLOR: '1' }]) {
    for (const args of [['status'], ['next'], ['hint', 'm1/iris'], ['check', 'm1/iris']]) {
      const r = runCli(args, fresh, env);
      expect(r.stdout + r.stderr).not.toMatch(/\x1b\[/);
    }
  }
  const check = runCli(['check', 'm1/iris'], fresh);
  expect(check.stdout).toMatch(/m1\/iris failed/);
  expect(check.stdout).toMatch(/accuracy \[=* *\|[= ]*\] 0\.\d{4} {2}\(needs >= 0\.8000\) miss/);
  expect(lastLine(check.stdout)).toMatch(/^ {2}next: /);
  const quiet = runCli(['check', 'm1/iris', '-q'], fresh);
  expect(quiet.stderr).toBe('');
  expect(quiet.stdout).not.toMatch(/report:|accuracy \[/);
  expect(quiet.stdout).toMatch(/m1\/iris failed/);
  expect(runCli(['-q', 'next'], fresh).stdout).toBe('m1/iris\n');
});

test('Ctrl-C during a check kills the graded child, records nothing and exits 130', async () => {
  const fresh = makeUxWorkspace();
  save(fresh, HANGS);
  const child = spawn(process.execPath, [BIN, 'check', 'm1/iris', '--timeout', '60'], {
    cwd: fresh,
    env: { ...process.env, NO_COLOR: '1' },
  });
  let stderr = '';
  child.stderr.on('data', (d) => (stderr += d));
  const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
  const t0 = Date.now();
  while (processesIn(path.join(fresh, 'm1')).length === 0) {
    if (Date.now() - t0 > 20000) throw new Error('the graded child never started');
    await new Promise((r) => setTimeout(r, 100));
  }
  child.kill('SIGINT');
  expect(await exited).toBe(130);
  expect(stderr).toMatch(/check interrupted: nothing was recorded\nnext: `mlpath check m1\/iris`/);
  expect(processesIn(fresh)).toEqual([]);
  expect(fs.existsSync(path.join(fresh, '.mlpath', 'progress.json'))).toBe(false);
});

test('the learner verbs load no TensorFlow.js', () => {
  for (const args of [
    ['hint', 'm1/iris'],
    ['solution', 'm1/iris'],
    ['reset', 'm1/iris'],
    ['report', 'm1/iris'],
    ['next'],
    ['watch', '--help'],
    [],
  ]) {
    const script = `
      const Module = require('module');
      const seen = new Set();
      const orig = Module._load;
      Module._load = function (request) { seen.add(request); return orig.apply(this, arguments); };
      process.on('exit', () => { require('fs').writeSync(2, '\\nLOADED ' + JSON.stringify([...seen]) + '\\n'); });
      process.argv = [process.argv[0], ${JSON.stringify(BIN)}, ...${JSON.stringify(args)}];
      require(${JSON.stringify(BIN)});
    `;
    const r = spawnSync(process.execPath, ['-e', script], {
      cwd: ws,
      encoding: 'utf8',
      env: { ...process.env, NO_COLOR: '1' },
    });
    const loaded = JSON.parse(/LOADED (.*)/.exec(r.stderr)![1]) as string[];
    expect(loaded.filter((m) => m.includes('@tensorflow') || m === 'esbuild')).toEqual([]);
  }
});
