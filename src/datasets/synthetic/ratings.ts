/**
 * `ratings`: a users x items star-rating matrix for recommendation lessons,
 * made from low-rank factors plus biases and noise, then rounded to 1..5
 * stars. Each row is one observed rating: features [user, item] (0-based
 * ids), label the rating. About `density` of all pairs are observed, and every
 * user has at least one rating.
 *
 *   rating = clamp(round(globalMean + userBias + itemBias + u . v + noise * e), 1, 5)
 */
import { makeDataset } from '../dataset';
import type { DatasetFactory } from '../factory';
import { createRng, deriveSeed, gaussian, randomInt } from '../rng';
import { checkSize } from './common';

const ID = 'ratings';
const GLOBAL_MEAN = 3.5;

export const ratings: DatasetFactory = {
  packages: [],
  info: {
    id: ID,
    title: 'Star ratings (1-5) from a low-rank users x items model',
    source: 'seeded generator in mlpath (factors summarised in meta)',
    license: 'MIT (generated)',
    task: 'ranking',
    size: 'about users x items x density rows of (user, item, rating) (defaults 100 x 50 x 0.2)',
    featureShape: [2],
    synthetic: true,
  },
  options: {
    users: { type: 'int', default: 100, min: 1, max: 100_000, description: 'Number of users' },
    items: { type: 'int', default: 50, min: 1, max: 100_000, description: 'Number of items' },
    rank: { type: 'int', default: 3, min: 1, max: 100, description: 'Rank of the latent factors' },
    density: { type: 'number', default: 0.2, min: 0.001, max: 1, description: 'Fraction of (user, item) pairs rated' },
    noise: { type: 'number', default: 0.5, min: 0, description: 'Standard deviation of the noise before rounding' },
    seed: { type: 'int', default: 1, min: 0, description: 'Generator seed' },
  },
  async load(options) {
    const users = options.users as number;
    const items = options.items as number;
    const rank = options.rank as number;
    const density = options.density as number;
    const noise = options.noise as number;
    checkSize(ID, users * items, 2);
    const rng = createRng(deriveSeed(options.seed as number, ID));
    // Factor entries with variance 1/sqrt(rank) make u . v unit-variance at any rank.
    const scale = 1 / Math.sqrt(Math.sqrt(rank));
    const userFactors = Float64Array.from({ length: users * rank }, () => scale * gaussian(rng));
    const itemFactors = Float64Array.from({ length: items * rank }, () => scale * gaussian(rng));
    const userBias = Float64Array.from({ length: users }, () => 0.5 * gaussian(rng));
    const itemBias = Float64Array.from({ length: items }, () => 0.5 * gaussian(rng));

    const pairs: number[] = [];
    for (let u = 0; u < users; u++) {
      const start = pairs.length;
      for (let i = 0; i < items; i++) if (rng() < density) pairs.push(u, i);
      if (pairs.length === start) pairs.push(u, randomInt(rng, items));
    }
    const n = pairs.length / 2;
    const features = Float32Array.from(pairs);
    const labels = new Float32Array(n);
    for (let r = 0; r < n; r++) {
      const u = pairs[2 * r];
      const i = pairs[2 * r + 1];
      let affinity = 0;
      for (let k = 0; k < rank; k++) affinity += userFactors[u * rank + k] * itemFactors[i * rank + k];
      const raw = GLOBAL_MEAN + userBias[u] + itemBias[i] + affinity + noise * gaussian(rng);
      labels[r] = Math.min(5, Math.max(1, Math.round(raw)));
    }
    return makeDataset({
      id: ID,
      features,
      featureShape: [2],
      labels,
      featureNames: ['user', 'item'],
      meta: { users, items, rank, density, noise, globalMean: GLOBAL_MEAN, ratingScale: [1, 5] },
    });
  },
};
