#!/usr/bin/env node
/**
 * `npm run bench`: the time-to-feedback figures of issue 9, measured side by
 * side in one run, printed and written to bench/results.md.
 *
 *   1. CLI start of commands that do not train, against `node -e 0`
 *   2. dataset load, cold and warm binary cache (MNIST)
 *   3. `mlpath check month2/mnist` (reference solution) against the same
 *      train.ts run bare (bench/bare-mnist.js): the grader's overhead; peak
 *      memory of the check; the same model in PyTorch when installed
 *   4. training time per backend, MLP 784-128-10 and small CNN, 8,000
 *      digits, 3 epochs, batch 64, Adam (bench/train-job.js); wasm also with
 *      its stock kernels and with two threads, for exactness and speed
 *   5. PyTorch on the same data and models, when `import torch` works
 *
 *   6. the tensor-leak test (jest), when jest is installed
 *
 * Needs a build (`npm run build`). Options: --quick (fewer runs), --skip
 * <section,...> (cli, data, check, train, torch, leaks). Figures are wall-clock
 * medians; the load average at start is recorded because the machine may be
 * shared. Python: $MLPATH_BENCH_PYTHON, else python3 on PATH, else
 * /usr/bin/python3 (Debian's python3-torch), the first that imports torch.
 */
'use strict';
const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const root = path.resolve(__dirname, '..');
const bin = path.join(root, 'bin', 'mlpath');
const dist = path.join(root, 'dist');
const args = process.argv.slice(2);
const quick = args.includes('--quick');
const skip = new Set(args.includes('--skip') ? (args[args.indexOf('--skip') + 1] || '').split(',') : []);
const RESULTS = path.join(root, 'bench', 'results.md');

const CLI_RUNS = quick ? 5 : 15;
const DATA_RUNS = quick ? 3 : 5;
const CHECK_RUNS = quick ? 1 : 5;
const TRAIN_REPEATS = quick ? 1 : 3;
/** Examples the cpu backend trains on before the time is scaled to 8,000 x 3 epochs. */
const CPU_EXAMPLES = { mlp: 2000, cnn: 640 };

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'mlpath-bench-'));
const md = [];
const findings = {};

// ---------------------------------------------------------------- helpers

function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}

function ms(x) {
  return x >= 1000 ? `${(x / 1000).toFixed(2)} s` : `${x.toFixed(0)} ms`;
}

function sec(x) {
  return `${x.toFixed(2)} s`;
}

function ratio(a, b) {
  return `${(a / b).toFixed(2)}x`;
}

function say(line = '') {
  process.stdout.write(`${line}\n`);
}

function section(title) {
  say(`\n== ${title}`);
  md.push('', `## ${title}`, '');
}

function table(header, rows) {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => String(r[i]).length)));
  const line = (cells) => cells.map((c, i) => String(c).padEnd(widths[i])).join('  ');
  say(line(header));
  for (const r of rows) say(line(r));
  md.push(`| ${header.join(' | ')} |`, `| ${header.map(() => '---').join(' | ')} |`);
  for (const r of rows) md.push(`| ${r.join(' | ')} |`);
  md.push('');
}

function note(text) {
  say(`  ${text}`);
  md.push(text, '');
}

/** Runs a command to completion; returns wall seconds, stdout, status. */
function run(cmd, argv, opts = {}) {
  const t0 = process.hrtime.bigint();
  const r = spawnSync(cmd, argv, {
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
    ...opts,
    env: { ...process.env, ...opts.env },
  });
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  if (r.error) throw r.error;
  return { seconds, stdout: r.stdout, stderr: r.stderr, status: r.status };
}

function lastJson(text) {
  const lines = text
    .trim()
    .split('\n')
    .filter((l) => l.startsWith('{'));
  if (!lines.length) throw new Error(`no JSON in output: ${text.slice(-400)}`);
  return JSON.parse(lines[lines.length - 1]);
}

function node(argv, opts) {
  return run(process.execPath, argv, opts);
}

function mlpath(argv, opts) {
  return node([bin, ...argv], opts);
}

