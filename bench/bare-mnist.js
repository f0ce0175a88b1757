#!/usr/bin/env node
/**
 * month2/mnist without the grader: the bench times this whole process
 * against `mlpath check month2/mnist` to get the grader's overhead. Same
 * data (the curriculum's split, read from the binary cache), same backend as
 * mlpath sets it up, the same train() given the same context, then the same
 * prediction on the held-out digits and accuracy. Prints one JSON line.
 *
 *   node bench/bare-mnist.js <compiled train.js> [seed=1] [backend=wasm]
 *
 * The compiled file is train.ts bundled with TensorFlow.js left external,
 * as the grader compiles it; its imports of TensorFlow.js get the instance
 * set up here, as in the grader's child.
 */
'use strict';
const Module = require('node:module');
const path = require('node:path');

const dist = path.resolve(process.env.MLPATH_BENCH_DIST || path.join(__dirname, '..', 'dist'));
const [bundle, seedArg = '1', backendArg = 'wasm'] = process.argv.slice(2);
/** curriculum/curriculum.yaml, month2/mnist. */
const SPLIT = { seed: 20240501, test: 0.2, val: 0.1, stratify: true };

async function main() {
  const { initBackend } = require(path.join(dist, 'backend', 'init'));
  const { loadDataset, splitDataset } = require(path.join(dist, 'datasets'));
  const { tf } = await initBackend(backendArg);
  const split = splitDataset(await loadDataset('mnist'), SPLIT);

  const load = Module._load;
  Module._load = function hook(request, parent, isMain) {
    if (/^@tensorflow\/tfjs(-node|-core|-layers)?$/.test(request)) return tf;
    if (request === 'mlpath') return {};
    return load.call(this, request, parent, isMain);
  };
  const train = require(path.resolve(bundle)).default;

  const features = (ds) => tf.tensor(ds.features, [ds.n, ...ds.featureShape], 'float32');
  const labels = (ds) => tf.tensor(Int32Array.from(ds.labels), [ds.n], 'int32');
  const data = {
    xTrain: features(split.train),
    yTrain: labels(split.train),
    xVal: features(split.val),
    yVal: labels(split.val),
    classNames: split.train.classNames,
  };
  const t0 = process.hrtime.bigint();
  const model = await train({ tf, data, seed: Number(seedArg), budget: { seconds: 150 }, log() {} });
  const trainSeconds = Number(process.hrtime.bigint() - t0) / 1e9;

  const scores = await model.predict(features(split.test));
  const predicted = await tf.argMax(scores, 1).data();
  let right = 0;
  for (let i = 0; i < predicted.length; i++) if (predicted[i] === split.test.labels[i]) right++;
  process.stdout.write(
    `${JSON.stringify({ trainSeconds, accuracy: right / predicted.length, backend: tf.getBackend() })}\n`,
  );
}

main().then(
  () => process.exit(0),
  (err) => {
    process.stderr.write(`${err && err.stack ? err.stack : String(err)}\n`);
    process.exit(1);
  },
);
