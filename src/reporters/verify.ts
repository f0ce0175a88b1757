/**
 * The curriculum self-check as text: per exercise a verdict line, then one
 * line per metric with the baseline, the reference on each seed, the
 * threshold and the margin (the reference's worst seed minus the threshold,
 * positive when safe), then what is wrong, if anything.
 */
import type { VerifyMetric, VerifyResult, VerifyRow } from '../commands/verify';
import type { ExerciseResult } from '../grader/result';

function num(v: number | null | undefined): string {
  if (v === null || v === undefined || Number.isNaN(v)) return 'n/a';
  const a = Math.abs(v);
  if (a !== 0 && (a < 1e-3 || a >= 1e5)) return v.toExponential(2);
  return v.toFixed(4);
}

function signed(v: number | undefined): string {
  if (v === undefined) return 'n/a';
  return `${v >= 0 ? '+' : ''}${num(v)}`;
}

function threshold(m: VerifyMetric): string {
  return [m.min !== undefined ? `>= ${num(m.min)}` : '', m.max !== undefined ? `<= ${num(m.max)}` : '']
    .filter(Boolean)
    .join(', ');
}

function status(r: ExerciseResult): string {
  const secs = `${(r.durationMs / 1000).toFixed(1)} s`;
  return r.error ? `${r.status} (${r.error.kind}), ${secs}` : `${r.status}, ${secs}`;
}

function pad(s: string, n: number): string {
  return s.length >= n ? s : s + ' '.repeat(n - s.length);
}

export function formatVerifyRow(row: VerifyRow): string {
  const lines = [
    `${row.ok ? 'ok  ' : 'FAIL'} ${row.exercise.padEnd(28)} starter: ${status(row.starter)} | reference: ${status(row.reference)} | seeds ${row.seeds.join(', ')}`,
  ];
  const head = [
    'metric',
    'baseline',
    'starter',
    `reference (seed${row.seeds.length > 1 ? 's' : ''} ${row.seeds.join(', ')})`,
    'threshold',
    'margin',
  ];
  const cells = row.metrics.map((m) => [
    m.name,
    num(m.baseline),
    num(m.starter),
    m.reference.length ? m.reference.map(num).join(' ') : 'n/a',
    threshold(m),
    signed(m.margin),
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i].length)) + 2);
  if (cells.length) {
    lines.push(`       ${head.map((h, i) => pad(h, widths[i])).join('')}`.trimEnd());
    for (const c of cells) lines.push(`       ${c.map((cell, i) => pad(cell, widths[i])).join('')}`.trimEnd());
  }
  if (row.baselineLabel) lines.push(`       baseline: ${row.baselineLabel}`);
  else if (cells.length)
    lines.push("       baseline: none in the curriculum (add `baseline:` with a trivial predictor's score)");
  for (const p of row.problems) lines.push(`       ! ${p}`);
  return lines.join('\n');
}

/** The closing line, naming the exercise closest to failing its own reference. */
export function formatVerifySummary(result: VerifyResult): string {
  const t = result.tightest;
  const closest = t
    ? `; tightest margin: ${t.exercise} ${t.metric} ${signed(t.margin)} (${(t.relative * 100).toFixed(1)}% of its threshold)`
    : '';
  return `${result.verified}/${result.rows.length} exercises verified${closest}`;
}
