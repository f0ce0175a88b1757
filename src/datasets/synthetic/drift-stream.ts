/**
 * `drift-stream`: a time-ordered binary stream whose distribution changes at
 * a known point, for drift-detection lessons. Rows are in time order; split
 * it with `ordered: true`.
 *
 *   none     one concept throughout (the control: a detector should stay quiet)
 *   sudden   the concept (decision boundary) turns 90 degrees at `at`
 *   gradual  from at - width/2 to at + width/2 each row comes from the new
 *            concept with a probability rising linearly from 0 to 1
 *   prior    label shift: P(y = 1) moves from 0.5 to `priorAfter` at `at`;
 *            P(x | y) stays the same (class means at +-w)
 *
 * Labels are flipped with probability `noise`. Where the change happens is in
 * `meta` (row indices), so a detector's delay can be measured.
 */
import { makeDataset } from '../dataset';
import type { DatasetFactory } from '../factory';
import { createRng, deriveSeed, gaussian, type Rng } from '../rng';
import { checkSize, dot, featureNames, roundCoefficients } from './common';

const ID = 'drift-stream';
export const DRIFT_KINDS = ['none', 'sudden', 'gradual', 'prior'] as const;
export type DriftKind = (typeof DRIFT_KINDS)[number];

/** The same boundary turned by 90 degrees in the plane of the first two features. */
function turned(w: number[]): number[] {
  if (w.length < 2) return w.map((v) => -v);
  const out = w.slice();
  out[0] = -w[1];
  out[1] = w[0];
  return out;
}

function concept(x: Float32Array, row: number, w: number[], rng: Rng, noise: number): number {
  const y = dot(x, row, w) > 0 ? 1 : 0;
  return rng() < noise ? 1 - y : y;
}

export const driftStream: DatasetFactory = {
  packages: [],
  info: {
    id: ID,
    title: 'Binary stream with a known drift (none, sudden, gradual or prior shift)',
    source: 'seeded generator in mlpath (drift position in meta)',
    license: 'MIT (generated)',
    task: 'stream',
    size: 'n time-ordered rows x d features (defaults 2,000 x 2)',
    featureShape: [2],
    classNames: ['0', '1'],
    synthetic: true,
  },
  options: {
    kind: { type: 'enum', values: DRIFT_KINDS, default: 'sudden', description: 'Kind of change' },
    n: { type: 'int', default: 2000, min: 10, max: 1_000_000, description: 'Number of rows' },
    d: { type: 'int', default: 2, min: 1, max: 100, description: 'Number of features' },
    at: {
      type: 'number',
      default: 0.5,
      min: 0.05,
      max: 0.95,
      description: 'Where the change is centred, as a fraction of n',
    },
    width: {
      type: 'number',
      default: 0.2,
      min: 0,
      max: 0.9,
      description: 'Length of a gradual change, as a fraction of n',
    },
    priorAfter: { type: 'number', default: 0.85, min: 0, max: 1, description: 'P(y = 1) after a prior shift' },
    noise: { type: 'number', default: 0.05, min: 0, max: 0.5, description: 'Probability of flipping a label' },
    seed: { type: 'int', default: 1, min: 0, description: 'Generator seed' },
  },
  async load(options) {
    const kind = options.kind as DriftKind;
    const n = options.n as number;
    const d = options.d as number;
    const noise = options.noise as number;
    checkSize(ID, n, d);
    const rng = createRng(deriveSeed(options.seed as number, `${ID}:${kind}`));
    const before = roundCoefficients(rng, d, 1);
    const after = kind === 'none' || kind === 'prior' ? before : turned(before);
    const driftAt = Math.round(n * (options.at as number));
    const half = Math.round((n * (options.width as number)) / 2);
    const rampStart = kind === 'gradual' ? Math.max(0, driftAt - half) : driftAt;
    const rampEnd = kind === 'gradual' ? Math.min(n, driftAt + half) : driftAt;
    const priorAfter = options.priorAfter as number;

    const features = new Float32Array(n * d);
    const labels = new Float32Array(n);
    for (let i = 0; i < n; i++) {
      if (kind === 'prior') {
        const y = rng() < (i < driftAt ? 0.5 : priorAfter) ? 1 : 0;
        for (let j = 0; j < d; j++) features[i * d + j] = (y === 1 ? before[j] : -before[j]) + gaussian(rng);
        labels[i] = rng() < noise ? 1 - y : y;
        continue;
      }
      for (let j = 0; j < d; j++) features[i * d + j] = gaussian(rng);
      let useNew: boolean;
      if (kind === 'none') useNew = false;
      else if (i < rampStart) useNew = false;
      else if (i >= rampEnd) useNew = true;
      else useNew = rng() < (i - rampStart + 1) / (rampEnd - rampStart + 1);
      labels[i] = concept(features, i, useNew ? after : before, rng, noise);
    }
    const meta: Record<string, unknown> = { kind, noise, conceptBefore: before, conceptAfter: after };
    if (kind !== 'none') meta.driftAt = driftAt;
    if (kind === 'gradual') Object.assign(meta, { driftStart: rampStart, driftEnd: rampEnd });
    if (kind === 'prior') Object.assign(meta, { priorBefore: 0.5, priorAfter });
    return makeDataset({
      id: ID,
      features,
      featureShape: [d],
      labels,
      featureNames: featureNames(d),
      classNames: ['0', '1'],
      meta,
    });
  },
};
