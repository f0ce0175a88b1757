#!/usr/bin/env node
// The main job end to end, as a learner would run it: scaffold a workspace,
// grade the untouched MNIST starter (it fails), drop in the reference
// solution, grade again (it passes). Exits non-zero if either verdict is wrong.
'use strict';
const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const root = path.resolve(__dirname, '..');
const bin = path.join(root, 'bin', 'mlpath');
const ws = path.resolve(process.argv[2] || path.join(root, 'demo-workspace'));
const exercise = process.argv[3] || 'month2/mnist';

function mlpath(args, cwd) {
  console.log(`\n$ mlpath ${args.join(' ')}`);
  const r = spawnSync(process.execPath, [bin, ...args], { cwd, stdio: 'inherit' });
  return r.status;
}

if (!fs.existsSync(path.join(root, 'dist', 'cli', 'main.js'))) {
  console.error('mlpath is not built: run `npm ci` (or `npm run build`) first');
  process.exit(2);
}
fs.rmSync(ws, { recursive: true, force: true });
let status = mlpath(['start', ws, '--yes'], root);
if (status !== 0) process.exit(status ?? 1);

console.log('\n# 1. The untouched starter: it must fail.');
const starter = mlpath(['check', exercise], ws);

console.log('\n# 2. The reference solution copied in: it must pass.');
const [month, id] = exercise.split('/');
const solution = path.join(root, 'solutions', month, id);
for (const f of fs.readdirSync(solution)) fs.copyFileSync(path.join(solution, f), path.join(ws, month, id, f));
const reference = mlpath(['check', exercise], ws);
mlpath(['status'], ws);

const ok = starter === 1 && reference === 0;
console.log(
  `\ndemo: starter ${starter === 1 ? 'failed as expected' : `exit ${starter} (expected 1)`}, reference ${reference === 0 ? 'passed' : `exit ${reference} (expected 0)`}`,
);
process.exit(ok ? 0 : 1);
