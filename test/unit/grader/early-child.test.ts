/**
 * A learner process started before its bundle is compiled (runner.ts, startEarlyChild): the session with the
 * same sandbox takes it; one with another sandbox, or none, never runs in it: it is killed.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { ChildProcess } from 'node:child_process';
import { ChildSession, discardEarlyChild, startEarlyChild, type ChildSandbox } from '../../../src/grader/runner';

let dir: string;
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mlpath-early-'));
});
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

const closed = (child: ChildProcess): Promise<unknown> =>
  child.exitCode !== null || child.signalCode !== null
    ? Promise.resolve()
    : new Promise((resolve) => child.once('close', resolve));

function sandbox(over: Partial<ChildSandbox> = {}): ChildSandbox {
  return { sourceRoot: dir, bundleDir: path.join(dir, 'bundle'), backend: 'cpu', memoryMb: 256, ...over };
}

function session(s: ChildSandbox, early: ReturnType<typeof startEarlyChild>): ChildSession {
  return new ChildSession({
    kind: 'functions',
    bundle: path.join(s.bundleDir, 'entry.cjs'),
    sourceRoot: s.sourceRoot,
    backend: s.backend,
    seed: 1,
    budgetSeconds: 30,
    memoryMb: s.memoryMb,
    forbid: [],
    payload: null,
    readRoots: s.readRoots,
    early,
  });
}

const childOf = (s: ChildSession): ChildProcess => (s as unknown as { child: ChildProcess }).child;

test('an early process no session takes is killed, and its bundle folder exists for the sandbox to name', async () => {
  const early = startEarlyChild(sandbox());
  expect(fs.statSync(path.join(dir, 'bundle')).isDirectory()).toBe(true);
  discardEarlyChild(early);
  await closed(early.child);
  expect(early.taken).toBe(true);
});

test('a session with the same sandbox runs in the early process; one with another sandbox kills it and starts its own', async () => {
  const same = startEarlyChild(sandbox());
  const taking = session(sandbox(), same);
  expect(childOf(taking)).toBe(same.child);
  await taking.close();

  const other = startEarlyChild(sandbox({ readRoots: [os.tmpdir()] }));
  const refusing = session(sandbox(), other);
  expect(childOf(refusing)).not.toBe(other.child);
  await closed(other.child);
  await refusing.close();
});
