/**
 * `mlpath validate --solutions` and `npm run verify:curriculum`: the
 * curriculum self-check an instructor runs on their own course. For every
 * built exercise, the untouched starter must not pass and the reference
 * solution must pass on every seed, graded by the same code as a learner's
 * work, in a scratch workspace per track. Each row also carries what an
 * author needs to set thresholds: the baseline, the reference's value on
 * each seed, and the margin between its worst seed and the threshold.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { writeJsonAtomic } from '../atomic-write';
import { defaultCurriculumPath, loadCurriculum } from '../curriculum';
import { baselineValue } from '../curriculum/schema';
import type { ExerciseResult } from '../grader/result';
import { margin } from '../grader/verdict';

export interface VerifyOptions {
  cwd: string;
  file?: string;
  only?: string[];
  /** Also write the rows as JSON to this file (relative to `cwd`). */
  rowsFile?: string;
  onRow?: (row: VerifyRow) => void;
}

/** One metric of one exercise, as the author sets its threshold. */
export interface VerifyMetric {
  /** `name`, or `name@k` for a ranking metric. */
  name: string;
  min?: number;
  max?: number;
  /** The curriculum's baseline, when it gives one. */
  baseline?: number;
  /** The starter's value (its worst seed's with several). */
  starter?: number | null;
  /** The reference's value on each seed, in the order of `seeds`; empty when it did not run to the end. */
  reference: (number | null)[];
  /** The reference's worst seed minus the threshold, signed so that positive is safe; undefined without a result. */
  margin?: number;
}

export interface VerifyRow {
  exercise: string;
  seeds: number[];
  baselineLabel?: string;
  metrics: VerifyMetric[];
  starter: ExerciseResult;
  reference: ExerciseResult;
  /** What is wrong with the exercise; empty when verified. */
  problems: string[];
  ok: boolean;
}

export interface VerifyResult {
  file: string;
  rows: VerifyRow[];
  verified: number;
  /** The metric whose reference margin is smallest relative to its threshold: the first to tighten or fix. */
  tightest?: { exercise: string; metric: string; margin: number; relative: number };
}

export function tightestMargin(rows: VerifyRow[]): VerifyResult['tightest'] {
  let tightest: VerifyResult['tightest'];
  for (const row of rows) {
    for (const m of row.metrics) {
      // A threshold the reference meets exactly asks for a perfect score (every case of a suite): no noise to guard against.
      if (m.margin === undefined || m.margin === 0) continue;
      const relative = m.margin / (Math.abs(m.min ?? m.max ?? 1) || 1);
      if (!tightest || relative < tightest.relative)
        tightest = { exercise: row.exercise, metric: m.name, margin: m.margin, relative };
    }
  }
  return tightest;
}

function copyTree(from: string, to: string): void {
  for (const entry of fs.readdirSync(from, { withFileTypes: true })) {
    const src = path.join(from, entry.name);
    const dst = path.join(to, entry.name);
    if (entry.isDirectory()) {
      fs.mkdirSync(dst, { recursive: true });
      copyTree(src, dst);
    } else {
      fs.copyFileSync(src, dst);
    }
  }
}

/** The row of one exercise from its two results; exported for tests. */
export function verifyRow(
  ex: {
    key: string;
    seeds: number[];
    metrics: { name: string; min?: number; max?: number; k?: number }[];
    baseline?: { label: string; metrics: Record<string, number> };
  },
  starter: ExerciseResult,
  reference: ExerciseResult,
): VerifyRow {
  const same = (a: { name: string; k?: number }, b: { name: string; k?: number }): boolean =>
    a.name === b.name && a.k === b.k;
  // The curriculum's metrics, then the checks a kind adds of its own (a service's latency, a sweep's runs).
  const specs = [...ex.metrics, ...reference.metrics.filter((m) => !ex.metrics.some((spec) => same(spec, m)))];
  const metrics = specs.map((spec): VerifyMetric => {
    const ref = reference.metrics.find((m) => same(m, spec));
    const worst = ref?.value;
    return {
      name: spec.k !== undefined ? `${spec.name}@${spec.k}` : spec.name,
      min: spec.min,
      max: spec.max,
      baseline: baselineValue(ex.baseline, spec),
      starter: starter.metrics.find((m) => same(m, spec))?.value,
      reference: ref ? (ref.values ?? [ref.value]) : [],
      margin: worst === null || worst === undefined ? undefined : margin(spec, worst),
    };
  });
  const problems: string[] = [];
  if (starter.status === 'passed') problems.push('the starter passes: it must fail until the learner does the work');
  if (reference.status === 'error')
    problems.push(`the reference solution errs (${reference.error?.kind}: ${reference.error?.message.split('\n')[0]})`);
  else if (reference.status !== 'passed') {
    const missed = reference.metrics
      .filter((m) => !m.passed)
      .map((m) => (m.k !== undefined ? `${m.name}@${m.k}` : m.name));
    const why = reference.output?.trim().split('\n').slice(-3).join(' / ');
    problems.push(
      `the reference solution fails: ${missed.length ? `it misses ${missed.join(', ')} on at least one seed` : 'a check of the kind failed'}${why ? ` (${why.slice(0, 400)})` : ''}`,
    );
  }
  return {
    exercise: ex.key,
    seeds: reference.seeds ?? [reference.seed],
    baselineLabel: ex.baseline?.label,
    metrics,
    starter,
    reference,
    problems,
    ok: problems.length === 0,
  };
}

export async function run(opts: VerifyOptions): Promise<VerifyResult> {
  const file = path.resolve(opts.cwd, opts.file ?? defaultCurriculumPath());
  const curriculum = loadCurriculum(file);
  const { run: start } = await import('./start');
  const { run: check } = await import('./check');
  const ready = curriculum.exercises.filter((e) => e.status === 'ready' && (!opts.only || opts.only.includes(e.key)));
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'mlpath-verify-'));
  const workspaces = new Map<string, string>();
  const rows: VerifyRow[] = [];
  try {
    for (const ex of ready) {
      const track = ex.track ?? curriculum.defaultTrack ?? '';
      let ws = workspaces.get(track);
      if (!ws) {
        ws = path.join(tmp, `ws-${track || 'default'}`);
        await start({ cwd: tmp, dir: ws, curriculum: file, track: track || undefined });
        workspaces.set(track, ws);
      }
      const grade = async (): Promise<ExerciseResult> =>
        (await check({ cwd: ws, ids: [ex.key], record: false, curriculum: file })).results[0];
      const starter = await grade();
      if (ex.solutionDir) copyTree(ex.solutionDir, path.join(ws, ...ex.key.split('/')));
      const reference = await grade();
      const row = verifyRow(ex, starter, reference);
      rows.push(row);
      opts.onRow?.(row);
    }
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
  if (opts.rowsFile) writeJsonAtomic(path.resolve(opts.cwd, opts.rowsFile), rows);
  return { file, rows, verified: rows.filter((r) => r.ok).length, tightest: tightestMargin(rows) };
}
