/**
 * A train check starts its seed children before it has compiled the learner's code (runner.ts): a child
 * started without its bundle runs nothing of the learner's, and when the compile fails it is ended at once
 * instead of being asked politely and waited for. Needs the built child (`npm run build`).
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ChildSession, encodeStart } from '../../../src/grader/runner';
import { processAlive as alive } from '../../../src/process-alive';

function deferred(dir: string): ChildSession {
  return new ChildSession({
    kind: 'train',
    bundleDir: path.join(dir, 'bundle'),
    sourceRoot: dir,
    backend: 'cpu',
    seed: 1,
    budgetSeconds: 60,
    memoryMb: 512,
    forbid: [],
  });
}

test('a child started without its bundle and closed before start() is ended, having run nothing', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mlpath-early-'));
  try {
    const session = deferred(dir);
    // The folder the bundle will be written to exists as the child starts: the sandbox grants only existing folders.
    expect(fs.statSync(path.join(dir, 'bundle')).isDirectory()).toBe(true);
    const pid = (session as unknown as { child: { pid: number } }).child.pid;
    expect(alive(pid)).toBe(true);
    await session.close();
    // Killed, not waited out: poll until the process is gone (the kernel reaps it).
    while (alive(pid)) await new Promise((r) => setTimeout(r, 20));
    expect(session.output.text()).toBe('');
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('start() hands over the bundle once', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mlpath-early-'));
  try {
    const session = deferred(dir);
    const frame = encodeStart(path.join(dir, 'bundle', 'entry.cjs'), null);
    session.start(frame);
    expect(() => session.start(frame)).toThrow(/started already/);
    await session.close();
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
