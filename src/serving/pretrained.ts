/**
 * The pretrained models mlpath ships under `models/<name>/`, each made by a
 * script in `scripts/pretrain/` and documented in its own README (data, seed,
 * accuracy, size). Learner code gets them with `ctx.pretrained(name)`; every
 * call returns a fresh copy, so freezing or retraining one changes nothing
 * for the next.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type * as tfjs from '@tensorflow/tfjs';
import { UsageError } from '../errors';
import { loadModel } from './model-io';

export interface PretrainedInfo {
  name: string;
  summary: string;
  input: string;
  output: string;
}

export const PRETRAINED: readonly PretrainedInfo[] = [
  {
    name: 'fashion-cnn',
    summary:
      'a small CNN trained on about 60,000 Fashion-MNIST images of clothes (it never saw a digit), without its classifier',
    input: '[n, 784] float32 pixels in 0..1 (28x28 images, flattened)',
    output:
      "[n, 64] float32 image features (the layer before the classifier); getLayer('flatten') reaches the [n, 1568] convolutional features",
  },
];

/** mlpath's own folder: dist/serving/ -> the package root. */
export function modelsRoot(): string {
  return path.resolve(__dirname, '..', '..', 'models');
}

export function pretrainedInfo(name: string): PretrainedInfo {
  const info = PRETRAINED.find((p) => p.name === name);
  if (!info) {
    const names = PRETRAINED.map((p) => `'${p.name}'`).join(', ');
    throw new UsageError(`there is no pretrained model '${name}'; mlpath ships ${names}`);
  }
  return info;
}

export function pretrainedDir(name: string): string {
  return path.join(modelsRoot(), pretrainedInfo(name).name);
}

export async function loadPretrained(tf: typeof tfjs, name: string): Promise<tfjs.LayersModel> {
  return loadModel(tf, pretrainedDir(name));
}

/**
 * Bytes a pretrained model's weights take as float32 tensors, from the
 * manifest mlpath ships (the file may store them as float16): what the
 * grader leaves out when it weighs a learner's model, read from its own
 * files rather than from the model object learner code holds.
 */
export function pretrainedWeightBytes(name: string): number {
  const json = JSON.parse(fs.readFileSync(path.join(pretrainedDir(name), 'model.json'), 'utf8')) as {
    weightsManifest?: { weights: { shape: number[] }[] }[];
  };
  let bytes = 0;
  for (const group of json.weightsManifest ?? []) {
    for (const w of group.weights) bytes += 4 * w.shape.reduce((a, b) => a * b, 1);
  }
  return bytes;
}
