#!/usr/bin/env node
// The curriculum self-check (rustlings' `dev check`): every built exercise's
// starter must fail its check and its reference solution must pass on every
// seed, both graded by the built mlpath exactly as a learner's work is (the
// same code as `mlpath validate --solutions`). For each exercise it prints
// the baseline, the reference's value on each seed, the threshold and the
// margin (the reference's worst seed minus the threshold; positive is safe),
// and ends with `N/N exercises verified`; exits 1 when any exercise is not.
//   node scripts/verify-curriculum.js [--only month2/mnist,...] [--json]
'use strict';
const fs = require('node:fs');
const path = require('node:path');

const root = path.resolve(__dirname, '..');
const args = process.argv.slice(2);
const onlyIdx = args.indexOf('--only');
const only = onlyIdx >= 0 ? args[onlyIdx + 1].split(',') : undefined;

if (!fs.existsSync(path.join(root, 'dist', 'cli', 'main.js'))) {
  console.error('mlpath is not built: run `npm run build` first');
  process.exit(2);
}
const { run } = require(path.join(root, 'dist', 'commands', 'verify'));
const { formatVerifyRow, formatVerifySummary } = require(path.join(root, 'dist', 'reporters', 'verify'));

run({ cwd: root, only, onRow: (row) => console.log(formatVerifyRow(row)) }).then((result) => {
  if (args.includes('--json')) fs.writeFileSync(path.join(root, 'verify-results.json'), `${JSON.stringify(result.rows, null, 2)}\n`);
  console.log(formatVerifySummary(result));
  process.exitCode = result.verified === result.rows.length ? 0 : 1;
}, (err) => {
  console.error(err && err.stack ? err.stack : err);
  process.exitCode = 2;
});