function failed(what, r) {
  return new Error(
    `${what} exited with ${r.status}: ${(r.stderr || r.stdout).trim().split('\n').slice(-5).join(' | ')}`,
  );
}

function findPython() {
  const candidates = [process.env.MLPATH_BENCH_PYTHON, 'python3', '/usr/bin/python3'].filter(Boolean);
  const tried = [];
  for (const py of [...new Set(candidates)]) {
    const r = spawnSync(py, ['-c', 'import torch, numpy; print(torch.__version__)'], { encoding: 'utf8' });
    if (r.status === 0) return { python: py, torch: r.stdout.trim() };
    tried.push(py);
  }
  return { tried };
}

// ---------------------------------------------------------------- sections

function environment() {
  const cpus = os.cpus();
  const load = os
    .loadavg()
    .map((l) => l.toFixed(2))
    .join(' ');
  const { probeBackends } = require(path.join(dist, 'backend', 'probe'));
  const backends = probeBackends().map((p) => `${p.name}: ${p.available ? 'available' : p.reason}`);
  findings.backends = probeBackends()
    .filter((p) => p.available)
    .map((p) => p.name);
  findings.py = findPython();
  section('Environment');
  table(
    ['item', 'value'],
    [
      ['date', new Date().toISOString()],
      ['node', process.version],
      ['cpu', `${cpus.length} x ${cpus[0] ? cpus[0].model.trim() : 'unknown'}`],
      ['load average at start (1, 5, 15 min)', load],
      ['backends', backends.join('; ')],
      [
        'pytorch',
        findings.py.python
          ? `${findings.py.torch} (${findings.py.python})`
          : `not importable (tried ${findings.py.tried.join(', ')})`,
      ],
    ],
  );
  if (os.loadavg()[0] > cpus.length)
    note(
      `Note: the load average (${os.loadavg()[0].toFixed(1)}) exceeds the ${cpus.length} cores: other processes share this machine, so absolute times are inflated; ratios measured side by side hold better.`,
    );
}

function makeWorkspace() {
  const ws = path.join(tmp, 'ws');
  const r = mlpath(['start', ws, '--yes']);
  if (!fs.existsSync(path.join(ws, 'mlpath.json'))) throw failed('mlpath start', r);
  fs.copyFileSync(
    path.join(root, 'solutions', 'month2', 'mnist', 'train.ts'),
    path.join(ws, 'month2', 'mnist', 'train.ts'),
  );
  return ws;
}

function cliStart(ws) {
  section('1. CLI start of non-training commands');
  const commands = [
    ['node -e 0', [process.execPath, ['-e', '0']]],
    ['mlpath --help', [process.execPath, [bin, '--help']]],
    ['mlpath status', [process.execPath, [bin, 'status']]],
    ['mlpath validate', [process.execPath, [bin, 'validate']]],
  ];
  const times = new Map(commands.map(([name]) => [name, []]));
  for (let i = 0; i < CLI_RUNS; i++) {
    for (const [name, [cmd, argv]] of commands) {
      const r = run(cmd, argv, { cwd: ws });
      if (r.status !== 0) throw failed(name, r);
      times.get(name).push(r.seconds * 1000);
    }
  }
  const probes = {};
  for (const [name, [, argv]] of commands.slice(1)) {
    const file = path.join(tmp, 'probe.json');
    node(['-r', path.join(root, 'bench', 'probe.js'), ...argv], { cwd: ws, env: { MLPATH_BENCH_PROBE: file } });
    probes[name] = JSON.parse(fs.readFileSync(file, 'utf8'));
  }
  const base = median(times.get('node -e 0'));
  const rows = commands.map(([name]) => {
    const m = median(times.get(name));
    const p = probes[name];
    return [
      name,
      ms(m),
      ratio(m, base),
      p ? String(p.modules) : '-',
      p ? (p.tfjsLoaded ? 'YES' : 'no') : '-',
      p ? p.packages.join(' ') : '-',
    ];
  });
  table(['command', `median of ${CLI_RUNS}`, 'vs node -e 0', 'modules', 'TensorFlow.js', 'packages loaded'], rows);
  const worst = Math.max(...commands.slice(1).map(([name]) => median(times.get(name)) / base));
  const tfjs = Object.values(probes).some((p) => p.tfjsLoaded);
  findings.cli = { worst, tfjs };
  note(
    `Target: at most 3x bare node, no TensorFlow.js. Worst: ${worst.toFixed(2)}x, TensorFlow.js loaded: ${tfjs ? 'yes' : 'no'} -> ${worst <= 3 && !tfjs ? 'met' : 'NOT met'}.`,
  );
}

