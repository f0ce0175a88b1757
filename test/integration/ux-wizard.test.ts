/**
 * `mlpath start` as a wizard in a real pseudo-terminal: folder, track (one
 * line each, from the curriculum), backend advice, confirmation, then the
 * exact next commands. `--yes` and flags skip the questions.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { runCli, tempDir } from '../helpers/cli';
import { KEY, runInPty } from '../helpers/pty';
import { writeCourse } from '../helpers/ux-course';

test('the wizard asks folder and track, shows the backend, and prints the next commands', async () => {
  const dir = tempDir('mlpath-wizard-');
  const course = writeCourse();
  const s = runInPty(['start', '--curriculum', course], { cwd: dir, env: { NO_COLOR: '1' } });
  await s.expect(/UX fixture course: 1 months/);
  await s.expect(/Folder for your workspace/);
  s.send(`evening-ml${KEY.enter}`);
  const tracks = await s.expect(/tabular\s+Tabular: rows and columns/);
  expect(tracks).toMatch(/nlp\s+Language: words in, labels out/);
  s.send(KEY.down + KEY.enter);
  const confirm = await s.expect(/Create the workspace in .*evening-ml\?/);
  expect(confirm).toMatch(/TensorFlow\.js backend: /);
  s.send(KEY.enter);
  const done = await s.expect(/next: `mlpath check m1\/iris` when you want a grade/);
  expect(done).toMatch(/Created workspace .*evening-ml \(UX fixture course 1\.0\.0, track tabular\)/);
  expect(done).toMatch(/cd evening-ml/);
  expect(done).toMatch(/mlpath watch m1\/iris/);
  expect(done).toMatch(/\$EDITOR m1\/iris\/train\.ts/);
  expect(await s.exit()).toBe(0);
  const config = JSON.parse(fs.readFileSync(path.join(dir, 'evening-ml', 'mlpath.json'), 'utf8'));
  expect(config.track).toBe('tabular');
  expect(fs.existsSync(path.join(dir, 'evening-ml', 'm1', 'iris', 'train.ts'))).toBe(true);
});

test('a folder inside another workspace is refused at the prompt', async () => {
  const dir = tempDir('mlpath-wizard-');
  const course = writeCourse();
  expect(runCli(['start', 'outer', '--yes', '--curriculum', course], dir).code).toBe(0);
  const s = runInPty(['start', '--curriculum', course], { cwd: dir, env: { NO_COLOR: '1' } });
  await s.expect(/Folder for your workspace/);
  s.send(`outer/m1${KEY.enter}`);
  await s.expect(/is inside the workspace/);
  s.send(KEY.backspace.repeat(3) + KEY.enter);
  await s.expect(/Which one\?/);
  s.send(KEY.enter);
  await s.expect(/Update the workspace in .*outer\?/);
  s.send(`n${KEY.enter}`);
  await s.expect(/Nothing was written/);
  expect(await s.exit()).toBe(0);
});

test('flags answer every question: no prompt at all, even in a terminal', async () => {
  const dir = tempDir('mlpath-wizard-');
  const s = runInPty(['start', 'ws', '--track', 'nlp', '--curriculum', writeCourse()], { cwd: dir });
  const text = await s.expect(/next: `mlpath check m1\/iris`/);
  expect(text).not.toMatch(/\?/);
  expect(await s.exit()).toBe(0);
  expect(fs.existsSync(path.join(dir, 'ws', 'mlpath.json'))).toBe(true);
});

test('--yes asks nothing, and --quiet prints only the workspace path', async () => {
  const dir = tempDir('mlpath-wizard-');
  const s = runInPty(['start', '--yes', '--curriculum', writeCourse()], { cwd: dir });
  const text = await s.expect(/next: /);
  expect(text).toMatch(/TensorFlow\.js backend/);
  expect(await s.exit()).toBe(0);
  expect(fs.existsSync(path.join(dir, 'mlpath.json'))).toBe(true);
  const other = tempDir('mlpath-wizard-');
  const q = runCli(['start', 'quiet-ws', '--yes', '-q', '--curriculum', writeCourse()], other);
  expect(q.code).toBe(0);
  expect(q.stdout.trim()).toBe(path.join(other, 'quiet-ws'));
});
