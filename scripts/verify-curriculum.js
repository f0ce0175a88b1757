#!/usr/bin/env node
// The curriculum self-check (rustlings' `dev check`): every built exercise's
// starter must fail its check and its reference solution must pass, both
// graded by the built CLI exactly as a learner's work is. Prints a table and
// ends with `N/N exercises verified`; exits 1 when any exercise is not.
//   node scripts/verify-curriculum.js [--only month2/mnist,...] [--json]
'use strict';
const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const root = path.resolve(__dirname, '..');
const bin = path.join(root, 'bin', 'mlpath');
const args = process.argv.slice(2);
const onlyIdx = args.indexOf('--only');
const only = onlyIdx >= 0 ? new Set(args[onlyIdx + 1].split(',')) : undefined;

if (!fs.existsSync(path.join(root, 'dist', 'cli', 'main.js'))) {
  console.error('mlpath is not built: run `npm run build` first');
  process.exit(2);
}
const { loadCurriculum } = require(path.join(root, 'dist', 'curriculum'));
const curriculum = loadCurriculum();
const ready = curriculum.exercises.filter((e) => e.status === 'ready' && (!only || only.has(e.key)));

function check(ws, key) {
  const r = spawnSync(process.execPath, [bin, 'check', key, '--json'], { cwd: ws, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  let result;
  try {
    result = JSON.parse(r.stdout).results[0];
  } catch {
    result = undefined;
  }
  return { code: r.status, result, stderr: r.stderr };
}

function describe(result) {
  if (!result) return 'no result';
  if (result.error) return `${result.status} (${result.error.kind}: ${result.error.message.split('\n')[0].slice(0, 60)})`;
  return `${result.status} ${result.metrics.map((m) => `${m.name}=${m.value === null ? 'n/a' : m.value.toFixed(4)}`).join(' ')}`;
}

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'mlpath-verify-'));
const workspaces = new Map();
function workspaceFor(ex) {
  const track = ex.track || curriculum.defaultTrack || '';
  if (!workspaces.has(track)) {
    const ws = path.join(tmp, `ws-${track || 'default'}`);
    const startArgs = ['start', ws, '--yes', ...(track ? ['--track', track] : [])];
    const r = spawnSync(process.execPath, [bin, ...startArgs], { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`mlpath start failed: ${r.stderr}`);
    workspaces.set(track, ws);
  }
  return workspaces.get(track);
}

const rows = [];
let verified = 0;
try {
  for (const ex of ready) {
    const ws = workspaceFor(ex);
    const dir = path.join(ws, ...ex.key.split('/'));
    const t0 = Date.now();
    const starter = check(ws, ex.key);
    const starterSeconds = (Date.now() - t0) / 1000;
    const starterOk = starter.code === 1 && starter.result && starter.result.status !== 'passed';
    for (const f of fs.readdirSync(ex.solutionDir, { recursive: true })) {
      const from = path.join(ex.solutionDir, f);
      if (fs.statSync(from).isDirectory()) continue;
      fs.mkdirSync(path.dirname(path.join(dir, f)), { recursive: true });
      fs.copyFileSync(from, path.join(dir, f));
    }
    const t1 = Date.now();
    const solution = check(ws, ex.key);
    const solutionSeconds = (Date.now() - t1) / 1000;
    const solutionOk = solution.code === 0 && solution.result && solution.result.status === 'passed';
    if (starterOk && solutionOk) verified++;
    rows.push({ key: ex.key, starterOk, solutionOk, starter: describe(starter.result), solution: describe(solution.result), starterSeconds, solutionSeconds });
    const mark = starterOk && solutionOk ? 'ok  ' : 'FAIL';
    console.log(`${mark} ${ex.key.padEnd(28)} starter: ${describe(starter.result).padEnd(48)} ${starterSeconds.toFixed(1).padStart(5)} s | reference: ${describe(solution.result)} ${solutionSeconds.toFixed(1)} s`);
    if (!solutionOk && solution.result && solution.result.output) console.log(solution.result.output.split('\n').slice(-10).map((l) => `       | ${l}`).join('\n'));
    if (!solution.result) console.log(solution.stderr.split('\n').slice(-10).join('\n'));
  }
} finally {
  fs.rmSync(tmp, { recursive: true, force: true });
}
if (args.includes('--json')) fs.writeFileSync(path.join(root, 'verify-results.json'), JSON.stringify(rows, null, 2));
console.log(`${verified}/${ready.length} exercises verified`);
process.exit(verified === ready.length ? 0 : 1);
