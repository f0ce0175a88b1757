/**
 * Helpers the bench's sections share (scripts/bench.js and bench/*.js):
 * running a process and timing it, medians and formats, and the report,
 * printed as it goes and kept as Markdown for bench/results.md.
 */
'use strict';
const { spawnSync } = require('node:child_process');
const path = require('node:path');

const root = path.resolve(__dirname, '..');
const bin = path.join(root, 'bin', 'mlpath');
const dist = path.join(root, 'dist');

/** The Markdown of bench/results.md, in the order the sections ran. */
const md = [];

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

function table(header, rows, out = md) {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => String(r[i]).length)));
  const line = (cells) => cells.map((c, i) => String(c).padEnd(widths[i])).join('  ');
  say(line(header));
  for (const r of rows) say(line(r));
  out.push(`| ${header.join(' | ')} |`, `| ${header.map(() => '---').join(' | ')} |`);
  for (const r of rows) out.push(`| ${r.join(' | ')} |`);
  out.push('');
}

function note(text, out = md) {
  say(`  ${text}`);
  out.push(text, '');
}

/** Runs a command to completion; returns wall seconds, stdout, status. */
function run(cmd, argv, opts = {}) {
  const t0 = process.hrtime.bigint();
  const r = spawnSync(cmd, argv, {
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
    ...opts,
    env: opts.fullEnv || { ...process.env, ...opts.env },
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

/** month2/mnist and the others as the built curriculum declares them (seeds, split, kind). */
function exercise(id) {
  const { loadCurriculum, defaultCurriculumPath } = require(path.join(dist, 'curriculum'));
  const ex = loadCurriculum(defaultCurriculumPath()).exercises.find((e) => e.key === id);
  if (!ex) throw new Error(`${id} is not in the built curriculum`);
  return ex;
}

module.exports = {
  root,
  bin,
  dist,
  md,
  median,
  ms,
  sec,
  ratio,
  say,
  section,
  table,
  note,
  run,
  lastJson,
  node,
  mlpath,
  failed,
  exercise,
};
