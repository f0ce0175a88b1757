/**
 * `synthetic-logistic`: P(y = 1 | x) = sigmoid(x . w + b), x standard normal,
 * y drawn from that probability. `meta.bayesAccuracy` is the accuracy of the
 * true model on these very rows' probabilities (mean of max(p, 1 - p)): the
 * ceiling a threshold can be set against.
 */
import { makeDataset } from '../dataset';
import type { DatasetFactory } from '../factory';
import { createRng, deriveSeed, sigmoid } from '../rng';
import { checkSize, dot, featureNames, normalFeatures, roundCoefficients } from './common';

const ID = 'synthetic-logistic';

export const syntheticLogistic: DatasetFactory = {
  packages: [],
  info: {
    id: ID,
    title: 'Binary classification data from a known logistic model',
    source: 'seeded generator in mlpath (true coefficients in meta)',
    license: 'MIT (generated)',
    task: 'binary',
    size: 'n rows x d features (defaults 500 x 2)',
    featureShape: [2],
    classNames: ['0', '1'],
    synthetic: true,
  },
  options: {
    n: { type: 'int', default: 500, min: 2, max: 1_000_000, description: 'Number of rows' },
    d: { type: 'int', default: 2, min: 1, max: 1000, description: 'Number of features' },
    seed: { type: 'int', default: 1, min: 0, description: 'Generator seed' },
  },
  async load(options) {
    const n = options.n as number;
    const d = options.d as number;
    checkSize(ID, n, d);
    const rng = createRng(deriveSeed(options.seed as number, ID));
    const coefficients = roundCoefficients(rng, d, 3);
    const [intercept] = roundCoefficients(rng, 1, 1);
    const features = normalFeatures(rng, n, d);
    const labels = new Float32Array(n);
    let bayes = 0;
    for (let i = 0; i < n; i++) {
      const p = sigmoid(dot(features, i, coefficients) + intercept);
      labels[i] = rng() < p ? 1 : 0;
      bayes += Math.max(p, 1 - p);
    }
    return makeDataset({
      id: ID,
      features,
      featureShape: [d],
      labels,
      featureNames: featureNames(d),
      classNames: ['0', '1'],
      meta: {
        coefficients,
        intercept,
        bayesAccuracy: bayes / n,
        formula: 'P(y = 1 | x) = sigmoid(x . coefficients + intercept)',
      },
    });
  },
};
