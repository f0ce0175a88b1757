#!/usr/bin/env node
/**
 * Dataset load times, cold (parse the package, write the cache) and warm
 * (read the binary cache), each in a fresh Node process as a CLI run would
 * be, in a temporary cache folder. Needs a build: `npm run build` first.
 *
 *   node bench/datasets-bench.js [--json] [id ...]     (default: mnist spam)
 *
 * MLPATH_BENCH_DIST points at another build output (default: dist/).
 */
'use strict';
const { execFileSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const dist = path.resolve(process.env.MLPATH_BENCH_DIST || path.join(__dirname, '..', 'dist'));
const args = process.argv.slice(2);
const asJson = args.includes('--json');
const ids = args.filter((a) => !a.startsWith('--'));
if (ids.length === 0) ids.push('mnist', 'spam');
const RUNS = 5;

// Runs in the child: one load, timed from before require() to the returned dataset.
const child = `
const t0 = process.hrtime.bigint();
const { loadDataset } = require(${JSON.stringify(path.join(dist, 'datasets'))});
loadDataset(process.argv[1]).then((ds) => {
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  process.stdout.write(JSON.stringify({ ms, n: ds.n }));
});`;

function loadOnce(id, cacheDir) {
  const out = execFileSync(process.execPath, ['-e', child, id], {
    env: { ...process.env, MLPATH_CACHE_DIR: cacheDir, MLPATH_MNIST_FULL: '' },
    encoding: 'utf8',
  });
  return JSON.parse(out);
}

function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

if (!fs.existsSync(path.join(dist, 'datasets', 'index.js'))) {
  console.error(`no build at ${dist}: run \`npm run build\` first`);
  process.exitCode = 1;
} else {
  const results = [];
  for (const id of ids) {
    const cold = [];
    const warm = [];
    let n = 0;
    for (let run = 0; run < RUNS; run++) {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mlpath-bench-'));
      try {
        const first = loadOnce(id, dir);
        cold.push(first.ms);
        n = first.n;
        warm.push(loadOnce(id, dir).ms);
      } finally {
        fs.rmSync(dir, { recursive: true, force: true });
      }
    }
    results.push({ id, n, coldMs: Math.round(median(cold)), warmMs: Math.round(median(warm)), runs: RUNS });
  }
  if (asJson) console.log(JSON.stringify(results, null, 2));
  else {
    console.log(`dataset load, median of ${RUNS} fresh processes (includes require of the datasets layer)`);
    for (const r of results)
      console.log(
        `${r.id.padEnd(16)} n=${String(r.n).padEnd(7)} cold ${String(r.coldMs).padStart(6)} ms   warm ${String(r.warmMs).padStart(5)} ms`,
      );
  }
}
