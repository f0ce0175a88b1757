#!/usr/bin/env node
// Trains the pretrained model mlpath ships as `fashion-cnn` (models/fashion-cnn/):
// a small CNN trained on Fashion-MNIST, saved without its classifier so learners
// put their own head on it. month3/fine-tune transfers it to MNIST digits, which
// it never saw. The 5,000 images of that exercise's former Fashion-MNIST split
// are still left out (EXCLUDED_SPLIT), so the script gives the same bytes as before.
//
//   npm run build && node scripts/pretrain/fashion-cnn.js [--epochs 4] [--backend wasm] [--out models/fashion-cnn]
//
// Reproducible: the data order, the initialisers and the batches are all
// seeded and model.fit never shuffles, so the same backend and TensorFlow.js
// version give the same weights byte for byte (compare the SHA-256 in
// provenance.json). It needs the optional `fashion-mnist` package.
'use strict';
const crypto = require('node:crypto');
const fs = require('node:fs');
const path = require('node:path');

const root = path.resolve(__dirname, '..', '..');
const dist = path.join(root, 'dist');
if (!fs.existsSync(path.join(dist, 'serving', 'model-io.js'))) {
  console.error('mlpath is not built: run `npm run build` first');
  process.exit(2);
}
const { loadDataset, splitDataset, createRng, deriveSeed } = require(path.join(dist, 'datasets'));
const { initBackend } = require(path.join(dist, 'backend', 'init'));
const { saveModel, loadModel } = require(path.join(dist, 'serving', 'model-io'));

const SEED = 20240707;
const EXERCISE = 'month3/fine-tune';
const PIXELS = 784;
const HOLDOUT = 5000;
const BATCH = 64;

function option(name, fallback) {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : fallback;
}

function shuffle(list, rng) {
  for (let i = list.length - 1; i > 0; i--) {
    const j = Math.floor(rng() * (i + 1));
    [list[i], list[j]] = [list[j], list[i]];
  }
  return list;
}

function rowHash(features, row) {
  const bytes = Buffer.from(features.buffer, features.byteOffset + row * PIXELS * 4, PIXELS * 4);
  return crypto.createHash('sha1').update(bytes).digest('hex');
}

/**
 * The Fashion-MNIST split month3/fine-tune used until it moved to MNIST digits
 * (the exercise then classified clothes on top of this model). Its images are
 * still left out, by content, so the weights stay the ones shipped.
 */
const EXCLUDED_SPLIT = { seed: 20240701, test: 0.8, val: 0.04, limit: 5000 };

/** Every image of EXCLUDED_SPLIT, by content. */
function exerciseImages(ds) {
  const s = EXCLUDED_SPLIT;
  const split = splitDataset(ds, { seed: s.seed, test: s.test, val: s.val, limit: s.limit, stratify: true });
  const hashes = new Set();
  for (const part of [split.train, split.val, split.test]) {
    if (!part) continue;
    for (let r = 0; r < part.n; r++) hashes.add(rowHash(part.features, r));
  }
  return { hashes, split: s };
}

function gather(ds, rows, tf) {
  const x = new Float32Array(rows.length * PIXELS);
  const y = new Int32Array(rows.length);
  rows.forEach((r, i) => {
    x.set(ds.features.subarray(r * PIXELS, (r + 1) * PIXELS), i * PIXELS);
    y[i] = ds.labels[r];
  });
  return { x: tf.tensor2d(x, [rows.length, PIXELS]), y: tf.tensor1d(y, 'int32') };
}

function build(tf) {
  const init = (offset) => tf.initializers.heNormal({ seed: SEED + offset });
  const input = tf.input({ shape: [PIXELS], name: 'pixels' });
  let h = tf.layers.reshape({ targetShape: [28, 28, 1], name: 'image' }).apply(input);
  h = tf.layers
    .conv2d({
      filters: 16,
      kernelSize: 3,
      padding: 'same',
      activation: 'relu',
      kernelInitializer: init(1),
      name: 'conv1',
    })
    .apply(h);
  h = tf.layers.maxPooling2d({ poolSize: 2, name: 'pool1' }).apply(h);
  h = tf.layers
    .conv2d({
      filters: 32,
      kernelSize: 3,
      padding: 'same',
      activation: 'relu',
      kernelInitializer: init(2),
      name: 'conv2',
    })
    .apply(h);
  h = tf.layers.maxPooling2d({ poolSize: 2, name: 'pool2' }).apply(h);
  h = tf.layers.flatten({ name: 'flatten' }).apply(h);
  const features = tf.layers
    .dense({ units: 64, activation: 'relu', kernelInitializer: init(3), name: 'features' })
    .apply(h);
  const classes = tf.layers
    .dense({
      units: 10,
      activation: 'softmax',
      kernelInitializer: tf.initializers.glorotUniform({ seed: SEED + 4 }),
      name: 'pretrain_classifier',
    })
    .apply(features);
  const classifier = tf.model({ inputs: input, outputs: classes, name: 'fashion_cnn_classifier' });
  const base = tf.model({ inputs: input, outputs: features, name: 'fashion_cnn' });
  return { classifier, base };
}

