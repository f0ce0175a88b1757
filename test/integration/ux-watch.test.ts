/**
 * `mlpath watch` in a real pseudo-terminal: a session survives a syntax
 * error, a timeout and a passing save in a row; keys h, r and q work; a save
 * during a check cancels it (its child is killed, nothing is recorded); the
 * --poll mode sees saves without file system events; and no process is left
 * behind, whether the learner quits or the terminal goes away.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { runInPty, type PtySession } from '../helpers/pty';
import {
  entryOf,
  HANGS,
  makeUxWorkspace,
  PASSING,
  processesIn,
  save,
  STARTER,
  SYNTAX_ERROR,
} from '../helpers/ux-course';

// A session runs several checks in a row (one waits out a 20 s budget); on a
// loaded machine that takes minutes, and only a hang should fail the test.
jest.setTimeout(300000);

function attempts(ws: string): number {
  const file = path.join(ws, '.mlpath', 'progress.json');
  return fs.existsSync(file) ? (JSON.parse(fs.readFileSync(file, 'utf8')).exercises['m1/iris']?.attempts ?? 0) : 0;
}

function runRecords(ws: string): number {
  const dir = path.join(ws, '.mlpath', 'runs');
  return fs.existsSync(dir) ? fs.readdirSync(dir).length : 0;
}

async function waitUntil(cond: () => boolean, timeoutMs = 10000): Promise<void> {
  const t0 = Date.now();
  while (!cond()) {
    if (Date.now() - t0 > timeoutMs) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Waits for `result`, then for the rest of that screen (down to the keys line). */
async function screenWith(s: PtySession, result: RegExp, from: number): Promise<string> {
  await s.expect(result, { from });
  const at = from + s.text().slice(from).search(result);
  await s.expect(/keys: h hint/, { from: at });
  return s.text().slice(from);
}

/** Saves, then waits for the screen with the result of the check that save started. */
async function saveAndWait(s: PtySession, ws: string, content: string, result: RegExp): Promise<string> {
  const from = s.mark();
  save(ws, content);
  await s.expect(/checking m1\/iris \(saved: train\.ts\)/, { from });
  return screenWith(s, result, from);
}

test('a session survives a syntax error, a timeout and a passing save; h, r and q work', async () => {
  const ws = makeUxWorkspace();
  // One budget serves every check of the session, the passing ones too: it is
  // generous so a loaded machine never turns a pass into a timeout.
  const s = runInPty(['watch', 'm1/iris', '--timeout', '20'], { cwd: ws });
  try {
    const first = await screenWith(s, /m1\/iris failed/, 0);
    expect(first).toMatch(/mlpath watch m1\/iris: 2 files in m1\/iris, file change events/);
    expect(first).toMatch(/keys: h hint · r re-run · q quit/);

    const compile = await saveAndWait(s, ws, SYNTAX_ERROR, /m1\/iris error \(compile\)/);
    expect(compile).toMatch(/train\.ts:\d+/);

    let from = s.mark();
    s.send('h');
    await s.expect(/Hint 1 of 3/, { from });
    await s.expect(/Hint one: look at the shapes\./, { from });

    const timeout = await saveAndWait(s, ws, HANGS, /m1\/iris error \(timeout\)/);
    expect(timeout).toMatch(/20 s budget/);
    expect(processesIn(path.join(ws, 'm1'))).toEqual([]);

    const passed = await saveAndWait(s, ws, PASSING, /m1\/iris passed/);
    expect(passed).toMatch(/m1\/iris passed/);
    expect(passed).toMatch(/loss {2}\d\.\d{4} -> \d\.\d{4}/);
    expect(passed).toMatch(/valAccuracy /);
    expect(passed).toMatch(/accuracy \[.*\] 0\.\d{4} {2}\(needs >= 0\.8000\) pass/);

    from = s.mark();
    s.send('r');
    await s.expect(/checking m1\/iris \(re-run\)/, { from });
    await s.expect(/m1\/iris passed/, { from });

    from = s.mark();
    s.send('q');
    await s.expect(/Stopped watching m1\/iris/, { from });
    expect(await s.exit()).toBe(0);
  } finally {
    s.kill();
  }
  // starter, syntax error, timeout, pass, re-run: five checks, five records.
  expect(attempts(ws)).toBe(5);
  expect(runRecords(ws)).toBe(5);
  expect(processesIn(ws)).toEqual([]);
});

