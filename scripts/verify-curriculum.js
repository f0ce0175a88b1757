#!/usr/bin/env node
// The curriculum self-check (rustlings' `dev check`) of the built-in
// curriculum: `mlpath validate --solutions` of the built CLI, which grades
// every built exercise's starter (it must fail) and reference solution (it
// must pass on every seed), prints baselines, values per seed, thresholds and
// margins, ends with `N/N exercises verified` and exits 1 when any is not.
//   node scripts/verify-curriculum.js [--only month2/mnist,...] [--json]
// --json also writes the rows to verify-results.json.
'use strict';
const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const root = path.resolve(__dirname, '..');
if (!fs.existsSync(path.join(root, 'dist', 'cli', 'main.js'))) {
  console.error('mlpath is not built: run `npm run build` first');
  process.exitCode = 2;
  return;
}
const args = process.argv.slice(2);
const cli = ['validate', '--solutions'];
const onlyAt = args.indexOf('--only');
if (onlyAt >= 0) cli.push('--only', args[onlyAt + 1] ?? '');
if (args.includes('--json')) cli.push('--rows', 'verify-results.json');
const child = spawnSync(process.execPath, [path.join(root, 'bin', 'mlpath'), ...cli], { cwd: root, stdio: 'inherit' });
process.exitCode = child.status ?? 2;
