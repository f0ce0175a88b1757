/**
 * `mlpath` with no arguments, driven through a real pseudo-terminal: a new
 * learner outside any workspace creates one through the wizard and lands in
 * the menu; inside a workspace the menu continues with the next exercise,
 * checks it, shows hints and progress. Without a terminal: help, exit 0.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { runCli, tempDir } from '../helpers/cli';
import { KEY, runInPty } from '../helpers/pty';
import { EXERCISE, makeUxWorkspace, processesIn } from '../helpers/ux-course';

test('without a terminal, `mlpath` prints help and exits 0', () => {
  const r = runCli([], tempDir());
  expect(r.code).toBe(0);
  expect(r.stdout).toMatch(/Usage: mlpath/);
  expect(r.stdout).toMatch(/mlpath start my-path/);
  expect(r.stdout).not.toMatch(/\x1b\[/);
});

test('a first run: no workspace, the wizard creates one, the menu takes over', async () => {
  const dir = tempDir('mlpath-first-run-');
  const s = runInPty([], { cwd: dir });
  await s.expect(/no mlpath workspace in this folder/);
  await s.expect(/Create one now\?/);
  s.send(KEY.enter);
  await s.expect(/Folder for your workspace/);
  s.send(`my-path${KEY.enter}`);
  await s.expect(/Which one\?/);
  // The tracks come from the curriculum, one line each; pick the second.
  const tracks = await s.expect(/tabular\s+Tabular: /);
  expect(tracks).toMatch(/nlp\s+Language: \S/);
  s.send(KEY.down);
  s.send(KEY.enter);
  const backend = await s.expect(/Create the workspace in .*my-path\?/);
  expect(backend).toMatch(/TensorFlow\.js backend: (tensorflow|wasm|cpu)/);
  if (!/backend: tensorflow/.test(backend)) expect(backend).toMatch(/npm rebuild @tensorflow\/tfjs-node/);
  s.send(KEY.enter);
  const created = await s.expect(/Next up: (\S+)/);
  expect(created).toMatch(/Created workspace .*my-path/);
  expect(created).toMatch(/cd my-path/);
  const next = /Next up: (\S+)/.exec(created)![1];
  const config = JSON.parse(fs.readFileSync(path.join(dir, 'my-path', 'mlpath.json'), 'utf8'));
  expect(config.track).toBe('tabular');
  expect(fs.existsSync(path.join(dir, 'my-path', ...next.split('/'), 'README.md'))).toBe(true);

  // Show progress: the fourth entry.
  let from = s.mark();
  s.send(KEY.down + KEY.down + KEY.down + KEY.enter);
  const status = await s.expect(/next: edit /, { from });
  expect(status).toMatch(/Month 1/);
  expect(status).toMatch(/not started/);

  // Get a hint: a list of exercises (the next one preselected) when there are several.
  await s.expect(/Next up:/, { from: s.text().lastIndexOf('next: edit ') });
  from = s.mark();
  s.send(KEY.down + KEY.down + KEY.enter);
  await s.expect(/A hint for which exercise\?|Hint 1 of/, { from });
  if (!/Hint 1 of/.test(s.text().slice(from))) s.send(KEY.enter);
  const hint = await s.expect(/Hint 1 of (\d+)/, { from });
  expect(hint).toContain(`(${next})`);
  const progress = JSON.parse(fs.readFileSync(path.join(dir, 'my-path', '.mlpath', 'progress.json'), 'utf8'));
  expect(progress.exercises[next].hintsSeen).toBe(1);

  // Quit: the last entry, one up from the first.
  await s.expect(/Next up:/, { from: s.text().lastIndexOf('Hint 1 of') });
  from = s.mark();
  s.send(KEY.up + KEY.enter);
  const bye = await s.expect(/next: `mlpath check/, { from });
  expect(bye).toContain(next);
  expect(await s.exit()).toBe(0);
});

test('declining to create a workspace writes nothing and says what to run', async () => {
  const dir = tempDir('mlpath-decline-');
  const s = runInPty([], { cwd: dir, env: { NO_COLOR: '1' } });
  await s.expect(/Create one now\?/);
  s.send(`n${KEY.enter}`);
  const text = await s.expect(/mlpath start <folder>/);
  expect(text).not.toMatch(/Created workspace/);
  expect(await s.exit()).toBe(0);
  expect(fs.readdirSync(dir)).toEqual([]);
});

test('inside a workspace: continue with the next exercise and check it from the menu', async () => {
  const ws = makeUxWorkspace();
  const s = runInPty([], { cwd: ws });
  const first = await s.expect(/Next up: m1\/iris/);
  expect(first).toMatch(/0\/1 exercises passed/);
  s.send(KEY.enter);
  const card = await s.expect(/What now for m1\/iris\?/);
  expect(card).toMatch(/read\s+m1\/iris\/README\.md/);
  expect(card).toMatch(/edit\s+m1\/iris\/train\.ts/);
  expect(card).toMatch(/hints seen 0 of 3/);
  const from = s.mark();
  s.send(KEY.enter);
  const result = await s.expect(/next: `mlpath hint m1\/iris`/, { from });
  expect(result).toMatch(/m1\/iris failed/);
  expect(result).toMatch(/accuracy \[.*\] 0\.\d+ +\(needs >= 0\.8000\) miss/);
  expect(result).toMatch(/report: \.mlpath\/reports\/m1-iris\.html/);
  await s.expect(/Next up: m1\/iris/, { from: s.text().indexOf('next: `mlpath hint m1/iris`') });
  s.send(KEY.up + KEY.enter);
  expect(await s.exit()).toBe(0);
  const progress = JSON.parse(fs.readFileSync(path.join(ws, '.mlpath', 'progress.json'), 'utf8'));
  expect(progress.exercises[EXERCISE].attempts).toBe(1);
  expect(processesIn(ws)).toEqual([]);
});
