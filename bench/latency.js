/**
 * Feedback that does not train (issue 18): the wall time of `mlpath check`
 * of exercises that run the learner's functions (month1/tensors,
 * month2/evaluation), and how soon `mlpath watch` starts a re-check after a
 * save.
 *
 * The watch is spawned with pipes, not a terminal: it prints the same
 * "checking <id> (saved: <file>)..." line either way. Each save waits until
 * the previous check has printed its result and the output has been quiet,
 * so a save never lands in a running check (which would measure the
 * cancellation instead).
 */
'use strict';
const { spawn } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');
const { bin, failed, median, mlpath, ms, note, section, table } = require('./lib');

const NON_TRAINING = ['month1/tensors', 'month2/evaluation'];

function nonTrainingChecks(ws, runs) {
  section('7. mlpath check of exercises that do not train (reference solutions)');
  const results = {};
  const rows = [];
  for (const id of NON_TRAINING) {
    const walls = [];
    for (let i = 0; i < runs; i++) {
      const r = mlpath(['check', id], { cwd: ws });
      if (r.status !== 0) throw failed(`mlpath check ${id}`, r);
      walls.push(r.seconds);
    }
    results[id] = median(walls);
    rows.push([id, ms(median(walls) * 1000), ms(Math.min(...walls) * 1000), ms(Math.max(...walls) * 1000)]);
  }
  table(['exercise', `wall, median of ${runs}`, 'fastest', 'slowest'], rows);
  note(
    'Each is the whole `mlpath check <id>` process in a workspace holding the reference: CLI start, curriculum, compile (esbuild) and type check of the learner file, the grader child with TensorFlow.js, the report written to .mlpath/. Target: under 1.0 s each.',
  );
  return results;
}

/** Resolves when `test(output)` holds, or rejects after `seconds`. */
function waitFor(state, test, seconds, what) {
  return new Promise((resolve, reject) => {
    const started = Date.now();
    const poll = () => {
      if (test(state.out)) return resolve();
      if (state.closed)
        return reject(new Error(`mlpath watch exited while waiting for ${what}: ${state.out.slice(-300)}`));
      if (Date.now() - started > seconds * 1000)
        return reject(new Error(`no ${what} within ${seconds} s: ${state.out.slice(-300)}`));
      setTimeout(poll, 5);
    };
    poll();
  });
}

/** Waits until the output has not grown for `quietMs`. */
async function settle(state, quietMs) {
  let length = -1;
  while (length !== state.out.length) {
    length = state.out.length;
    await new Promise((r) => setTimeout(r, quietMs));
  }
}

async function watchLatency(ws, id, saves) {
  section(`8. mlpath watch ${id}: from a save to the re-check`);
  const file = path.join(ws, id, `${id.split('/')[1]}.ts`);
  const original = fs.readFileSync(file, 'utf8');
  const child = spawn(process.execPath, [bin, 'watch', id], { cwd: ws, stdio: ['pipe', 'pipe', 'pipe'] });
  const state = { out: '', closed: false, at: [] };
  const marker = `checking ${id} (saved:`;
  child.stdout.on('data', (d) => {
    const now = process.hrtime.bigint();
    const before = state.out.split(marker).length;
    state.out += d.toString('utf8');
    for (let k = before; k < state.out.split(marker).length; k++) state.at.push(now);
  });
  child.stderr.on('data', (d) => (state.out += d.toString('utf8')));
  child.on('close', () => (state.closed = true));
  const results = (s) => (s.match(/checked at /g) || []).length;
  const latencies = [];
  try {
    // The first check starts with the watch; its result means the watch is idle.
    await waitFor(state, (s) => results(s) >= 1, 120, 'first check result');
    for (let i = 0; i < saves; i++) {
      await settle(state, 300);
      const seen = state.at.length;
      const t0 = process.hrtime.bigint();
      fs.writeFileSync(file, `${original}\n// bench save ${i + 1}\n`);
      await waitFor(state, () => state.at.length > seen, 30, `"${marker}" line`);
      latencies.push(Number(state.at[seen] - t0) / 1e6);
      await waitFor(state, (s) => results(s) >= i + 2, 120, `result of re-check ${i + 1}`);
    }
  } finally {
    child.kill('SIGTERM');
    fs.writeFileSync(file, original);
  }
  const m = median(latencies);
  table(
    ['saves', 'median', 'fastest', 'slowest'],
    [[String(saves), ms(m), ms(Math.min(...latencies)), ms(Math.max(...latencies))]],
  );
  note(
    `Measured from just before the file is written to the arrival, on the watch's stdout (a pipe), of the "${marker} ...)" line; each save waits for the previous check's result. The watch debounces saves (watchDefaults.debounceMs in src/commands/watch.ts), which this time includes. Target: within 150 ms.`,
  );
  return { median: m, latencies };
}

module.exports = { nonTrainingChecks, watchLatency, NON_TRAINING };
