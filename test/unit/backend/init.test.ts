import { writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { initBackend } from '../../../src/backend/init';
import { nativeFix } from '../../../src/backend/probe';
import { fakeRepo, rejection, removeFakeRepos } from './fake-tfjs-node';

afterAll(removeFakeRepos);

describe('initBackend', () => {
  const saved = process.env.MLPATH_BACKEND;
  beforeEach(() => {
    delete process.env.MLPATH_BACKEND;
  });
  afterAll(() => {
    if (saved === undefined) delete process.env.MLPATH_BACKEND;
    else process.env.MLPATH_BACKEND = saved;
  });

  // First in this block: the wasm module adds its listeners only when it is
  // instantiated, once per test file.
  it('leaves no process listeners behind from the wasm module', async () => {
    const on = jest.spyOn(process, 'on');
    const before = [process.listeners('uncaughtException').length, process.listeners('unhandledRejection').length];
    try {
      await initBackend('wasm');
      expect(on.mock.calls.map(([event]) => event)).toEqual(
        expect.arrayContaining(['uncaughtException', 'unhandledRejection']),
      );
    } finally {
      on.mockRestore();
    }
    expect([process.listeners('uncaughtException').length, process.listeners('unhandledRejection').length]).toEqual(
      before,
    );
  });

  it('picks wasm here, says why tensorflow was skipped, and returns a working tf', async () => {
    const active = await initBackend();
    expect(active.name).toBe('wasm');
    expect(active.tf.getBackend()).toBe('wasm');
    expect(active.note).toMatch(/tfjs-node is not installed; using wasm \(run `mlpath doctor`\)/);
    expect(active.tf.tensor1d([1, 2, 3]).sum().arraySync()).toBe(6);
  });

  it('rejects an unknown backend, naming the available ones', async () => {
    const error = await rejection(initBackend('nope'));
    expect(error.message).toMatch(/--backend "nope" is not a backend/);
    expect(error.message).toContain('available here: wasm, cpu');
    expect(error.exitCode).toBe(2);
  });

  it('refuses tensorflow when tfjs-node is absent instead of falling back, with the fix as hint', async () => {
    const error = await rejection(initBackend('tensorflow'));
    expect(error.message).toMatch(
      /Backend 'tensorflow' \(from --backend\) is not available: @tensorflow\/tfjs-node is not installed/,
    );
    expect(error.message).toContain('Available here: wasm, cpu.');
    expect(error.hint).toBe(nativeFix());
  });

  it('falls back with one line when the binding is missing, and refuses it when forced', async () => {
    const repo = fakeRepo('fallback-no-binding', { binding: false });
    const active = await initBackend(undefined, { paths: [repo] });
    expect(active.name).toBe('wasm');
    expect(active.note).toBe(
      'tfjs-node is installed but its native binding is missing; using wasm (run `mlpath doctor`)',
    );
    const error = await rejection(initBackend('tensorflow', { paths: [repo] }));
    expect(error.message).toMatch(/native binding is missing/);
  });

  it('falls back when the binding exists but tfjs-node fails to load', async () => {
    const repo = fakeRepo('fallback-broken', { binding: true });
    const active = await initBackend(undefined, { paths: [repo] });
    expect(active.name).toBe('wasm');
    expect(active.note).toMatch(
      /^tensorflow failed to start \(libtensorflow\.so\.2: cannot open shared object file.*\); using wasm/,
    );
    const error = await rejection(initBackend('Tensorflow', { paths: [repo] }));
    expect(error.message).toMatch(/it failed to start: libtensorflow\.so\.2/);
  });

  it('reads MLPATH_BACKEND when no backend is passed', async () => {
    process.env.MLPATH_BACKEND = 'cpu';
    const active = await initBackend();
    expect(active.name).toBe('cpu');
    expect(active.tf.getBackend()).toBe('cpu');
    expect(active.note).toBeUndefined();

    process.env.MLPATH_BACKEND = 'nope';
    const error = await rejection(initBackend());
    expect(error.message).toMatch(/MLPATH_BACKEND "nope" is not a backend/);

    process.env.MLPATH_BACKEND = 'tensorflow';
    expect((await rejection(initBackend())).message).toMatch(/\(from MLPATH_BACKEND\)/);
  });

  it('lets --backend win over MLPATH_BACKEND and treats an empty MLPATH_BACKEND as unset', async () => {
    process.env.MLPATH_BACKEND = 'cpu';
    expect((await initBackend('wasm')).name).toBe('wasm');
    process.env.MLPATH_BACKEND = ' ';
    expect((await initBackend()).name).toBe('wasm');
    await rejection(initBackend(''));
  });

  // Last: it registers a 'tensorflow' backend in the shared engine.
  it('returns the module tfjs-node registers into when its binding loads', async () => {
    const repo = fakeRepo('working', { binding: true });
    const entry = path.join(repo, 'node_modules', '@tensorflow', 'tfjs-node', 'index.js');
    // Like the real package: re-export @tensorflow/tfjs, register the native
    // backend (here a second cpu backend) and switch to it on load.
    writeFileSync(
      entry,
      [
        `const tf = require(${JSON.stringify(require.resolve('@tensorflow/tfjs'))});`,
        "tf.copyRegisteredKernels('cpu', 'tensorflow');",
        "tf.registerBackend('tensorflow', () => new (tf.findBackend('cpu').constructor)(), 3);",
        "tf.setBackend('tensorflow');",
        'module.exports = { ...tf, isFakeTfjsNode: true };',
      ].join('\n'),
    );
    const logLevel = process.env.TF_CPP_MIN_LOG_LEVEL;
    const active = await initBackend(undefined, { paths: [repo] }).finally(() => {
      if (logLevel === undefined) delete process.env.TF_CPP_MIN_LOG_LEVEL;
    });
    expect(active.name).toBe('tensorflow');
    expect(active.note).toBeUndefined();
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- the very module object the fake package exports
    expect(active.tf).toBe(require(entry));
    expect(active.tf.getBackend()).toBe('tensorflow');
  });
});
