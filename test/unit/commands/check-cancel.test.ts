/**
 * The cancellation path watch mode needs: `check({ signal })` stops a
 * running check when the signal aborts, kills its child (and everything the
 * child started), records nothing and reports `cancelled`. Grading forks
 * the compiled harness, so this runs the built modules in dist/ (`npm test`
 * builds first).
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type * as CheckModule from '../../../src/commands/check';
import { ROOT } from '../../helpers/cli';
import { HANGS, makeUxWorkspace, PASSING, processesIn, save } from '../../helpers/ux-course';

// eslint-disable-next-line @typescript-eslint/no-require-imports -- the built command, as `mlpath check` runs it
const { run } = require(path.join(ROOT, 'dist', 'commands', 'check.js')) as typeof CheckModule;

async function waitUntil(cond: () => boolean, timeoutMs = 15000): Promise<void> {
  const t0 = Date.now();
  while (!cond()) {
    if (Date.now() - t0 > timeoutMs) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 50));
  }
}

test('aborting a running check kills its child and records nothing', async () => {
  const ws = makeUxWorkspace();
  save(ws, HANGS);
  const controller = new AbortController();
  const pending = run({ cwd: ws, ids: ['m1/iris'], signal: controller.signal, timeout: 60 });
  await waitUntil(() => processesIn(path.join(ws, 'm1')).length > 0);
  controller.abort();
  const result = await pending;
  expect(result.cancelled).toBe(true);
  expect(result.results).toEqual([]);
  await waitUntil(() => processesIn(ws).length === 0, 5000);
  expect(fs.existsSync(path.join(ws, '.mlpath', 'progress.json'))).toBe(false);
  expect(fs.existsSync(path.join(ws, '.mlpath', 'runs'))).toBe(false);
});

test('a signal aborted before the check starts runs nothing', async () => {
  const ws = makeUxWorkspace();
  const controller = new AbortController();
  controller.abort();
  const events: string[] = [];
  const result = await run({
    cwd: ws,
    ids: ['m1/iris'],
    signal: controller.signal,
    onEvent: (e) => events.push(e.type),
  });
  expect(result.cancelled).toBe(true);
  expect(events).toEqual([]);
});

test('a signal that never aborts changes nothing: the check is graded and recorded', () => {
  // In a plain node process: under jest, typed arrays from the child's
  // messages belong to another realm and fail the protocol's checks.
  const ws = makeUxWorkspace();
  save(ws, PASSING);
  const script = `
    const { run } = require(${JSON.stringify(path.join(ROOT, 'dist', 'commands', 'check.js'))});
    run({ cwd: process.cwd(), ids: ['m1/iris'], signal: new AbortController().signal })
      .then((r) => console.log(JSON.stringify({ cancelled: r.cancelled, status: r.results[0].status, error: r.results[0].error })));
  `;
  const r = spawnSync(process.execPath, ['-e', script], { cwd: ws, encoding: 'utf8' });
  expect(JSON.parse(r.stdout)).toEqual({ cancelled: false, status: 'passed', error: null });
  expect(fs.readdirSync(path.join(ws, '.mlpath', 'runs'))).toHaveLength(1);
  expect(fs.existsSync(path.join(ws, '.mlpath', 'reports', 'm1-iris.html'))).toBe(true);
});
