/**
 * `synthetic-linear`: y = x . w + b + noise * e, x and e standard normal.
 * The true coefficients travel in `meta`, so a from-scratch regression can be
 * checked against them; `meta.irreducibleMse` (= noise^2) is the best test
 * MSE any model can expect.
 */
import { makeDataset } from '../dataset';
import type { DatasetFactory } from '../factory';
import { createRng, deriveSeed, gaussian } from '../rng';
import { checkSize, dot, featureNames, normalFeatures, roundCoefficients } from './common';

const ID = 'synthetic-linear';

export const syntheticLinear: DatasetFactory = {
  packages: [],
  info: {
    id: ID,
    title: 'Linear regression data with known coefficients',
    source: 'seeded generator in mlpath (true coefficients in meta)',
    license: 'MIT (generated)',
    task: 'regression',
    size: 'n rows x d features (defaults 200 x 3)',
    featureShape: [3],
    synthetic: true,
  },
  options: {
    n: { type: 'int', default: 200, min: 2, max: 1_000_000, description: 'Number of rows' },
    d: { type: 'int', default: 3, min: 1, max: 1000, description: 'Number of features' },
    noise: { type: 'number', default: 0.5, min: 0, description: 'Standard deviation of the Gaussian noise on y' },
    seed: { type: 'int', default: 1, min: 0, description: 'Generator seed' },
  },
  async load(options) {
    const n = options.n as number;
    const d = options.d as number;
    const noise = options.noise as number;
    checkSize(ID, n, d);
    const rng = createRng(deriveSeed(options.seed as number, ID));
    const coefficients = roundCoefficients(rng, d, 3);
    const [intercept] = roundCoefficients(rng, 1, 2);
    const features = normalFeatures(rng, n, d);
    const labels = new Float32Array(n);
    for (let i = 0; i < n; i++) labels[i] = dot(features, i, coefficients) + intercept + noise * gaussian(rng);
    return makeDataset({
      id: ID,
      features,
      featureShape: [d],
      labels,
      featureNames: featureNames(d),
      meta: {
        coefficients,
        intercept,
        noise,
        irreducibleMse: noise * noise,
        formula: 'y = x . coefficients + intercept + noise * N(0, 1)',
      },
    });
  },
};
