/**
 * Preloaded by scripts/bench.js (`node -r bench/probe.js ...`): at exit,
 * writes to $MLPATH_BENCH_PROBE what the process loaded and its peak
 * resident memory. The grader's child is forked with its own execArgv, so
 * this reports the process it was preloaded into only.
 */
'use strict';
const fs = require('node:fs');
const path = require('node:path');

const out = process.env.MLPATH_BENCH_PROBE;
if (out) {
  process.on('exit', () => {
    const files = Object.keys(require.cache);
    const packages = new Set();
    for (const f of files) {
      const m = /node_modules[\\/]((?:@[^\\/]+[\\/])?[^\\/]+)/.exec(f);
      if (m) packages.add(m[1].split(path.sep).join('/'));
    }
    fs.writeFileSync(
      out,
      JSON.stringify({
        modules: files.length,
        packages: [...packages].sort(),
        tfjsLoaded: [...packages].some((p) => p.startsWith('@tensorflow/')),
        maxRssMb: process.resourceUsage().maxRSS / 1024,
      }),
    );
  });
}
