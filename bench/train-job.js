#!/usr/bin/env node
/**
 * One training measurement, run by scripts/bench.js in a fresh process per
 * (backend, model) so backends never share a process. Prints one JSON line.
 *
 *   node bench/train-job.js '{"backend":"wasm","model":"mlp","n":8000,"epochs":3,"repeats":3}'
 *
 * Options: backend (tensorflow | wasm | cpu), model (mlp | cnn), n (first n
 * of the 8,000 training digits), epochs, batch (64), repeats (fresh model each time, same
 * seeds), threads (wasm only: MLPATH_WASM_THREADS for the backend layer),
 * stock (wasm only: true puts tfjs-backend-wasm's own GatherV2, BatchMatMul,
 * Conv2DBackpropInput, Slice, MaxPoolGrad, Add and Sum, and tfjs's own Adam
 * step and Mean and Sum gradients, back in place of mlpath's faster ones).
 * Each repeat times model.fit only; a one-batch warm-up fit comes first so
 * kernel set-up is not counted. The first repeat's per-epoch losses and a
 * checksum of its trained weights let runs on different settings be compared
 * for exactness.
 */
'use strict';
const path = require('node:path');

const root = path.resolve(__dirname, '..');
const dist = path.resolve(process.env.MLPATH_BENCH_DIST || path.join(root, 'dist'));

const opts = { batch: 64, repeats: 1, epochs: 3, n: 8000, ...JSON.parse(process.argv[2] || '{}') };
if (opts.threads !== undefined) process.env.MLPATH_WASM_THREADS = String(opts.threads);

/** 8,000 shuffled, stratified digits (the package's 10,000 are sorted by class). */
const TRAIN_SPLIT = { seed: 20240501, test: 0.2 };

function buildModel(tf, kind) {
  const init = (seed) => tf.initializers.glorotUniform({ seed });
  const model = tf.sequential();
  if (kind === 'mlp') {
    model.add(tf.layers.dense({ inputShape: [784], units: 128, activation: 'relu', kernelInitializer: init(1) }));
    model.add(tf.layers.dense({ units: 10, activation: 'softmax', kernelInitializer: init(2) }));
  } else {
    model.add(
      tf.layers.conv2d({
        inputShape: [28, 28, 1],
        filters: 8,
        kernelSize: 3,
        activation: 'relu',
        kernelInitializer: init(1),
      }),
    );
    model.add(tf.layers.maxPooling2d({ poolSize: 2 }));
    model.add(tf.layers.conv2d({ filters: 16, kernelSize: 3, activation: 'relu', kernelInitializer: init(2) }));
    model.add(tf.layers.maxPooling2d({ poolSize: 2 }));
    model.add(tf.layers.flatten());
    model.add(tf.layers.dense({ units: 10, activation: 'softmax', kernelInitializer: init(3) }));
  }
  model.compile({ optimizer: tf.train.adam(1e-3), loss: 'categoricalCrossentropy' });
  return model;
}

/** Sum and sum of squares of every weight: equal weights, equal checksum. */
function checksum(model) {
  let sum = 0;
  let sq = 0;
  for (const w of model.getWeights()) {
    for (const v of w.dataSync()) {
      sum += v;
      sq += v * v;
    }
  }
  return [sum, sq];
}

async function main() {
  const { initBackend } = require(path.join(dist, 'backend', 'init'));
  const { loadDataset, splitDataset } = require(path.join(dist, 'datasets'));
  const { train: ds } = splitDataset(await loadDataset('mnist'), TRAIN_SPLIT);
  const n = Math.min(opts.n, ds.n);
  const active = await initBackend(opts.backend);
  const tf = active.tf;
  if (opts.stock && active.name === 'wasm') {
    require(path.join(dist, 'backend', 'wasm-fast-kernels')).unregisterWasmFastKernels(tf);
    require(path.join(dist, 'backend', 'wasm-adam')).unregisterFusedAdam(tf);
    require(path.join(dist, 'backend', 'reduce-gradients')).unregisterReduceGradients(tf);
  }
  const shape = opts.model === 'cnn' ? [n, 28, 28, 1] : [n, 784];
  const xs = tf.tensor(ds.features.subarray(0, n * 784), shape);
  const ys = tf.oneHot(tf.tensor1d(Int32Array.from(ds.labels.subarray(0, n)), 'int32'), 10).toFloat();

  const warm = buildModel(tf, opts.model);
  await warm.fit(xs.slice(0, opts.batch), ys.slice(0, opts.batch), { epochs: 1, batchSize: opts.batch, verbose: 0 });
  warm.dispose();

  const seconds = [];
  const cpuSeconds = [];
  let losses;
  let sums;
  for (let r = 0; r < opts.repeats; r++) {
    const model = buildModel(tf, opts.model);
    const t0 = process.hrtime.bigint();
    const c0 = process.cpuUsage();
    const history = await model.fit(xs, ys, { epochs: opts.epochs, batchSize: opts.batch, shuffle: false, verbose: 0 });
    seconds.push(Number(process.hrtime.bigint() - t0) / 1e9);
    const c = process.cpuUsage(c0);
    cpuSeconds.push((c.user + c.system) / 1e6);
    if (r === 0) {
      losses = history.history.loss.map(Number);
      sums = checksum(model);
    }
    model.dispose();
  }
  const threads = active.name === 'wasm' ? threadCount() : undefined;
  const line = {
    backend: active.name,
    model: opts.model,
    n,
    epochs: opts.epochs,
    stock: Boolean(opts.stock),
    threads,
    seconds,
    cpuSeconds,
    losses,
    checksum: sums,
  };
  process.stdout.write(`${JSON.stringify(line)}\n`);
}

function threadCount() {
  try {
    return require('@tensorflow/tfjs-backend-wasm').getThreadsCount();
  } catch {
    return undefined;
  }
}

main().then(
  () => process.exit(0),
  (err) => {
    process.stderr.write(`${err && err.stack ? err.stack : String(err)}\n`);
    process.exit(1);
  },
);
