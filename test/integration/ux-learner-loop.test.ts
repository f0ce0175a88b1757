/**
 * The small things of the learner's loop, on the built CLI: a closed pipe
 * ends output without a stack, ids resolve by bare name and unique prefix
 * and suggest only near keys, `check` without an id takes the next exercise
 * as `hint` and `watch` do, another track's exercise is named as such,
 * `-v` prints the version, and `reset` asks in a terminal before replacing
 * a learner's file.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { BIN, ROOT, runCli, tempDir } from '../helpers/cli';
import { runInPty } from '../helpers/pty';
import { entryOf, makeUxWorkspace, PASSING, save } from '../helpers/ux-course';

let ws: string;
beforeAll(() => {
  ws = makeUxWorkspace();
});

test('a reader that goes away ends the output quietly', () => {
  // `true` exits at once, so every write of mlpath meets a closed pipe.
  const r = spawnSync('bash', ['-o', 'pipefail', '-c', `node ${JSON.stringify(BIN)} data list | true`], {
    encoding: 'utf8',
  });
  expect(r.stderr).not.toMatch(/EPIPE|at .*node:/);
  expect(r.status).toBe(0);
});

test('bare names and unique prefixes resolve; a typo gets near keys only', () => {
  expect(runCli(['hint', 'iris'], ws).stdout).toMatch(/Hint 1 of 3/);
  expect(runCli(['hint', 'm1/ir'], ws).stdout).toMatch(/Hint 2 of 3/);
  const typo = runCli(['hint', 'm1/irsi'], ws);
  expect(typo.code).toBe(2);
  expect(typo.stderr).toMatch(/unknown exercise 'm1\/irsi'\. Did you mean: m1\/iris\?/);
  const far = runCli(['hint', 'month7/quantum'], ws);
  expect(far.stderr).toMatch(/unknown exercise 'month7\/quantum'\.$/m);
});

test('check without an id checks the next exercise, as hint and watch do', () => {
  const r = runCli(['check'], ws);
  expect(r.stdout + r.stderr).toMatch(/m1\/iris (failed|passed)/);
  expect(r.stderr).not.toMatch(/which exercise/);
});

test('-v prints the version', () => {
  const r = runCli(['-v'], ws);
  expect(r.code).toBe(0);
  expect(r.stdout.trim()).toMatch(/^\d+\.\d+\.\d+/);
});

test("another track's exercise is named as such, with the command that adds it", () => {
  const tabular = path.join(tempDir(), 'ws');
  expect(runCli(['start', tabular, '--yes', '--track', 'tabular'], ROOT).code).toBe(0);
  const r = runCli(['check', 'month3/nlp'], tabular);
  expect(r.code).toBe(2);
  expect(r.stderr).toMatch(/month3\/nlp belongs to the nlp track; this workspace follows the tabular track/);
  expect(r.stderr).toMatch(/mlpath start --track nlp/);
  expect(r.stderr).not.toMatch(/reset/);
});

test('reset asks in a terminal: no keeps the file, --yes replaces it after a backup', async () => {
  const own = makeUxWorkspace();
  save(own, PASSING);
  const s = runInPty(['reset', 'm1/iris'], { cwd: own, env: { NO_COLOR: '1' } });
  try {
    await s.expect(/Replace your m1\/iris\/train\.ts with the starter\?/);
    s.send('n\r');
    await s.expect(/nothing was reset/);
    expect(await s.exit()).toBe(0);
  } finally {
    s.kill();
  }
  expect(fs.readFileSync(entryOf(own), 'utf8')).toBe(PASSING);

  const r = runCli(['reset', 'm1/iris', '--yes'], own);
  expect(r.code).toBe(0);
  expect(fs.readFileSync(entryOf(own), 'utf8')).not.toBe(PASSING);
  const backups = path.join(own, '.mlpath', 'backups');
  const [stamp] = fs.readdirSync(backups);
  expect(fs.readFileSync(path.join(backups, stamp, 'm1', 'iris', 'train.ts'), 'utf8')).toBe(PASSING);
});

test('q leaves a sub-menu and then the menu', async () => {
  const s = runInPty([], { cwd: ws, env: { NO_COLOR: '1' } });
  try {
    await s.expect(/\(q: quit\)/);
    let from = s.mark();
    s.send('\r'); // "Continue with m1/iris"
    await s.expect(/What now for m1\/iris\? \(q: back\)/, { from });
    from = s.mark();
    s.send('q');
    await s.expect(/\(q: quit\)/, { from });
    s.send('q');
    await s.expect(/next: /);
    expect(await s.exit()).toBe(0);
  } finally {
    s.kill();
  }
});
