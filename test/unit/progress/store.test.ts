/**
 * The progress store: the merge rules of recordAttempt, and the lock that
 * updateProgress holds while it re-reads, changes and writes the file.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { WorkspaceError } from '../../../src/errors';
import {
  emptyProgress,
  loadProgress,
  progressFile,
  recordAttempt,
  updateProgress,
  withFileLock,
} from '../../../src/progress/store';

function tempRoot(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'mlpath-progress-'));
}

const accuracy = (value: number): { name: string; value: number; passed: boolean } => ({
  name: 'accuracy',
  value,
  passed: value >= 0.8,
});

/** A pid no process has: spawn one, let it exit, take its pid. */
function deadPid(): number {
  return spawnSync(process.execPath, ['-e', '']).pid;
}

describe('recordAttempt', () => {
  test('attempts add up; a pass stays a pass, dated by the earliest; best keeps the better value', () => {
    const p = emptyProgress();
    recordAttempt(p, 'm1/iris', 'passed', [accuracy(0.9)], new Date('2024-01-02T00:00:00Z'));
    recordAttempt(p, 'm1/iris', 'failed', [accuracy(0.5)], new Date('2024-01-03T00:00:00Z'));
    recordAttempt(p, 'm1/iris', 'passed', [accuracy(0.85)], new Date('2024-01-04T00:00:00Z'));
    const e = p.exercises['m1/iris'];
    expect(e.attempts).toBe(3);
    expect(e.passed).toBe(true);
    expect(e.firstPassedAt).toBe('2024-01-02T00:00:00.000Z');
    expect(e.lastStatus).toBe('passed');
    expect(e.best).toEqual([{ name: 'accuracy', value: 0.9, passed: true }]);
  });

  test('a check that finishes after a newer one was recorded adds its attempt but not its status', () => {
    const p = emptyProgress();
    recordAttempt(p, 'm1/iris', 'failed', [], new Date('2024-01-05T00:00:00Z'));
    recordAttempt(p, 'm1/iris', 'passed', [accuracy(0.9)], new Date('2024-01-04T00:00:00Z'));
    const e = p.exercises['m1/iris'];
    expect(e).toMatchObject({
      attempts: 2,
      passed: true,
      firstPassedAt: '2024-01-04T00:00:00.000Z',
      lastStatus: 'failed',
      lastCheckedAt: '2024-01-05T00:00:00.000Z',
    });
  });

  test('a lower-is-better metric (one with a max) keeps the lowest value', () => {
    const p = emptyProgress();
    recordAttempt(p, 'm1/rmse', 'failed', [{ name: 'rmse', value: 5, passed: false, max: 4 }]);
    recordAttempt(p, 'm1/rmse', 'passed', [{ name: 'rmse', value: 3, passed: true, max: 4 }]);
    recordAttempt(p, 'm1/rmse', 'failed', [{ name: 'rmse', value: 6, passed: false, max: 4 }]);
    expect(p.exercises['m1/rmse'].best).toEqual([{ name: 'rmse', value: 3, passed: true }]);
  });
});

describe('updateProgress', () => {
  test('applies the change to what is on disk now, not to an older snapshot', () => {
    const root = tempRoot();
    updateProgress(root, (p) => recordAttempt(p, 'm1/iris', 'passed', [accuracy(0.9)]));
    // A slower check, started before the pass was recorded, finishes now.
    updateProgress(root, (p) => recordAttempt(p, 'm1/iris', 'failed', [accuracy(0.4)]));
    const e = loadProgress(root).progress.exercises['m1/iris'];
    expect(e).toMatchObject({ attempts: 2, passed: true, lastStatus: 'failed' });
    expect(e.best[0].value).toBe(0.9);
    expect(fs.existsSync(`${progressFile(root)}.lock`)).toBe(false);
  });

  test('returns what the change returns, and releases the lock when the change throws', () => {
    const root = tempRoot();
    expect(updateProgress(root, (p) => recordAttempt(p, 'm1/iris', 'failed', []).attempts)).toBe(1);
    expect(() =>
      updateProgress(root, () => {
        throw new Error('boom');
      }),
    ).toThrow('boom');
    expect(fs.existsSync(`${progressFile(root)}.lock`)).toBe(false);
    expect(updateProgress(root, (p) => recordAttempt(p, 'm1/iris', 'failed', []).attempts)).toBe(2);
  });

  test('an unreadable file is moved aside under the lock and recording starts afresh', () => {
    const root = tempRoot();
    fs.mkdirSync(path.dirname(progressFile(root)), { recursive: true });
    fs.writeFileSync(progressFile(root), '{ not json');
    updateProgress(root, (p) => recordAttempt(p, 'm1/iris', 'passed', []));
    expect(loadProgress(root).progress.exercises['m1/iris'].attempts).toBe(1);
    expect(fs.readdirSync(path.dirname(progressFile(root))).filter((f) => f.includes('.unreadable-'))).toHaveLength(1);
  });
});

describe('withFileLock', () => {
  test('breaks the lock of a process that is gone', () => {
    const lock = path.join(tempRoot(), 'x.lock');
    fs.writeFileSync(lock, `${deadPid()} ${os.hostname()}\n`);
    expect(withFileLock(lock, () => 'ran', { waitMs: 60_000 })).toBe('ran');
    expect(fs.existsSync(lock)).toBe(false);
  });

  test('breaks a lock older than staleMs even when its process lives', () => {
    const lock = path.join(tempRoot(), 'x.lock');
    fs.writeFileSync(lock, `${process.ppid} ${os.hostname()}\n`);
    const old = new Date(Date.now() - 3_600_000);
    fs.utimesSync(lock, old, old);
    expect(withFileLock(lock, () => 'ran')).toBe('ran');
  });

  test('a live, fresh lock is waited for and then refused with the way out', () => {
    const lock = path.join(tempRoot(), 'x.lock');
    fs.writeFileSync(lock, `${process.ppid} ${os.hostname()}\n`);
    let ran = false;
    const attempt = (): void =>
      withFileLock(
        lock,
        () => {
          ran = true;
        },
        { waitMs: 20, staleMs: 3_600_000 },
      );
    expect(attempt).toThrow(WorkspaceError);
    expect(attempt).toThrow(new RegExp(`held by process ${process.ppid}`));
    expect(ran).toBe(false);
    expect(fs.readFileSync(lock, 'utf8')).toBe(`${process.ppid} ${os.hostname()}\n`);
  });

  test('a lock taken over by another process after ours was broken is left to it', () => {
    const lock = path.join(tempRoot(), 'x.lock');
    withFileLock(lock, () => {
      fs.rmSync(lock);
      fs.writeFileSync(lock, `${process.ppid} ${os.hostname()}\n`);
    });
    expect(fs.readFileSync(lock, 'utf8')).toBe(`${process.ppid} ${os.hostname()}\n`);
  });
});
