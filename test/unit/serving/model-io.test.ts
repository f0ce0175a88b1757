import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { initBackend } from '../../../src/backend/init';
import { UsageError } from '../../../src/errors';
import {
  loadModel,
  modelFromJSON,
  modelStore,
  modelToJSON,
  parseModelJSON,
  readModelArtifacts,
  saveModel,
  toFloat16Bits,
} from '../../../src/serving/model-io';

type Tf = typeof import('@tensorflow/tfjs');
let tf: Tf;
let dir: string;

beforeAll(async () => {
  tf = (await initBackend('cpu')).tf;
});

beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mlpath-model-io-'));
});

afterEach(async () => {
  fs.rmSync(dir, { recursive: true, force: true });
  await tf.setBackend('cpu');
});

function smallModel(seed = 3): import('@tensorflow/tfjs').LayersModel {
  const model = tf.sequential();
  model.add(
    tf.layers.dense({
      inputShape: [4],
      units: 8,
      activation: 'relu',
      kernelInitializer: tf.initializers.glorotUniform({ seed }),
      biasInitializer: tf.initializers.randomNormal({ seed: seed + 1 }),
    }),
  );
  model.add(
    tf.layers.dense({
      units: 3,
      activation: 'softmax',
      kernelInitializer: tf.initializers.glorotUniform({ seed: seed + 2 }),
    }),
  );
  return model;
}

const inputs = (): import('@tensorflow/tfjs').Tensor =>
  tf.tensor2d([
    [0.1, -0.5, 2, 0.3],
    [1, 1, -1, 0],
    [-2, 0.25, 0.5, 3],
  ]);

function outputs(model: import('@tensorflow/tfjs').LayersModel): number[][] {
  return (model.predict(inputs()) as import('@tensorflow/tfjs').Tensor).arraySync() as number[][];
}

describe('toFloat16Bits', () => {
  test.each([
    [0, 0x0000],
    [-0, 0x8000],
    [1, 0x3c00],
    [-2, 0xc000],
    [0.5, 0x3800],
    [65504, 0x7bff],
    [1e6, 0x7c00],
    [Infinity, 0x7c00],
    [-Infinity, 0xfc00],
    [2 ** -24, 0x0001],
    [2 ** -14, 0x0400],
    [1e-9, 0x0000],
    // 1 + 2^-11 lies halfway between 1 and the next half; ties go to the even mantissa (1).
    [1 + 2 ** -11, 0x3c00],
    [1 + 3 * 2 ** -11, 0x3c02],
  ])('%p encodes as half-precision bits %p', (value, bits) => {
    expect(toFloat16Bits(value)).toBe(bits);
  });

  test('NaN stays NaN', () => {
    const bits = toFloat16Bits(NaN);
    expect(bits & 0x7c00).toBe(0x7c00);
    expect(bits & 0x3ff).not.toBe(0);
  });
});

describe('folder format', () => {
  test('saves the standard tfjs layout and loads back the same function', async () => {
    const model = smallModel();
    const info = await saveModel(model, path.join(dir, 'm'));
    expect(fs.readdirSync(path.join(dir, 'm')).sort()).toEqual(['model.json', 'weights.bin']);
    const json = JSON.parse(fs.readFileSync(path.join(dir, 'm', 'model.json'), 'utf8'));
    expect(json.format).toBe('layers-model');
    expect(json.weightsManifest).toHaveLength(1);
    expect(json.weightsManifest[0].paths).toEqual(['weights.bin']);
    expect(info.weightBytes).toBe(model.countParams() * 4);
    expect(fs.statSync(path.join(dir, 'm', 'weights.bin')).size).toBe(info.weightBytes);

    const loaded = await loadModel(tf, path.join(dir, 'm'));
    expect(outputs(loaded)).toEqual(outputs(model));
    // model.json itself is accepted as the location too.
    const again = await loadModel(tf, path.join(dir, 'm', 'model.json'));
    expect(outputs(again)).toEqual(outputs(model));
  });

  test('float16 halves the weights and keeps predictions within half precision', async () => {
    const model = smallModel(11);
    const info = await saveModel(model, dir, { quantize: 'float16' });
    expect(info.weightBytes).toBe(model.countParams() * 2);
    const json = JSON.parse(fs.readFileSync(path.join(dir, 'model.json'), 'utf8'));
    for (const w of json.weightsManifest[0].weights) expect(w.quantization).toEqual({ dtype: 'float16' });
    const loaded = await loadModel(tf, dir);
    const a = outputs(model).flat();
    const b = outputs(loaded).flat();
    b.forEach((v, i) => expect(Math.abs(v - a[i])).toBeLessThan(2e-3));
    expect(b).not.toEqual(a);
  });

  test('a model saved on one backend loads on another', async () => {
    const model = smallModel(5);
    const expected = outputs(model);
    await saveModel(model, dir);
    await initBackend('wasm');
    expect(tf.getBackend()).toBe('wasm');
    const loaded = await loadModel(tf, dir);
    outputs(loaded)
      .flat()
      .forEach((v, i) => expect(v).toBeCloseTo(expected.flat()[i], 5));
  });

  test('refuses missing folders, missing weights and weight files outside the folder', async () => {
    expect(() => readModelArtifacts(path.join(dir, 'nothing'))).toThrow(UsageError);
    expect(() => readModelArtifacts(dir)).toThrow(/has no model.json/);
    await saveModel(smallModel(), dir);
    fs.rmSync(path.join(dir, 'weights.bin'));
    expect(() => readModelArtifacts(dir)).toThrow(/weights.bin', which is missing/);
    const json = JSON.parse(fs.readFileSync(path.join(dir, 'model.json'), 'utf8'));
    json.weightsManifest[0].paths = ['../secret.bin'];
    fs.writeFileSync(path.join(dir, 'model.json'), JSON.stringify(json));
    expect(() => readModelArtifacts(dir)).toThrow(/outside the model folder/);
    fs.writeFileSync(path.join(dir, 'model.json'), '{"not": "a model"}');
    expect(() => readModelArtifacts(dir)).toThrow(/not a TensorFlow.js layers model/);
  });
});

describe('JSON string format', () => {
  test('round-trips a model through one string', async () => {
    const model = smallModel(7);
    const text = await modelToJSON(model);
    expect(typeof text).toBe('string');
    const parsed = JSON.parse(text);
    expect(parsed.format).toBe('mlpath-model');
    expect(Buffer.from(parsed.weightData, 'base64').length).toBe(model.countParams() * 4);
    const loaded = await modelFromJSON(tf, text);
    expect(outputs(loaded)).toEqual(outputs(model));
  });

  test('refuses text that is not a saved model', () => {
    expect(() => parseModelJSON('{')).toThrow(/invalid JSON/);
    expect(() => parseModelJSON('{"format": "something-else"}')).toThrow(/expected the output of modelToJSON/);
    expect(() =>
      parseModelJSON(
        JSON.stringify({
          format: 'mlpath-model',
          formatVersion: 99,
          modelTopology: {},
          weightSpecs: [],
          weightData: '',
        }),
      ),
    ).toThrow(/version 99/);
  });

  test('the store binds the helpers to one tf instance', async () => {
    const store = modelStore(tf);
    const model = smallModel(9);
    const copy = await store.fromJSON(await store.toJSON(model));
    expect(outputs(copy)).toEqual(outputs(model));
    await store.save(model, dir);
    expect(outputs(await store.load(dir))).toEqual(outputs(model));
    expect(Object.isFrozen(store)).toBe(true);
  });
});