function datasetLoad() {
  section('2. Dataset load (MNIST, 10,000 digits), fresh process each');
  const child = `
const t0 = process.hrtime.bigint();
const { loadDataset } = require(${JSON.stringify(path.join(dist, 'datasets'))});
loadDataset('mnist').then((ds) => process.stdout.write(JSON.stringify({ ms: Number(process.hrtime.bigint() - t0) / 1e6, n: ds.n })));`;
  const cold = [];
  const warm = [];
  for (let i = 0; i < DATA_RUNS; i++) {
    const dir = fs.mkdtempSync(path.join(tmp, 'cache-'));
    const env = { MLPATH_CACHE_DIR: dir, MLPATH_MNIST_FULL: '' };
    for (const list of [cold, warm]) {
      const r = node(['-e', child], { env });
      if (r.status !== 0) throw failed('dataset load', r);
      list.push(lastJson(r.stdout).ms);
    }
    fs.rmSync(dir, { recursive: true, force: true });
  }
  table(
    ['load', `median of ${DATA_RUNS}`, 'vs warm'],
    [
      ['cold (parse the package, write the cache)', ms(median(cold)), ratio(median(cold), median(warm))],
      ['warm (binary cache)', ms(median(warm)), '1.00x'],
    ],
  );
  note(
    'Times run from before require() of the datasets layer to the returned dataset; a temporary MLPATH_CACHE_DIR makes the first load cold.',
  );
}

function compileReference(ws) {
  const esbuild = require(path.join(root, 'node_modules', 'esbuild'));
  const out = path.join(tmp, 'bare', 'train.js');
  esbuild.buildSync({
    entryPoints: [path.join(ws, 'month2', 'mnist', 'train.ts')],
    outfile: out,
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    external: ['@tensorflow/*', 'mlpath'],
    logLevel: 'silent',
  });
  return out;
}

function latestRunRecord(ws) {
  const dir = path.join(ws, '.mlpath', 'runs');
  const files = fs
    .readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .sort();
  return JSON.parse(fs.readFileSync(path.join(dir, files[files.length - 1]), 'utf8'));
}

/** The curriculum's month2/mnist split, written as float32 files for PyTorch. */
function exportSplit() {
  const { loadDataset, splitDataset } = require(path.join(dist, 'datasets'));
  return loadDataset('mnist').then((ds) => {
    const split = splitDataset(ds, { seed: 20240501, test: 0.2, val: 0.1, stratify: true });
    const eight = splitDataset(ds, { seed: 20240501, test: 0.2 });
    const base = path.join(tmp, 'mnist');
    const write = (name, part) => {
      fs.writeFileSync(
        `${base}-${name}.x.f32`,
        Buffer.from(part.features.buffer, part.features.byteOffset, part.features.byteLength),
      );
      fs.writeFileSync(
        `${base}-${name}.y.f32`,
        Buffer.from(part.labels.buffer, part.labels.byteOffset, part.labels.byteLength),
      );
    };
    // torch_train.py reads <data>.<split>.*: "ref" holds the check's split, "eight" the 8,000 training digits.
    for (const [prefix, parts] of [
      ['ref', split],
      ['eight', eight],
    ]) {
      for (const name of ['train', 'val', 'test']) if (parts[name]) write(`${prefix}.${name}`, parts[name]);
    }
    return { ref: `${base}-ref`, eight: `${base}-eight` };
  });
}

/**
 * OpenMP's default spin-waiting makes a 2-thread PyTorch step 50x slower
 * when the machine has other work (measured: 18 s instead of 0.4 s for one
 * epoch of the MLP); passive waiting costs nothing on an idle machine.
 */