async function main() {
  const epochs = Number(option('epochs', '4'));
  const out = path.resolve(root, option('out', path.join('models', 'fashion-cnn')));
  const t0 = Date.now();
  const { name: backend, tf } = await initBackend(option('backend', 'wasm'));
  const ds = await loadDataset('fashion-mnist');
  const { hashes, split } = exerciseImages(ds);
  const rows = [];
  let excluded = 0;
  for (let r = 0; r < ds.n; r++) {
    if (hashes.has(rowHash(ds.features, r))) excluded++;
    else rows.push(r);
  }
  shuffle(rows, createRng(deriveSeed(SEED, 'order')));
  const testRows = rows.slice(0, HOLDOUT);
  const trainRows = rows.slice(HOLDOUT);
  console.log(
    `fashion-mnist: ${ds.n} images, ${excluded} excluded (${EXERCISE}'s former split), ${trainRows.length} to train, ${testRows.length} to test`,
  );

  const train = gather(ds, trainRows, tf);
  const test = gather(ds, testRows, tf);
  const { classifier, base } = build(tf);
  classifier.compile({ optimizer: tf.train.adam(0.001), loss: 'sparseCategoricalCrossentropy', metrics: ['accuracy'] });
  const rng = createRng(deriveSeed(SEED, 'batches'));
  for (let epoch = 1; epoch <= epochs; epoch++) {
    const order = tf.tensor1d(
      shuffle(
        Array.from({ length: trainRows.length }, (_, i) => i),
        rng,
      ),
      'int32',
    );
    const x = tf.gather(train.x, order);
    const y = tf.gather(train.y, order).toFloat();
    const h = await classifier.fit(x, y, { epochs: 1, batchSize: BATCH, shuffle: false, verbose: 0 });
    tf.dispose([order, x, y]);
    console.log(
      `epoch ${epoch}/${epochs}: loss ${h.history.loss[0].toFixed(4)}, train accuracy ${h.history.acc[0].toFixed(4)} (${((Date.now() - t0) / 1000).toFixed(0)} s)`,
    );
  }
  const truth = test.y.dataSync();
  const accuracyOf = (scores) => {
    const predicted = scores.argMax(-1).dataSync();
    let right = 0;
    for (let i = 0; i < truth.length; i++) if (predicted[i] === truth[i]) right++;
    return right / truth.length;
  };
  const accuracy = accuracyOf(classifier.predict(test.x));
  console.log(`pretraining test accuracy (${truth.length} images it never trained on): ${accuracy.toFixed(4)}`);

  for (const f of ['model.json', 'weights.bin', 'provenance.json']) fs.rmSync(path.join(out, f), { force: true });
  const saved = await saveModel(base, out, { quantize: 'float16' });
  // The shipped file holds float16 weights: measure the same test through it.
  const reloaded = await loadModel(tf, out);
  const savedAccuracy = accuracyOf(classifier.getLayer('pretrain_classifier').apply(reloaded.predict(test.x)));
  console.log(`the same through the saved float16 weights: ${savedAccuracy.toFixed(4)}`);
  const weights = fs.readFileSync(path.join(out, 'weights.bin'));
  const provenance = {
    name: 'fashion-cnn',
    script: 'scripts/pretrain/fashion-cnn.js',
    seed: SEED,
    data: {
      dataset: 'fashion-mnist',
      fingerprint: ds.fingerprint,
      excluded: {
        exercise: `${EXERCISE}'s former Fashion-MNIST split (the exercise now uses MNIST digits)`,
        split,
        images: excluded,
      },
      trainImages: trainRows.length,
      testImages: testRows.length,
    },
    training: {
      epochs,
      batchSize: BATCH,
      optimizer: 'adam(0.001)',
      loss: 'sparseCategoricalCrossentropy',
      backend,
      tfjs: tf.version.tfjs,
    },
    pretrainTestAccuracy: Number(accuracy.toFixed(4)),
    savedFloat16TestAccuracy: Number(savedAccuracy.toFixed(4)),
    parameters: base.countParams(),
    weights: {
      file: 'weights.bin',
      bytes: saved.weightBytes,
      dtype: 'float16',
      sha256: crypto.createHash('sha256').update(weights).digest('hex'),
    },
    seconds: Math.round((Date.now() - t0) / 1000),
  };
  fs.writeFileSync(path.join(out, 'provenance.json'), `${JSON.stringify(provenance, null, 2)}\n`);
  console.log(
    `wrote ${path.relative(root, out)}/{model.json,weights.bin,provenance.json}: ${provenance.parameters} parameters, ${saved.weightBytes} bytes of weights`,
  );
}

main().catch((err) => {
  console.error(err && err.stack ? err.stack : String(err));
  process.exit(1);
});
