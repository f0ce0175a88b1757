import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { initBackend } from '../../../src/backend/init';
import { UsageError } from '../../../src/errors';
import { loadPretrained, PRETRAINED, pretrainedDir } from '../../../src/serving/pretrained';

type Tf = typeof import('@tensorflow/tfjs');
let tf: Tf;

beforeAll(async () => {
  tf = (await initBackend('cpu')).tf;
});

describe.each(PRETRAINED.map((p) => p.name))('shipped model %s', (name) => {
  const dir = pretrainedDir(name);

  test('is documented, and its weights are the ones its provenance records', () => {
    expect(fs.existsSync(path.join(dir, 'README.md'))).toBe(true);
    const provenance = JSON.parse(fs.readFileSync(path.join(dir, 'provenance.json'), 'utf8'));
    const weights = fs.readFileSync(path.join(dir, provenance.weights.file));
    expect(weights.length).toBe(provenance.weights.bytes);
    expect(createHash('sha256').update(weights).digest('hex')).toBe(provenance.weights.sha256);
    expect(fs.existsSync(path.resolve(__dirname, '..', '..', '..', provenance.script))).toBe(true);
  });

  test('loads on any backend as a model whose parameter count matches its provenance', async () => {
    const provenance = JSON.parse(fs.readFileSync(path.join(dir, 'provenance.json'), 'utf8'));
    const model = await loadPretrained(tf, name);
    expect(model.countParams()).toBe(provenance.parameters);
  });
});

describe('fashion-cnn', () => {
  test('maps [n, 784] pixels to [n, 64] non-negative features', async () => {
    const model = await loadPretrained(tf, 'fashion-cnn');
    expect(model.inputs[0].shape).toEqual([null, 784]);
    const out = model.predict(tf.randomUniform([5, 784], 0, 1, 'float32', 3)) as import('@tensorflow/tfjs').Tensor;
    expect(out.shape).toEqual([5, 64]);
    expect(out.min().dataSync()[0]).toBeGreaterThanOrEqual(0);
    expect(out.max().dataSync()[0]).toBeGreaterThan(0);
  });

  test('every call returns an independent copy', async () => {
    const a = await loadPretrained(tf, 'fashion-cnn');
    const b = await loadPretrained(tf, 'fashion-cnn');
    a.trainable = false;
    a.layers[a.layers.length - 1].setWeights(a.layers[a.layers.length - 1].getWeights().map((w) => tf.zerosLike(w)));
    expect(b.trainable).toBe(true);
    const x = tf.ones([1, 784]);
    expect((a.predict(x) as import('@tensorflow/tfjs').Tensor).sum().dataSync()[0]).toBe(0);
    expect((b.predict(x) as import('@tensorflow/tfjs').Tensor).sum().dataSync()[0]).toBeGreaterThan(0);
  });
});

test('an unknown name is a usage error that lists what is shipped', async () => {
  await expect(loadPretrained(tf, 'imagenet-resnet')).rejects.toThrow(UsageError);
  await expect(loadPretrained(tf, 'imagenet-resnet')).rejects.toThrow(/mlpath ships 'fashion-cnn'/);
});