function torchRun(opts) {
  const env = { OMP_WAIT_POLICY: process.env.OMP_WAIT_POLICY || 'PASSIVE' };
  const r = run(findings.py.python, [path.join(root, 'bench', 'torch_train.py'), JSON.stringify(opts)], { env });
  if (r.status !== 0) throw failed('torch_train.py', r);
  return { ...lastJson(r.stdout), wall: r.seconds };
}

function checkVsBare(ws, data) {
  section('3. mlpath check month2/mnist (reference) vs the same script bare');
  const bundle = compileReference(ws);
  const checks = [];
  const bares = [];
  let peakChild = 0;
  let peakParent = 0;
  for (let i = 0; i < CHECK_RUNS; i++) {
    const probe = path.join(tmp, 'probe-check.json');
    const c = node(['-r', path.join(root, 'bench', 'probe.js'), bin, 'check', 'month2/mnist'], {
      cwd: ws,
      env: { MLPATH_BENCH_PROBE: probe },
    });
    if (c.status !== 0) throw failed('mlpath check month2/mnist', c);
    const record = latestRunRecord(ws);
    checks.push({ wall: c.seconds, record });
    peakChild = Math.max(peakChild, recordField(record, 'peakRssMb') ?? 0);
    peakParent = Math.max(peakParent, JSON.parse(fs.readFileSync(probe, 'utf8')).maxRssMb);
    const seed = recordField(record, 'seed') ?? 1;
    const b = node([
      path.join(root, 'bench', 'bare-mnist.js'),
      bundle,
      String(seed),
      recordField(record, 'backend') || 'wasm',
    ]);
    if (b.status !== 0) throw failed('bench/bare-mnist.js', b);
    bares.push({ wall: b.seconds, ...lastJson(b.stdout) });
  }
  const cw = median(checks.map((c) => c.wall));
  const bw = median(bares.map((b) => b.wall));
  const ct = median(checks.map((c) => recordField(c.record, 'trainSeconds') ?? NaN));
  const bt = median(bares.map((b) => b.trainSeconds));
  // Each check runs right before its bare twin, under the same load: the
  // median of the pairs' ratios is steadier than the ratio of the medians.
  const overhead = median(checks.map((c, i) => c.wall / bares[i].wall));
  const accuracy = recordMetric(checks[checks.length - 1].record, 'accuracy');
  const rows = [
    [
      'mlpath check month2/mnist',
      sec(cw),
      sec(ct),
      sec(cw - ct),
      `${overhead.toFixed(2)}x`,
      accuracy === undefined ? '-' : accuracy.toFixed(4),
    ],
    [
      'bare script (bench/bare-mnist.js)',
      sec(bw),
      sec(bt),
      sec(bw - bt),
      '1.00x',
      median(bares.map((b) => b.accuracy)).toFixed(4),
    ],
  ];
  let torch;
  if (findings.py.python) {
    const t = [];
    for (let i = 0; i < CHECK_RUNS; i++) t.push(torchRun({ mode: 'reference', data: data.ref, epochs: 10 }));
    const tw = median(t.map((x) => x.wall));
    const tt = median(t.map((x) => x.trainSeconds));
    torch = { wall: tw };
    rows.push([
      `same model in PyTorch ${findings.py.torch} (${t[0].threads} threads)`,
      sec(tw),
      sec(tt),
      sec(tw - tt),
      ratio(tw, bw),
      median(t.map((x) => x.accuracy)).toFixed(4),
    ]);
  }
  table(
    [
      'run',
      `wall, median of ${CHECK_RUNS}`,
      'training',
      'everything else',
      'vs bare (median of pairs)',
      'test accuracy',
    ],
    rows,
  );
  const added = cw - ct - (bw - bt);
  findings.check = { overhead, added, cw, peakChild, peakParent, torch: torch ? cw / torch.wall : undefined };
  note(
    `Grader overhead: ${overhead.toFixed(2)}x the bare script (target at most 1.3x -> ${overhead <= 1.3 ? 'met' : 'NOT met'}). "training" is the grader's trainSeconds (run record) and the bare script's own timer around train(); outside training the grader adds ${added.toFixed(2)} s (CLI and curriculum, data split, esbuild, a second process, the IPC transfer, the report), which is ${((bw + added) / bw).toFixed(2)}x the bare script when training takes the same time in both.`,
  );
  if (torch)
    note(
      `Time to feedback against PyTorch: mlpath check takes ${ratio(cw, torch.wall)} the whole PyTorch process (10 epochs, 7,000 digits, validation each epoch, 2,000 predicted).`,
    );
  else
    note(
      `PyTorch: skipped, torch is not importable (tried ${findings.py.tried.join(', ')}). On Debian: apt-get install python3-torch libopenblas0-pthread.`,
    );

  section('Peak memory of mlpath check month2/mnist');
  table(
    ['process', `peak RSS, max of ${CHECK_RUNS}`],
    [
      ['grader child (run record peakRssMb, sampled every 250 ms)', `${peakChild.toFixed(0)} MB`],
      ['mlpath parent (getrusage maxRSS)', `${peakParent.toFixed(0)} MB`],
    ],
  );
  note(
    `Target: under 500 MB -> ${Math.max(peakChild, peakParent) < 500 ? 'met' : 'NOT met'} (child ${peakChild.toFixed(0)} MB, parent ${peakParent.toFixed(0)} MB).`,
  );
}