/**
 * Editors save atomically: write a temporary file beside the entry, then
 * rename it over (VS Code, JetBrains, write-file-atomic: `.train.ts.<n>.tmp`;
 * `sed -i`: `sedXXXXXX`), or move the old file to a backup and write a new
 * one (vim's default `backupcopy=no`: `train.ts~`). Each replaces the file's
 * inode, which Node's recursive fs.watch on Linux stops following.
 */
function atomicSave(ws: string, content: string, style: number): void {
  const entry = entryOf(ws);
  const dir = path.dirname(entry);
  if (style === 2) {
    fs.renameSync(entry, `${entry}~`);
    fs.writeFileSync(entry, content);
    fs.rmSync(`${entry}~`);
    return;
  }
  const temp = style === 0 ? path.join(dir, `.train.ts.${process.pid}.tmp`) : path.join(dir, 'sedQx81Zp');
  fs.writeFileSync(temp, content);
  fs.renameSync(temp, entry);
}

test('ten atomic saves in a row, passing and failing in turn, get ten matching verdicts', async () => {
  const ws = makeUxWorkspace();
  const s = runInPty(['watch', 'm1/iris'], { cwd: ws, env: { NO_COLOR: '1' } });
  try {
    await screenWith(s, /m1\/iris failed/, 0);
    for (let i = 0; i < 10; i++) {
      const passing = i % 2 === 0;
      const from = s.mark();
      // A comment makes every save's bytes differ from the last same-verdict one.
      atomicSave(ws, `${passing ? PASSING : STARTER}\n// save ${i + 1}\n`, i % 3);
      await s.expect(/checking m1\/iris \(saved: train\.ts\)/, { from });
      const screen = await screenWith(s, /m1\/iris (passed|failed)/, from);
      expect(screen).toMatch(passing ? /m1\/iris passed/ : /m1\/iris failed/);
    }
    s.send('q');
    expect(await s.exit()).toBe(0);
  } finally {
    s.kill();
  }
  // the first check and one per save
  expect(attempts(ws)).toBe(11);
});

test('a save during a check cancels it: its child is killed and it is not recorded', async () => {
  const ws = makeUxWorkspace();
  const s = runInPty(['watch', 'm1/iris', '--timeout', '20'], { cwd: ws, env: { NO_COLOR: '1' } });
  try {
    await s.expect(/m1\/iris failed/);
    const from = s.mark();
    save(ws, HANGS);
    await s.expect(/checking m1\/iris \(saved: train\.ts\)/, { from });
    // Wait until the hanging child is really running, then save again.
    await waitUntil(() => processesIn(path.join(ws, 'm1')).length > 0);
    save(ws, PASSING);
    const after = await s.expect(/m1\/iris passed/, { from });
    expect(after).not.toMatch(/error \(timeout\)/);
    expect(after).not.toMatch(/error \(exited\)/);
    s.send('q');
    expect(await s.exit()).toBe(0);
  } finally {
    s.kill();
  }
  expect(attempts(ws)).toBe(2);
  expect(runRecords(ws)).toBe(2);
  expect(processesIn(ws)).toEqual([]);
});

test('--poll sees saves without file system events', async () => {
  const ws = makeUxWorkspace();
  const s = runInPty(['watch', '--poll'], { cwd: path.join(ws, 'm1', 'iris'), env: { NO_COLOR: '1' } });
  try {
    const first = await s.expect(/m1\/iris failed/);
    expect(first).toMatch(/polling for changes/);
    await saveAndWait(s, ws, PASSING, /m1\/iris passed/);
    s.send('q');
    expect(await s.exit()).toBe(0);
  } finally {
    s.kill();
  }
});

test('a terminal that goes away mid-check leaves no process behind', async () => {
  const ws = makeUxWorkspace();
  save(ws, HANGS);
  const s = runInPty(['watch', 'm1/iris', '--timeout', '60'], { cwd: ws, env: { NO_COLOR: '1' } });
  await s.expect(/checking m1\/iris/);
  await waitUntil(() => processesIn(path.join(ws, 'm1')).length > 0);
  s.kill();
  await s.exit();
  await waitUntil(() => processesIn(ws).length === 0);
  expect(processesIn(ws)).toEqual([]);
});
