/**
 * `mlpath grade --jobs 2` of one full workspace (issue 18): made by
 * `mlpath start --yes`, every exercise folder it holds overwritten with that
 * exercise's reference solution (solutions/), then graded as an instructor
 * would: every exercise, every seed the curriculum gives it.
 */
'use strict';
const fs = require('node:fs');
const path = require('node:path');
const { dist, failed, mlpath, note, section, sec, table } = require('./lib');

/** A workspace of the default track with every exercise's reference copied in; returns its folder and the ids copied. */
function referenceWorkspace(dir) {
  const r = mlpath(['start', dir, '--yes']);
  if (!fs.existsSync(path.join(dir, 'mlpath.json'))) throw failed('mlpath start', r);
  const { loadCurriculum, defaultCurriculumPath } = require(path.join(dist, 'curriculum'));
  const copied = [];
  for (const ex of loadCurriculum(defaultCurriculumPath()).exercises) {
    const target = path.join(dir, ...ex.key.split('/'));
    if (!fs.existsSync(target) || !ex.solutionDir || !fs.existsSync(ex.solutionDir)) continue;
    fs.cpSync(ex.solutionDir, target, { recursive: true });
    copied.push(ex.key);
  }
  return copied;
}

function gradeWorkspace(tmp, jobs) {
  section(`9. mlpath grade --jobs ${jobs} of a full workspace (every reference, every seed)`);
  const ws = path.join(tmp, 'grade-ws');
  const copied = referenceWorkspace(ws);
  const json = path.join(tmp, 'grade.json');
  const r = mlpath(['grade', ws, '--jobs', String(jobs), '--json', json, '--csv', path.join(tmp, 'grade.csv')]);
  if (r.status !== 0 || !fs.existsSync(json)) throw failed('mlpath grade', r);
  const grade = JSON.parse(fs.readFileSync(json, 'utf8')).grades[0];
  const results = grade.results;
  const passed = results.filter((x) => x.status === 'passed').length;
  const seedRuns = results.reduce((a, x) => a + (x.seeds ? x.seeds.length : 1), 0);
  const slowest = [...results].sort((a, b) => b.durationMs - a.durationMs);
  table(
    ['workspace', 'exercises', 'passed', 'seed runs', 'grade wall (whole process)', 'workspace durationMs'],
    [
      [
        `track ${grade.track}`,
        String(results.length),
        String(passed),
        String(seedRuns),
        sec(r.seconds),
        sec(grade.durationMs / 1000),
      ],
    ],
  );
  const summed = results.reduce((a, x) => a + x.durationMs, 0) / 1000;
  slowestTable(slowest, summed * 1000);
  const failedIds = results.filter((x) => x.status !== 'passed').map((x) => `${x.exercise} (${x.status})`);
  note(
    `The workspace is \`mlpath start --yes\` (track ${grade.track}) with the reference of each of its ${copied.length} exercises copied in; \`mlpath grade ${'<ws>'} --jobs ${jobs}\` grades the workspace, each exercise on all its seeds, exercises side by side while their grader children fit on the cores (the exercises' own durations add up to ${sec(summed)}, in ${sec(grade.durationMs / 1000)} of wall time). Target: at most 30 s per workspace.${failedIds.length ? ` Not passed: ${failedIds.join(', ')}.` : ''}`,
  );
  return {
    wall: r.seconds,
    workspaceSeconds: grade.durationMs / 1000,
    exercises: results.length,
    passed,
    slowest: slowest.slice(0, 3).map((x) => `${x.exercise} ${sec(x.durationMs / 1000)}`),
  };
}

/** The slowest exercises and their running share of the sum of all exercises' durations. */
function slowestTable(slowest, totalMs) {
  let cumulative = 0;
  const rows = slowest.slice(0, 8).map((x) => {
    cumulative += x.durationMs;
    return [
      x.exercise,
      x.status,
      x.seeds ? x.seeds.join(', ') : String(x.seed ?? '-'),
      sec(x.durationMs / 1000),
      `${((100 * cumulative) / totalMs).toFixed(0)}%`,
    ];
  });
  table(['slowest exercises', 'status', 'seeds', 'duration', 'cumulative share of all durations'], rows);
}

module.exports = { gradeWorkspace, referenceWorkspace };