/** Run records keep some fields at the top level and some under details, depending on the writer's version. */
function recordField(record, name) {
  if (record[name] !== undefined) return record[name];
  if (record.details && record.details[name] !== undefined) return record.details[name];
  if (record.result && record.result[name] !== undefined) return record.result[name];
  return undefined;
}

function recordMetric(record, name) {
  const metrics = recordField(record, 'metrics') || [];
  const m = metrics.find((x) => x.name === name);
  return m ? m.value : undefined;
}

function trainJob(opts) {
  const r = node([path.join(root, 'bench', 'train-job.js'), JSON.stringify(opts)]);
  if (r.status !== 0) throw failed(`train-job ${JSON.stringify(opts)}`, r);
  return lastJson(r.stdout);
}

function relDiff(a, b) {
  return Math.abs(a - b) / Math.max(Math.abs(b), 1e-30);
}

function training() {
  section('4. Training time per backend: 8,000 digits, 3 epochs, batch 64, Adam');
  const rows = [];
  const exact = [];
  const results = {};
  for (const model of ['mlp', 'cnn']) {
    const label = model === 'mlp' ? 'MLP 784-128-10' : 'CNN 8+16 3x3';
    const variants = [];
    if (findings.backends.includes('tensorflow')) variants.push(['tensorflow', { backend: 'tensorflow' }]);
    if (findings.backends.includes('wasm')) {
      variants.push(['wasm (mlpath kernels)', { backend: 'wasm' }]);
      variants.push(['wasm (stock tfjs kernels)', { backend: 'wasm', stock: true }]);
      if (os.cpus().length > 1) variants.push(['wasm, 2 threads (opt-in)', { backend: 'wasm', threads: 2 }]);
    }
    if (findings.backends.includes('cpu'))
      variants.push(['cpu', { backend: 'cpu', n: CPU_EXAMPLES[model], epochs: 1 }]);
    for (const [name, opts] of variants) {
      const repeats = opts.backend === 'cpu' || name.includes('threads') ? 1 : TRAIN_REPEATS;
      const r = trainJob({ model, repeats, ...opts });
      const scale = (8000 * 3) / (r.n * r.epochs);
      const t = median(r.seconds) * scale;
      const cpuT = median(r.cpuSeconds) * scale;
      results[`${model}:${name}`] = { ...r, t, cpuT };
      rows.push([
        label,
        name,
        sec(t),
        sec(cpuT),
        scale === 1 ? `median of ${repeats}` : `${r.n} digits x ${r.epochs} epoch, scaled x${scale.toFixed(1)}`,
      ]);
    }
    const ours = results[`${model}:wasm (mlpath kernels)`];
    const stock = results[`${model}:wasm (stock tfjs kernels)`];
    const threaded = results[`${model}:wasm, 2 threads (opt-in)`];
    if (ours && stock) {
      exact.push([
        label,
        'mlpath kernels vs stock',
        ratio(stock.t, ours.t),
        ratio(stock.cpuT, ours.cpuT),
        relDiff(ours.losses.at(-1), stock.losses.at(-1)).toExponential(1),
        relDiff(ours.checksum[1], stock.checksum[1]).toExponential(1),
      ]);
    }
    if (ours && threaded) {
      const same =
        threaded.losses.every((l, i) => l === ours.losses[i]) &&
        threaded.checksum.every((c, i) => c === ours.checksum[i]);
      exact.push([
        label,
        `2 threads vs 1 (${threaded.threads} started)`,
        ratio(ours.t, threaded.t),
        ratio(ours.cpuT, threaded.cpuT),
        same ? 'bit-identical' : relDiff(threaded.losses.at(-1), ours.losses.at(-1)).toExponential(1),
        same ? 'bit-identical' : relDiff(threaded.checksum[1], ours.checksum[1]).toExponential(1),
      ]);
    }
  }
  findings.training = results;
  table(['model', 'backend', 'training (wall)', 'cpu time', 'how'], rows);
  if (findings.backends.includes('cpu'))
    note(
      `The cpu backend is too slow to train in full within the bench: it trains ${CPU_EXAMPLES.mlp} digits (MLP) and ${CPU_EXAMPLES.cnn} digits (CNN) for one epoch, and the time is scaled linearly to 8,000 digits x 3 epochs.`,
    );
  if (exact.length) {
    say('');
    table(
      [
        'model',
        'comparison',
        'speed-up (wall)',
        'speed-up (cpu time)',
        'final loss rel. diff',
        'sum of squared weights rel. diff',
      ],
      exact,
    );
    note(
      '"mlpath kernels" are GatherV2 by row copies (bit-identical), transposed BatchMatMul as transpose + XNNPACK, and stride-1 Conv2DBackpropInput as a convolution (same sums in another order: float32 rounding-level differences, which compound over training steps). Threads are opt-in (MLPATH_WASM_THREADS) and need worker threads, which the grader\'s sandbox refuses.',
    );
  }
}

