/**
 * The threaded wasm build runs in child processes: its pthread workers are
 * real threads that would outlive a test in jest's own process, and the
 * permission-model case needs its own Node flags. Both files the child
 * needs are bundled with esbuild into a temporary folder, the worker next
 * to the code, where wasm-threads.ts looks for it.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { build } from 'esbuild';
import { requestedWasmThreads, threadsUnavailable } from '../../../src/backend/wasm-threads';

const repo = path.resolve(__dirname, '..', '..', '..');
let dir: string;

/** Trains a small MLP for a few steps on fixed data and prints what it computed. */
const CHILD = `
import { initBackend } from ${JSON.stringify(path.join(repo, 'src', 'backend', 'init'))};
async function main() {
  const { tf, name } = await initBackend('wasm');
  const wasm = require('@tensorflow/tfjs-backend-wasm');
  const n = 256;
  const x = tf.tensor2d(Float32Array.from({ length: n * 64 }, (_, i) => Math.sin(i * 0.37)), [n, 64]);
  const y = tf.oneHot(tf.tensor1d(Int32Array.from({ length: n }, (_, i) => i % 10), 'int32'), 10).toFloat();
  const model = tf.sequential();
  model.add(tf.layers.dense({ inputShape: [64], units: 200, activation: 'relu', kernelInitializer: tf.initializers.glorotUniform({ seed: 1 }) }));
  model.add(tf.layers.dense({ units: 10, activation: 'softmax', kernelInitializer: tf.initializers.glorotUniform({ seed: 2 }) }));
  model.compile({ optimizer: tf.train.adam(0.01), loss: 'categoricalCrossentropy' });
  const h = await model.fit(x, y, { epochs: 3, batchSize: 32, shuffle: false, verbose: 0 });
  // A digest of every weight's bytes: equal digests, bit-identical weights.
  const digest = require('node:crypto').createHash('sha256');
  for (const w of model.getWeights()) {
    const v = w.dataSync() as Float32Array;
    digest.update(Buffer.from(v.buffer, v.byteOffset, v.byteLength));
  }
  const line = JSON.stringify({ backend: name, threads: wasm.getThreadsCount(), losses: h.history.loss, weights: digest.digest('hex') });
  // Exit only once the pipe took the line: the pthread workers would keep the process alive.
  process.stdout.write(line, () => process.exit(0));
}
main().catch((e) => { process.stderr.write(String(e && e.stack || e)); process.exit(1); });
`;

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mlpath-threads-'));
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
  // The worker is bundled whole: it must run from any folder.
  await build({
    entryPoints: [path.join(repo, 'src', 'backend', 'wasm-thread-worker.ts')],
    outfile: path.join(dir, 'wasm-thread-worker.js'),
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    logLevel: 'silent',
    absWorkingDir: repo,
  });
}, 60000);

afterAll(() => {
  fs.rmSync(dir, { recursive: true, force: true });
});

interface ChildResult {
  backend: string;
  threads: number;
  losses: number[];
  weights: string;
}

function runChild(threads: string, nodeFlags: string[] = []): ChildResult {
  const r = spawnSync(process.execPath, [...nodeFlags, path.join(dir, 'child.js')], {
    encoding: 'utf8',
    env: {
      ...process.env,
      MLPATH_WASM_THREADS: threads,
      MLPATH_BACKEND: '',
      NODE_PATH: path.join(repo, 'node_modules'),
    },
    timeout: 90000,
  });
  if (r.status !== 0) throw new Error(`child exited with ${r.status}: ${r.stderr}`);
  return JSON.parse(r.stdout) as ChildResult;
}

describe('requestedWasmThreads', () => {
  it.each([
    [undefined, 1],
    ['', 1],
    ['2', 2],
    [' 4 ', 4],
    ['0', 1],
    ['two', 1],
    ['-3', 1],
    ['64', 8],
  ])('reads MLPATH_WASM_THREADS=%p as %i', (value, expected) => {
    expect(requestedWasmThreads(value === undefined ? {} : { MLPATH_WASM_THREADS: value })).toBe(expected);
  });
});

describe('threadsUnavailable', () => {
  it('names a missing worker entry and the build that makes it', () => {
    expect(threadsUnavailable(path.join(dir, 'nope.js'))).toMatch(/nope\.js is missing .*npm run build/);
  });

  it('has nothing against threads in a process without the permission model', () => {
    expect(threadsUnavailable(__filename)).toBeUndefined();
  });
});

describe('the threaded build', () => {
  it('starts two threads and trains bit for bit like one thread', () => {
    const one = runChild('1');
    const two = runChild('2');
    expect(one).toMatchObject({ backend: 'wasm', threads: 1 });
    expect(two).toMatchObject({ backend: 'wasm', threads: 2 });
    expect(two.losses).toEqual(one.losses);
    expect(two.weights).toEqual(one.weights);
  });

  const permission = process.allowedNodeEnvironmentFlags.has('--permission')
    ? '--permission'
    : '--experimental-permission';
  it('falls back to one thread, still on wasm, when the permission model refuses workers', () => {
    const sandboxed = runChild('2', [permission, '--allow-fs-read=*', '--no-warnings']);
    expect(sandboxed).toMatchObject({ backend: 'wasm', threads: 1 });
  });
});
