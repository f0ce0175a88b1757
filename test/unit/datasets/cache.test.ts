import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { cacheDir, datasetCacheFile, loadDataset } from '../../../src/datasets';
import {
  cacheFile,
  decodeDataset,
  encodeDataset,
  loadCached,
  readCache,
  writeCache,
} from '../../../src/datasets/cache';
import { makeDataset } from '../../../src/datasets/dataset';
import { fingerprintOf } from '../../../src/datasets/hash';
import type { LoadedDataset } from '../../../src/datasets';
import { useTempCache } from './helpers';

const cache = useTempCache();

function sample(): LoadedDataset {
  return makeDataset({
    id: 'sample',
    features: Float32Array.from([0.5, -1.25, 3e-8, 7, 0, 1e30]),
    featureShape: [3],
    labels: Float32Array.from([1, 0]),
    texts: ['héllo, wörld ✓', ''],
    groups: Int32Array.from([4, -2]),
    featureNames: ['a', 'b', 'c'],
    classNames: ['no', 'yes'],
    meta: { coefficients: [1, 2], note: 'x' },
  });
}

function pixels(): LoadedDataset {
  return makeDataset({
    id: 'pixels',
    features: Float32Array.from({ length: 2 * 784 }, (_, i) => (i % 256) / 255),
    featureShape: [784],
    labels: Float32Array.from([3, 9]),
  });
}

describe('cache directory', () => {
  it('prefers MLPATH_CACHE_DIR, then an absolute XDG_CACHE_HOME, then ~/.cache', () => {
    expect(cacheDir({ MLPATH_CACHE_DIR: '/x/y', XDG_CACHE_HOME: '/xdg' })).toBe(path.resolve('/x/y'));
    expect(cacheDir({ XDG_CACHE_HOME: '/xdg' })).toBe(path.join('/xdg', 'mlpath'));
    expect(cacheDir({ XDG_CACHE_HOME: 'relative' })).toBe(path.join(os.homedir(), '.cache', 'mlpath'));
    expect(cacheDir({})).toBe(path.join(os.homedir(), '.cache', 'mlpath'));
    expect(cacheDir()).toBe(cache.dir());
  });
});

describe('binary format', () => {
  it('round-trips every field, bit for bit', () => {
    const ds = sample();
    const back = decodeDataset(encodeDataset(ds, 'k1'), 'k1')!;
    expect(back).toBeDefined();
    expect(back.features).toEqual(ds.features);
    expect(back.labels).toEqual(ds.labels);
    expect(back.texts).toEqual(ds.texts);
    expect(back.groups).toEqual(ds.groups);
    expect(back.featureNames).toEqual(ds.featureNames);
    expect(back.classNames).toEqual(ds.classNames);
    expect(back.meta).toEqual(ds.meta);
    expect(back.featureShape).toEqual([3]);
    expect(back.fingerprint).toBe(ds.fingerprint);
    expect(fingerprintOf(back)).toBe(ds.fingerprint);
  });

  it('stores pixel data as one byte per value and decodes the same floats', () => {
    const ds = pixels();
    const asBytes = encodeDataset(ds, 'k', 'u8');
    const asFloats = encodeDataset(ds, 'k', 'f32');
    expect(asBytes.length).toBeLessThan(asFloats.length / 3);
    expect(decodeDataset(asBytes, 'k')!.features).toEqual(ds.features);
  });

  it('falls back to floats when values are not k/255', () => {
    const ds = sample();
    const file = encodeDataset(ds, 'k', 'u8');
    expect(decodeDataset(file, 'k')!.features).toEqual(ds.features);
  });

  it('rejects a file written for another key, or with any byte changed', () => {
    const file = encodeDataset(sample(), 'k1');
    expect(decodeDataset(file, 'k2')).toBeUndefined();
    for (const at of [0, 5, 9, 20, 50, Math.floor(file.length / 2), file.length - 1]) {
      const copy = Buffer.from(file);
      copy[at] ^= 0x40;
      expect(decodeDataset(copy, 'k1')).toBeUndefined();
    }
    expect(decodeDataset(file.subarray(0, file.length - 3), 'k1')).toBeUndefined();
    expect(decodeDataset(Buffer.alloc(0), 'k1')).toBeUndefined();
  });
});

describe('reading and writing files', () => {
  it('writes atomically: the final file only, no temporary left behind', () => {
    const file = cacheFile('sample', 'k', { MLPATH_CACHE_DIR: path.join(cache.dir(), 'atomic') });
    expect(writeCache(file, 'k', sample())).toBe(true);
    expect(fs.readdirSync(path.dirname(file))).toEqual([path.basename(file)]);
    expect(readCache(file, 'k')!.fingerprint).toBe(sample().fingerprint);
  });

  it('reports false, and leaves nothing, when the cache cannot be written', () => {
    const blocker = path.join(cache.dir(), 'not-a-dir');
    fs.writeFileSync(blocker, 'x');
    expect(writeCache(path.join(blocker, 'f.mlds'), 'k', sample())).toBe(false);
  });

  it('loadCached builds once, then reads; a corrupt file is rebuilt silently', async () => {
    let builds = 0;
    const build = () => {
      builds++;
      return sample();
    };
    const first = await loadCached('sample', 'key-a', build);
    const second = await loadCached('sample', 'key-a', build);
    expect(builds).toBe(1);
    expect(second.fingerprint).toBe(first.fingerprint);

    const file = cacheFile('sample', 'key-a');
    const bytes = fs.readFileSync(file);
    bytes[bytes.length - 5] ^= 0xff;
    fs.writeFileSync(file, bytes);
    const third = await loadCached('sample', 'key-a', build);
    expect(builds).toBe(2);
    expect(third.fingerprint).toBe(first.fingerprint);
    expect(readCache(file, 'key-a')).toBeDefined();

    fs.writeFileSync(file, 'garbage');
    await loadCached('sample', 'key-a', build);
    expect(builds).toBe(3);
  });

  it('mnist: a warm load returns the same data as the cold one, and a truncated cache is rebuilt', async () => {
    const cold = await loadDataset('mnist');
    const file = datasetCacheFile('mnist')!;
    expect(fs.existsSync(file)).toBe(true);
    expect(fs.statSync(file).size).toBeLessThan(10_000 * 784 + 100_000);
    const warm = await loadDataset('mnist');
    expect(warm.fingerprint).toBe(cold.fingerprint);
    // The stored fingerprint is not enough: recompute it from what was decoded.
    // (jest's toEqual on 7.8 million floats would take minutes.)
    expect(fingerprintOf(warm)).toBe(cold.fingerprint);

    fs.truncateSync(file, 1000);
    const rebuilt = await loadDataset('mnist');
    expect(rebuilt.fingerprint).toBe(cold.fingerprint);
    expect(fs.statSync(file).size).toBeGreaterThan(10_000 * 784);
  });
});