function pytorch(data) {
  section('5. PyTorch baseline, same data and models');
  if (!findings.py.python) {
    note(
      `Skipped: torch is not importable (tried ${findings.py.tried.join(', ')}). On Debian: apt-get install python3-torch libopenblas0-pthread.`,
    );
    return;
  }
  const rows = [];
  for (const model of ['mlp', 'cnn']) {
    const r = torchRun({ mode: 'throughput', model, data: data.eight, n: 8000, epochs: 3, repeats: TRAIN_REPEATS });
    const t = median(r.seconds);
    const label = model === 'mlp' ? 'MLP 784-128-10' : 'CNN 8+16 3x3';
    const wasm = findings.training && findings.training[`${model}:wasm (mlpath kernels)`];
    const stock = findings.training && findings.training[`${model}:wasm (stock tfjs kernels)`];
    const cpu = findings.training && findings.training[`${model}:cpu`];
    const tf = findings.training && findings.training[`${model}:tensorflow`];
    rows.push([
      label,
      `${sec(t)} (${r.threads} threads)`,
      wasm ? `${sec(wasm.t)} (${ratio(wasm.t, t)})` : '-',
      stock ? `${sec(stock.t)} (${ratio(stock.t, t)})` : '-',
      cpu ? `${sec(cpu.t)} (${ratio(cpu.t, t)})` : '-',
      tf ? `${sec(tf.t)} (${ratio(tf.t, t)})` : 'not available',
    ]);
  }
  table(
    [
      'model',
      `PyTorch ${findings.py.torch}`,
      'tfjs wasm, mlpath kernels',
      'tfjs wasm, stock',
      'tfjs cpu',
      'tfjs tensorflow',
    ],
    rows,
  );
}

