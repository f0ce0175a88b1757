import { createHash } from 'node:crypto';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { gzipSync } from 'node:zlib';
import { DatasetError } from '../../../src/errors';
import { loadDataset } from '../../../src/datasets';
import { parseIdx } from '../../../src/datasets/loaders/idx';
import { fetchFullMnist, mnistMirrors, MNIST_MIRRORS, type MnistFiles } from '../../../src/datasets/loaders/mnist';
import { useTempCache } from './helpers';

useTempCache();

function idx(dims: number[], data: Uint8Array): Buffer {
  const header = Buffer.alloc(4 + 4 * dims.length);
  header[2] = 0x08;
  header[3] = dims.length;
  dims.forEach((d, i) => header.writeUInt32BE(d, 4 + 4 * i));
  return Buffer.concat([header, data]);
}

/** Four small gzipped IDX files standing in for the real ones, and their table of sizes and hashes. */
function fakeMirror(trainCount: number, testCount: number): { files: MnistFiles; bodies: Map<string, Buffer> } {
  const images = (count: number, offset: number) =>
    Uint8Array.from({ length: count * 784 }, (_, i) => (i + offset) % 256);
  const labels = (count: number) => Uint8Array.from({ length: count }, (_, i) => i % 10);
  const raw = {
    trainImages: ['train-images-idx3-ubyte.gz', idx([trainCount, 28, 28], images(trainCount, 0))],
    trainLabels: ['train-labels-idx1-ubyte.gz', idx([trainCount], labels(trainCount))],
    testImages: ['t10k-images-idx3-ubyte.gz', idx([testCount, 28, 28], images(testCount, 7))],
    testLabels: ['t10k-labels-idx1-ubyte.gz', idx([testCount], labels(testCount))],
  } as const;
  const bodies = new Map<string, Buffer>();
  const files = {} as Record<keyof MnistFiles, { name: string; bytes: number; sha256: string }>;
  for (const [key, [name, content]] of Object.entries(raw) as [keyof MnistFiles, readonly [string, Buffer]][]) {
    const gz = gzipSync(content);
    bodies.set(`/${name}`, gz);
    files[key] = { name, bytes: gz.length, sha256: createHash('sha256').update(gz).digest('hex') };
  }
  return { files, bodies };
}

async function serve(bodies: Map<string, Buffer>): Promise<{ url: string; close: () => Promise<void> }> {
  const server = http.createServer((req, res) => {
    const body = bodies.get(req.url ?? '');
    res.writeHead(body ? 200 : 404);
    res.end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}/`, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

describe('full MNIST download', () => {
  it('downloads, verifies and decodes the four IDX files, train rows first', async () => {
    const { files, bodies } = fakeMirror(30, 12);
    const mirror = await serve(bodies);
    try {
      const ds = await fetchFullMnist({ mirrors: ['http://127.0.0.1:9/', mirror.url], timeoutMs: 5000 }, files);
      expect(ds.n).toBe(42);
      expect(ds.featureShape).toEqual([784]);
      expect(ds.meta).toMatchObject({ variant: 'full', canonicalTrainRows: 30 });
      expect(ds.labels[0]).toBe(0);
      expect(ds.labels[31]).toBe(1);
      expect(ds.features[1]).toBe(Math.fround(1 / 255));
      expect(ds.features[30 * 784]).toBe(Math.fround(7 / 255));
    } finally {
      await mirror.close();
    }
  });

  it('rejects a file whose SHA-256 does not match, from every mirror', async () => {
    const { files, bodies } = fakeMirror(5, 5);
    const tampered = { ...files, testLabels: { ...files.testLabels, sha256: '0'.repeat(64) } };
    const mirror = await serve(bodies);
    try {
      const failure = fetchFullMnist({ mirrors: [mirror.url], timeoutMs: 5000 }, tampered);
      await expect(failure).rejects.toThrow(DatasetError);
      await expect(fetchFullMnist({ mirrors: [mirror.url], timeoutMs: 5000 }, tampered)).rejects.toThrow(
        /does not match the published/,
      );
    } finally {
      await mirror.close();
    }
  });

  it('falls back to the shipped 10,000 digits with a note when offline', async () => {
    const saved = { full: process.env.MLPATH_MNIST_FULL, mirror: process.env.MLPATH_MNIST_MIRROR };
    process.env.MLPATH_MNIST_FULL = '1';
    // Port 9 (discard) on loopback refuses the connection at once: offline, without a network.
    process.env.MLPATH_MNIST_MIRROR = 'http://127.0.0.1:9/mnist';
    try {
      const ds = await loadDataset('mnist');
      expect(ds.n).toBe(10000);
      expect(ds.notes?.[0]).toMatch(/could not be downloaded.*10,000 digits of the mnist package/);
      expect(ds.notes?.[0]).toContain('127.0.0.1:9');
      const plain = await loadDataset('mnist', { full: false });
      expect(plain.notes).toBeUndefined();
      expect(plain.fingerprint).toBe(ds.fingerprint);
    } finally {
      for (const [name, value] of [
        ['MLPATH_MNIST_FULL', saved.full],
        ['MLPATH_MNIST_MIRROR', saved.mirror],
      ] as const) {
        if (value === undefined) delete process.env[name];
        else process.env[name] = value;
      }
    }
  });

  it('MLPATH_MNIST_MIRROR replaces the default mirrors', () => {
    expect(mnistMirrors({})).toEqual(MNIST_MIRRORS);
    expect(mnistMirrors({ MLPATH_MNIST_MIRROR: 'http://a/x, http://b/y/' })).toEqual(['http://a/x/', 'http://b/y/']);
  });
});

describe('parseIdx', () => {
  it('reads dimensions and data', () => {
    const parsed = parseIdx(idx([2, 3], Uint8Array.from([1, 2, 3, 4, 5, 6])), 'x');
    expect(parsed.dims).toEqual([2, 3]);
    expect(Array.from(parsed.data)).toEqual([1, 2, 3, 4, 5, 6]);
  });

  it('rejects a wrong type byte or a size that does not match the header', () => {
    const good = idx([2, 3], new Uint8Array(6));
    const wrongType = Buffer.from(good);
    wrongType[2] = 0x0d;
    expect(() => parseIdx(wrongType, 'x')).toThrow(/not an unsigned-byte IDX/);
    expect(() => parseIdx(good.subarray(0, good.length - 1), 'x')).toThrow(/announces 6 values, file holds 5/);
  });
});
