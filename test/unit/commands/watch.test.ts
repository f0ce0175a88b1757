/**
 * Watch mode's scheduling, with the check replaced by a controllable fake
 * (the real check through a terminal is in test/integration/ux-watch):
 * saves are debounced, a save during a check aborts it and starts another,
 * editor droppings are ignored, polling finds saves, and close() waits for
 * the running check to end.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { CheckOptions, CheckRun } from '../../../src/commands/check';
import { changedFiles, isWatchedName, snapshot, start, type WatchEvent } from '../../../src/commands/watch';
import { makeUxWorkspace } from '../../helpers/ux-course';

interface FakeCall {
  opts: CheckOptions;
  finish: () => void;
  aborted: boolean;
}

const calls: FakeCall[] = [];

jest.mock('../../../src/commands/check', () => ({
  run: (opts: CheckOptions) =>
    new Promise<Partial<CheckRun>>((resolve) => {
      const call: FakeCall = {
        opts,
        aborted: false,
        finish: () => resolve({ cancelled: false, results: [], outcomes: [], warnings: [] }),
      };
      opts.signal?.addEventListener('abort', () => {
        call.aborted = true;
        // A killed child takes a moment to go away.
        setTimeout(() => resolve({ cancelled: true, results: [], outcomes: [], warnings: [] }), 20);
      });
      calls.push(call);
    }),
}));

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

async function until(cond: () => boolean, timeoutMs = 5000): Promise<void> {
  const t0 = Date.now();
  while (!cond()) {
    if (Date.now() - t0 > timeoutMs) throw new Error('condition not met in time');
    await sleep(10);
  }
}

let ws: string;
let dir: string;
beforeAll(() => {
  ws = makeUxWorkspace();
  dir = path.join(ws, 'm1', 'iris');
});
beforeEach(() => {
  calls.length = 0;
});

test.each([
  ['events', false],
  ['poll', true],
])('%s: debounced saves, cancel on save, close waits', async (_mode, poll) => {
  const events: WatchEvent[] = [];
  const session = await start({
    cwd: ws,
    id: 'm1/iris',
    poll,
    pollMs: 50,
    debounceMs: 80,
    onEvent: (e) => events.push(e),
  });
  expect(events[0]).toMatchObject({
    type: 'watching',
    exercise: 'm1/iris',
    files: ['README.md', 'train.ts'],
    mode: poll ? 'poll' : 'events',
  });
  await until(() => calls.length === 1);
  expect(calls[0].opts).toMatchObject({ cwd: ws, ids: ['m1/iris'] });
  calls[0].finish();
  await until(() => events.some((e) => e.type === 'result'));

  // Three quick saves are one check.
  for (let i = 0; i < 3; i++) {
    fs.appendFileSync(path.join(dir, 'train.ts'), `// save ${i}\n`);
    await sleep(10);
  }
  await until(() => calls.length === 2);
  await sleep(300);
  expect(calls.length).toBe(2);
  expect(events.filter((e) => e.type === 'checking').at(-1)).toMatchObject({ reason: 'save', changed: ['train.ts'] });

  // A save while it runs aborts it and starts a fresh one.
  fs.appendFileSync(path.join(dir, 'train.ts'), '// another\n');
  await until(() => calls.length === 3);
  expect(calls[1].aborted).toBe(true);
  expect(events.some((e) => e.type === 'cancelled')).toBe(true);

  // Editor droppings and hidden files do not count as saves.
  fs.writeFileSync(path.join(dir, '.train.ts.swp'), 'x');
  fs.writeFileSync(path.join(dir, 'train.ts~'), 'x');
  await sleep(300);
  expect(calls.length).toBe(3);

  // close() aborts the running check and resolves once it has ended.
  await session.close();
  expect(calls[2].aborted).toBe(true);
  fs.appendFileSync(path.join(dir, 'train.ts'), '// after close\n');
  await sleep(300);
  expect(calls.length).toBe(3);
});

test('rerun() checks again without a save', async () => {
  const events: WatchEvent[] = [];
  const session = await start({ cwd: ws, id: 'm1/iris', debounceMs: 20, onEvent: (e) => events.push(e) });
  await until(() => calls.length === 1);
  calls[0].finish();
  session.rerun();
  await until(() => calls.length === 2);
  expect(events.filter((e) => e.type === 'checking').map((e) => (e as { reason: string }).reason)).toEqual([
    'start',
    'rerun',
  ]);
  calls[1].finish();
  await session.close();
});

test('snapshots compare size and mtime; names that are not exercise files are skipped', () => {
  expect(['train.ts', 'README.md', 'model/layers.ts'].every(isWatchedName)).toBe(true);
  expect(['.git', '.train.ts.swp', 'train.ts~', '#train.ts#', '4913', 'x.tmp'].some(isWatchedName)).toBe(false);
  const before = snapshot(dir);
  fs.writeFileSync(path.join(dir, 'helper.ts'), 'export {};\n');
  fs.mkdirSync(path.join(dir, 'node_modules', 'x'), { recursive: true });
  fs.writeFileSync(path.join(dir, 'node_modules', 'x', 'index.js'), '');
  const after = snapshot(dir);
  expect(changedFiles(before, after)).toEqual(['helper.ts']);
  fs.rmSync(path.join(dir, 'helper.ts'));
  expect(changedFiles(after, snapshot(dir))).toEqual(['helper.ts']);
});

test('an exercise without its folder is a usage error that names `mlpath start`', async () => {
  const other = makeUxWorkspace();
  fs.rmSync(path.join(other, 'm1', 'iris'), { recursive: true });
  await expect(start({ cwd: other, id: 'm1/iris', onEvent: () => undefined })).rejects.toThrow(
    /has no folder in this workspace yet/,
  );
  expect(calls).toHaveLength(0);
});
