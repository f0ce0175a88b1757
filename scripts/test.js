#!/usr/bin/env node
/**
 * `npm test`: every guarantee in order, stopping at the first that fails.
 *   build, typecheck (src and test), lint (eslint), format:check (prettier),
 *   verify:curriculum (every starter fails, every reference passes), jest.
 * Arguments go to jest: `npm test -- test/unit/cli` still runs every step
 * before it. The last line is `N passed, N failed`: jest's tests, printed by
 * test/summary-reporter.js; a step that fails before jest, or a jest that
 * ends without a summary, is reported above it and counts as one failure.
 */
'use strict';
const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const root = path.resolve(__dirname, '..');
const STEPS = ['build', 'typecheck', 'lint', 'format:check', 'verify:curriculum'];

/** The npm that started this script (npm_execpath), else the one on PATH. */
function npmRun(script) {
  const npm = process.env.npm_execpath;
  const [cmd, args] = npm ? [process.execPath, [npm]] : ['npm', []];
  return spawnSync(cmd, [...args, 'run', '--silent', script], {
    cwd: root,
    stdio: 'inherit',
    shell: !npm && process.platform === 'win32',
  });
}

function seconds(since) {
  return `${Math.round((Date.now() - since) / 1000)} s`;
}

function stop(message) {
  process.stderr.write(`\nnpm test: ${message}\n0 passed, 1 failed\n`);
  process.exit(1);
}

for (const [i, step] of STEPS.entries()) {
  const started = Date.now();
  console.log(`\nnpm test: ${step} (${i + 1}/${STEPS.length + 1})`);
  const r = npmRun(step);
  if (r.error) stop(`could not start \`npm run ${step}\`: ${r.error.message}`);
  if (r.status !== 0) {
    const how = r.signal ? `was killed by ${r.signal}` : `exited with code ${r.status}`;
    stop(`\`npm run ${step}\` ${how} after ${seconds(started)}; the steps after it did not run`);
  }
  console.log(`npm test: ${step} passed in ${seconds(started)}`);
}

console.log(`\nnpm test: jest (${STEPS.length + 1}/${STEPS.length + 1})`);
const summaryFile = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'mlpath-test-')), 'summary.json');
const jest = spawnSync(process.execPath, [require.resolve('jest/bin/jest'), ...process.argv.slice(2)], {
  cwd: root,
  stdio: 'inherit',
  env: { ...process.env, MLPATH_TEST_SUMMARY: summaryFile },
});
const summary = fs.existsSync(summaryFile) ? JSON.parse(fs.readFileSync(summaryFile, 'utf8')) : undefined;
fs.rmSync(path.dirname(summaryFile), { recursive: true, force: true });
if (!summary) {
  const how = jest.error ? jest.error.message : jest.signal ? `killed by ${jest.signal}` : `exit code ${jest.status}`;
  stop(`jest ended without a summary (${how})`);
}
if (jest.status !== 0 && summary.failed === 0) {
  // No test failed, yet jest did (no tests matched, a failing global setup): the last line must not read as a pass.
  process.stderr.write(`\nnpm test: jest exited with code ${jest.status} though no test failed\n`);
  process.stderr.write(`${summary.passed} passed, 1 failed\n`);
}
// Otherwise the reporter printed the last line.
process.exitCode = jest.status ?? 1;