/** The leak test is a jest test; the bench runs it so the target's state is in the same report. */
function leaks() {
  section('6. Tensor leaks across seeds');
  const jest = path.join(root, 'node_modules', 'jest', 'bin', 'jest.js');
  if (!fs.existsSync(jest)) {
    note(
      'Skipped: jest is not installed (a production install); run `npx jest test/unit/backend/memory.test.ts` in a development checkout.',
    );
    return;
  }
  const r = node([jest, 'test/unit/backend/memory.test.ts'], { cwd: root, env: { CI: '1' } });
  const lines = `${r.stdout}\n${r.stderr}`
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => /^[✓✕]/.test(l));
  findings.leaks = r.status === 0;
  if (!lines.length) throw failed('jest test/unit/backend/memory.test.ts', r);
  table(
    ['test (jest test/unit/backend/memory.test.ts)', 'result'],
    lines.map((l) => [l.replace(/^[✓✕]\s*/, '').replace(/ \(\d+ ms\)$/, ''), l.startsWith('✕') ? 'FAILED' : 'passed']),
  );
  note(
    "tf.memory() (tensors, bytes, data buffers) and the wasm backend's data ids are compared before and after training two seeds in one process, and after running the grader's train kind twice.",
  );
}

function summary() {
  section('Targets');
  const rows = [];
  if (findings.cli)
    rows.push([
      'non-training commands at most 3x node, no TensorFlow.js',
      `${findings.cli.worst.toFixed(2)}x, TensorFlow.js ${findings.cli.tfjs ? 'loaded' : 'not loaded'}`,
      findings.cli.worst <= 3 && !findings.cli.tfjs ? 'met' : 'not met',
    ]);
  if (findings.check) {
    rows.push([
      'grader overhead at most 1.3x the bare script',
      `${findings.check.overhead.toFixed(2)}x`,
      findings.check.overhead <= 1.3 ? 'met' : 'not met',
    ]);
    const peak = Math.max(findings.check.peakChild, findings.check.peakParent);
    rows.push(['peak RSS of check month2/mnist under 500 MB', `${peak.toFixed(0)} MB`, peak < 500 ? 'met' : 'not met']);
    rows.push([
      'time to feedback vs PyTorch (measured, no target)',
      findings.check.torch ? `${findings.check.torch.toFixed(2)}x` : 'PyTorch not installed',
      '-',
    ]);
  }
  if (findings.leaks !== undefined)
    rows.push(['no tensor leak across seeds', 'test/unit/backend/memory.test.ts', findings.leaks ? 'met' : 'not met']);
  table(['target', 'measured', 'status'], rows);
}

async function main() {
  if (!fs.existsSync(path.join(dist, 'cli', 'main.js'))) {
    console.error('no build in dist/: run `npm run build` first');
    process.exitCode = 1;
    return;
  }
  const started = Date.now();
  md.push(
    '# mlpath benchmarks',
    '',
    'Written by `npm run bench` (scripts/bench.js); every figure of a run is measured side by side in that run.',
  );
  environment();
  const ws = makeWorkspace();
  const data = await exportSplit();
  const steps = [
    ['cli', () => cliStart(ws)],
    ['data', () => datasetLoad()],
    ['check', () => checkVsBare(ws, data)],
    ['train', () => training()],
    ['torch', () => pytorch(data)],
    ['leaks', () => leaks()],
  ];
  for (const [name, step] of steps) {
    if (skip.has(name)) continue;
    try {
      step();
    } catch (err) {
      note(`Section failed: ${err.message}`);
    }
  }
  summary();
  md.push('', `Total bench time: ${((Date.now() - started) / 1000).toFixed(0)} s${quick ? ' (--quick)' : ''}.`, '');
  fs.writeFileSync(RESULTS, `${md.join('\n')}\n`);
  say(`\nwritten to ${path.relative(process.cwd(), RESULTS)} in ${((Date.now() - started) / 1000).toFixed(0)} s`);
}

main()
  .catch((err) => {
    console.error(err);
    process.exitCode = 1;
  })
  .finally(() => fs.rmSync(tmp, { recursive: true, force: true }));
