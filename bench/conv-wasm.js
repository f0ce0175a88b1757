#!/usr/bin/env node
/**
 * Times one training step of a small MNIST-sized CNN on:
 *   wasm       with mlpath's Conv2DBackpropFilter (a forward convolution on wasm)
 *   wasm+cpu   with that kernel replaced by the cpu backend's, bridged in
 *   cpu        the stock cpu backend
 *
 * Run from the repository root, no build needed (esbuild compiles
 * src/backend on the fly):
 *   node bench/conv-wasm.js [examples=512] [epochs=2]
 */
'use strict';
const path = require('node:path');
const Module = require('node:module');

const root = path.resolve(__dirname, '..');

/** Compiles src/backend/<entry>.ts in memory, resolving packages from the repository. */
function loadTs(entry) {
  const esbuild = require(path.join(root, 'node_modules', 'esbuild'));
  const file = path.join(root, 'src', 'backend', `${entry}.ts`);
  const { outputFiles } = esbuild.buildSync({
    entryPoints: [file],
    bundle: true,
    packages: 'external',
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    write: false,
  });
  const mod = new Module(file, module);
  mod.filename = file;
  mod.paths = Module._nodeModulePaths(path.dirname(file));
  mod._compile(outputFiles[0].text, file);
  return mod.exports;
}

const examples = Number(process.argv[2] ?? 512);
const epochs = Number(process.argv[3] ?? 2);
const batchSize = 64;

function buildModel(tf) {
  const seeded = (seed) => tf.initializers.glorotUniform({ seed });
  const model = tf.sequential({
    layers: [
      tf.layers.conv2d({
        inputShape: [28, 28, 1],
        filters: 8,
        kernelSize: 3,
        activation: 'relu',
        kernelInitializer: seeded(1),
      }),
      tf.layers.maxPooling2d({ poolSize: 2 }),
      tf.layers.conv2d({ filters: 16, kernelSize: 3, activation: 'relu', kernelInitializer: seeded(2) }),
      tf.layers.maxPooling2d({ poolSize: 2 }),
      tf.layers.flatten(),
      tf.layers.dense({ units: 10, activation: 'softmax', kernelInitializer: seeded(3) }),
    ],
  });
  model.compile({ optimizer: tf.train.adam(1e-3), loss: 'categoricalCrossentropy' });
  return model;
}

async function timeTraining(tf, label) {
  const xs = tf.randomUniform([examples, 28, 28, 1], 0, 1, 'float32', 7);
  const ys = tf.oneHot(tf.randomUniform([examples], 0, 10, 'int32', 8), 10).toFloat();
  const model = buildModel(tf);
  await model.fit(xs.slice(0, batchSize), ys.slice(0, batchSize), { epochs: 1, batchSize, verbose: 0 });
  const stepsPerEpoch = Math.ceil(examples / batchSize);
  const start = process.hrtime.bigint();
  const history = await model.fit(xs, ys, { epochs, batchSize, shuffle: false, verbose: 0 });
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  const loss = history.history.loss.map((l) => Number(l).toFixed(3)).join(' -> ');
  const row = {
    backend: label,
    'ms/step': +(ms / (epochs * stepsPerEpoch)).toFixed(1),
    'ms/epoch': Math.round(ms / epochs),
    loss,
  };
  tf.dispose([xs, ys]);
  model.dispose();
  return row;
}

async function main() {
  const { initBackend } = loadTs('select');
  const { cpuBridge } = loadTs('wasm-kernels');
  const rows = [];

  const { tf } = await initBackend('wasm');
  rows.push(await timeTraining(tf, 'wasm (conv kernel)'));

  const ours = tf.getKernel('Conv2DBackpropFilter', 'wasm');
  tf.unregisterKernel('Conv2DBackpropFilter', 'wasm');
  tf.registerKernel({
    kernelName: 'Conv2DBackpropFilter',
    backendName: 'wasm',
    kernelFunc: cpuBridge(tf, 'Conv2DBackpropFilter'),
  });
  rows.push(await timeTraining(tf, 'wasm (cpu kernel bridged)'));
  tf.unregisterKernel('Conv2DBackpropFilter', 'wasm');
  tf.registerKernel(ours);

  await initBackend('cpu');
  rows.push(await timeTraining(tf, 'cpu'));

  console.log(
    `CNN 8+16 3x3 filters, 28x28x1, batch ${batchSize}, ${examples} examples, ${epochs} epochs, Node ${process.version}`,
  );
  console.table(rows);
}

main().catch((err) => {
  console.error(err);
  process.exitCode = 1;
});
