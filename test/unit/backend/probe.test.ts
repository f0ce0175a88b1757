import { rmSync } from 'node:fs';
import * as path from 'node:path';
import { nativeFix, probeBackends, probeTfjsNodePackage } from '../../../src/backend/probe';
import { fakeRepo, removeFakeRepos } from './fake-tfjs-node';

afterAll(removeFakeRepos);

describe('probeBackends', () => {
  it('lists tensorflow, wasm, cpu in order with a reason for each', () => {
    const probes = probeBackends();
    expect(probes.map((p) => p.name)).toEqual(['tensorflow', 'wasm', 'cpu']);
    expect(probes[0]).toEqual({
      name: 'tensorflow',
      available: false,
      reason: '@tensorflow/tfjs-node is not installed',
    });
    expect(probes[1]).toEqual({ name: 'wasm', available: true, reason: 'ok' });
    expect(probes[2]).toEqual({ name: 'cpu', available: true, reason: 'ok' });
  });

  it('does not load TensorFlow.js', () => {
    const ids = ['@tensorflow/tfjs', '@tensorflow/tfjs-core', '@tensorflow/tfjs-backend-wasm'];
    const loaded = jest.fn();
    try {
      jest.isolateModules(() => {
        for (const id of ids) {
          jest.doMock(id, () => {
            loaded(id);
            return {};
          });
        }
        // eslint-disable-next-line @typescript-eslint/no-require-imports -- a fresh copy inside isolateModules
        const isolated = require('../../../src/backend/probe') as typeof import('../../../src/backend/probe');
        expect(isolated.probeBackends()).toHaveLength(3);
      });
    } finally {
      for (const id of ids) jest.dontMock(id);
    }
    expect(loaded).not.toHaveBeenCalled();
  });

  it('reports an installed tfjs-node without its native binding as unavailable, naming the path', () => {
    const repo = fakeRepo('no-binding', { binding: false });
    const [tensorflow] = probeBackends({ paths: [repo] });
    expect(tensorflow.available).toBe(false);
    expect(tensorflow.reason).toMatch(/installed but its native binding is missing/);
    expect(tensorflow.reason).toContain(path.join('lib', 'napi-v8', 'tfjs_binding.node'));
  });

  it('finds the binding where node-pre-gyp looks: the highest napi version this Node supports', () => {
    const repo = fakeRepo('binding', { binding: true, napiVersions: [3, 6, 99] });
    const packageJson = path.join(repo, 'node_modules', '@tensorflow', 'tfjs-node', 'package.json');
    expect(probeTfjsNodePackage(packageJson)).toEqual({ name: 'tensorflow', available: true, reason: 'ok' });
    rmSync(path.join(repo, 'node_modules', '@tensorflow', 'tfjs-node', 'lib', 'napi-v6'), { recursive: true });
    expect(probeTfjsNodePackage(packageJson).available).toBe(false);
  });
});

describe('nativeFix', () => {
  it('says the libtensorflow download failed, that wasm grades every exercise, and how to retry', () => {
    const fix = nativeFix();
    expect(fix).toMatch(/install script ran \(or was skipped\) and has to download libtensorflow/);
    expect(fix).toMatch(/offline/);
    expect(fix).toMatch(/wasm backend grades every exercise/);
    expect(fix).toContain('npm rebuild @tensorflow/tfjs-node');
    expect(fix).not.toContain('--allow-scripts');
  });
});
