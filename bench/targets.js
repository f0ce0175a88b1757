/**
 * Issue 18's targets, one row each: the measured value, its ratio to the
 * bound (a time limit) or to the reference measured side by side (PyTorch),
 * and met / not met. Built from what the sections found; a target whose
 * section was skipped or failed says so rather than guessing.
 */
'use strict';
const { ms, sec } = require('./lib');

function row(target, measured, against, value, bound) {
  if (value === undefined || Number.isNaN(value)) return [target, measured, against, '-', 'not measured'];
  return [
    target,
    measured,
    against,
    `${value.toFixed(2)}x (bound ${bound.toFixed(2)}x)`,
    value <= bound ? 'met' : 'NOT met',
  ];
}

const MISSING = 'not measured';

/**
 * The PyTorch targets are set against PyTorch on OpenBLAS. Debian's
 * python3-torch alone links the reference BLAS, several times slower: a ratio
 * against it would call a target met that is not.
 */
function againstOpenBlas(f, cells) {
  const blas = f.torchProcess && f.torchProcess.blas;
  if (blas === undefined || /openblas/i.test(blas) || cells[4] === MISSING) return cells;
  return [...cells.slice(0, 4), 'not comparable: PyTorch is not on OpenBLAS (apt-get install libopenblas0-pthread)'];
}

function targetRows(f) {
  const rows = [];
  const c = f.allSeeds;
  rows.push(
    againstOpenBlas(
      f,
      c && c.torch
        ? row(
            `1. mlpath check month2/mnist, all seeds (${c.seeds.join(', ')}), at most 1.0x PyTorch`,
            sec(c.check),
            `PyTorch process ${sec(c.torch)}`,
            c.ratio,
            1.0,
          )
        : row('1. mlpath check month2/mnist, all seeds, at most 1.0x PyTorch', c ? 'PyTorch missing' : MISSING, '-'),
    ),
  );
  for (const [model, label, bound] of [
    ['mlp', 'MLP', 1.5],
    ['cnn', 'CNN', 1.0],
  ]) {
    // The pairs run back to back (section 5); they replaced a ratio of sections 4 and 5, minutes apart.
    const pair = f.trainPairs && f.trainPairs[model];
    rows.push(
      againstOpenBlas(
        f,
        pair
          ? row(
              `2. ${label} training on wasm at most ${bound.toFixed(1)}x PyTorch`,
              `${sec(pair.ours)} (median of pairs)`,
              `PyTorch ${sec(pair.torch)}`,
              pair.ratio,
              bound,
            )
          : row(`2. ${label} training on wasm at most ${bound.toFixed(1)}x PyTorch`, MISSING, '-'),
      ),
    );
  }
  for (const id of ['month1/tensors', 'month2/evaluation']) {
    const wall = f.nonTraining && f.nonTraining[id];
    rows.push(
      row(`3. mlpath check ${id} under 1.0 s`, wall === undefined ? MISSING : ms(wall * 1000), '1.0 s', wall, 1.0),
    );
  }
  const w = f.watch;
  rows.push(
    row(
      '3. mlpath watch: re-check within 150 ms of a save',
      w ? `${ms(w.median)} (median of ${w.latencies.length})` : MISSING,
      '150 ms',
      w ? w.median / 150 : undefined,
      1.0,
    ),
  );
  const g = f.grade;
  rows.push(
    row(
      '4. mlpath grade --jobs 2 of a full workspace, at most 30 s',
      g ? `${sec(g.wall)} (${g.passed}/${g.exercises} passed; slowest ${g.slowest.join(', ')})` : MISSING,
      '30 s',
      g ? g.wall / 30 : undefined,
      1.0,
    ),
  );
  const peak = f.check ? Math.max(f.check.peakChild, f.check.peakParent) : undefined;
  rows.push(
    row(
      '5. peak memory of mlpath check month2/mnist under 500 MB',
      peak === undefined ? MISSING : `${peak.toFixed(0)} MB (largest process)`,
      '500 MB',
      peak === undefined ? undefined : peak / 500,
      1.0,
    ),
  );
  return rows;
}

const HEADER = ['target', 'measured', 'bound or reference', 'ratio', 'status'];

module.exports = { targetRows, HEADER };
