/**
 * Ten processes record into one workspace at the same moment, the way
 * `watch` beside `check` or a loop of checks do. Each child is the store
 * bundled by esbuild; all of them wait for a "go" file, so their updates
 * overlap instead of running one after the other.
 */
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { build } from 'esbuild';
import { loadProgress, progressFile } from '../../../src/progress/store';

const repo = path.resolve(__dirname, '..', '..', '..');
let dir: string;

/** argv: workspace root, go file, status. Prints "ready", waits for the go file, records one attempt. */
const CHILD = `
import * as fs from 'node:fs';
import { loadProgress, recordAttempt, updateProgress } from ${JSON.stringify(path.join(repo, 'src', 'progress', 'store'))};
const [root, go, status] = process.argv.slice(2);
// Read early like a check does, so a writer that saved this snapshot would erase the others' attempts.
loadProgress(root); require("node:fs").mkdirSync(root + "/.mlpath", {recursive: true});
process.stdout.write('ready\\n');
const tick = new Int32Array(new SharedArrayBuffer(4));
while (!fs.existsSync(go)) Atomics.wait(tick, 0, 0, 1);
const value = status === 'passed' ? 0.95 : 0.5;
updateProgress(root, (p) => recordAttempt(p, 'month1/tensors', status as 'passed' | 'failed', [{ name: 'accuracy', value, passed: value >= 0.8 }]));
`;

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mlpath-progress-race-'));
  fs.writeFileSync(path.join(dir, 'child.ts'), CHILD);
  await build({
    entryPoints: [path.join(dir, 'child.ts')],
    outfile: path.join(dir, 'child.js'),
    bundle: true,
    packages: 'external',
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    logLevel: 'silent',
  });
}, 60000);

afterAll(() => {
  fs.rmSync(dir, { recursive: true, force: true });
});

interface Racer {
  ready: Promise<void>;
  done: Promise<{ code: number | null; stderr: string }>;
}

function racer(root: string, go: string, status: string): Racer {
  const child = spawn(process.execPath, [path.join(dir, 'child.js'), root, go, status], {
    env: { ...process.env, NODE_PATH: path.join(repo, 'node_modules') },
  });
  let stderr = '';
  child.stderr.on('data', (d) => (stderr += d));
  const ready = new Promise<void>((resolve, reject) => {
    child.stdout.once('data', () => resolve());
    child.once('close', (code) => reject(new Error(`child ended before it was ready (${code}): ${stderr}`)));
  });
  const done = new Promise<{ code: number | null; stderr: string }>((resolve) =>
    child.on('close', (code) => resolve({ code, stderr })),
  );
  return { ready, done };
}

let races = 0;

async function race(root: string, statuses: string[]): Promise<void> {
  const go = path.join(dir, `go-${++races}`);
  const racers = statuses.map((s) => racer(root, go, s));
  await Promise.all(racers.map((r) => r.ready));
  fs.writeFileSync(go, '');
  for (const r of await Promise.all(racers.map((x) => x.done))) expect(r).toEqual({ code: 0, stderr: '' });
}

test('ten concurrent recorders: ten attempts, and the one pass is kept', async () => {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'mlpath-progress-ws-'));
  const statuses = Array.from({ length: 10 }, (_, i) => (i === 3 ? 'passed' : 'failed'));
  await race(root, statuses);
  const e = loadProgress(root).progress.exercises['month1/tensors'];
  expect(e.attempts).toBe(10);
  expect(e.passed).toBe(true);
  expect(e.firstPassedAt).toBeDefined();
  expect(e.best[0].value).toBe(0.95);
  expect(fs.readdirSync(path.dirname(progressFile(root))).sort()).toEqual(['progress.json']);

  // A second wave of failures adds up and erases nothing.
  await race(
    root,
    Array.from({ length: 10 }, () => 'failed'),
  );
  const after = loadProgress(root).progress.exercises['month1/tensors'];
  expect(after).toMatchObject({ attempts: 20, passed: true, firstPassedAt: e.firstPassedAt, lastStatus: 'failed' });
}, 120000);
