/**
 * Text for `mlpath runs`: one table per experiment, a row per run with the
 * params that differ between runs and the latest value of each metric, the
 * chosen run starred, and how to open the same runs in MLflow's UI.
 */
import chalk from 'chalk';
import type { ExperimentRuns, RunRow, RunsResult } from '../commands/runs';

function fmt(v: number | undefined): string {
  if (v === undefined) return '';
  if (Number.isNaN(v)) return 'nan';
  if (!Number.isFinite(v)) return v > 0 ? 'inf' : '-inf';
  const a = Math.abs(v);
  if (Number.isInteger(v) && a < 1e6) return String(v);
  return a !== 0 && (a < 1e-3 || a >= 1e5) ? v.toExponential(3) : v.toFixed(4);
}

function when(ms: number): string {
  const d = new Date(ms);
  const two = (n: number): string => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${two(d.getMonth() + 1)}-${two(d.getDate())} ${two(d.getHours())}:${two(d.getMinutes())}`;
}

function clip(s: string, width: number): string {
  return s.length > width ? `${s.slice(0, width - 1)}…` : s;
}

function table(head: string[], rows: string[][], rightAligned: Set<number>): string[] {
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const cell = (s: string, i: number): string => (rightAligned.has(i) ? s.padStart(widths[i]) : s.padEnd(widths[i]));
  return [head.map(cell).join('  ').trimEnd(), ...rows.map((r) => r.map(cell).join('  ').trimEnd())];
}

function experimentBlock(e: ExperimentRuns, c: chalk.Chalk): string[] {
  const shown =
    e.runs.length < e.total ? `${e.runs.length} of ${e.total} runs` : `${e.total} run${e.total === 1 ? '' : 's'}`;
  const lines = [`${c.bold(e.exercise)}  experiment ${e.experimentName} (${shown}, ${e.mlruns}/${e.experimentId})`];
  const head = ['', 'run', 'status', 'check', 'started', ...e.varying, ...e.metricKeys];
  const numeric = new Set(head.map((_, i) => i).filter((i) => i === 3 || i >= 5));
  const rows = e.runs.map((r: RunRow) => [
    r.chosen ? '*' : ' ',
    clip(r.name || r.id.slice(0, 8), 28),
    r.status,
    r.checkNumber === undefined ? '' : `#${r.checkNumber}`,
    when(r.startTime),
    ...e.varying.map((k) => clip(r.params[k] ?? '', 16)),
    ...e.metricKeys.map((k) => fmt(r.metrics[k])),
  ]);
  const [header, ...body] = table(head, rows, numeric);
  lines.push(c.dim(`  ${header}`));
  e.runs.forEach((r, i) =>
    lines.push(`  ${r.chosen ? c.green(body[i]) : r.status === 'FINISHED' ? body[i] : c.dim(body[i])}`),
  );
  const constant = Object.entries(e.constant);
  if (constant.length) lines.push(c.dim(`  same in every run: ${constant.map(([k, v]) => `${k}=${v}`).join(', ')}`));
  if (e.runs.some((r) => r.chosen))
    lines.push(c.dim(`  * chosen in its check (tag mlpath.chosen = true); check #1 is your oldest \`mlpath check\``));
  return lines;
}

export function formatRuns(r: RunsResult, color: boolean): string {
  const c = new chalk.Instance({ level: color ? 1 : 0 });
  if (r.experiments.length === 0) {
    const one = r.searched.length === 1 ? r.searched[0] : undefined;
    const tracking = one && r.trackingExercises.includes(one) ? one : r.trackingExercises[0];
    const where = one ? `${one}/mlruns` : 'the exercise folders';
    const next = tracking
      ? `\`mlpath check ${tracking}\` runs your sweep and records its runs`
      : '`mlpath status` lists the exercises of this workspace';
    return `No tracked runs in ${where} yet.\n${c.cyan('next:')} ${next}`;
  }
  const lines: string[] = [];
  for (const e of r.experiments) lines.push(...experimentBlock(e, c), '');
  if (r.unknownSort) lines.push(c.yellow(`no run logged a metric named ${r.unknownSort}: runs are shown newest first`));
  else if (r.sort)
    lines.push(c.dim(`sorted by ${r.sort.replace(/^-/, '')}, ${r.sort.startsWith('-') ? 'lowest' : 'highest'} first`));
  const first = r.experiments[0];
  lines.push(
    `${c.cyan('next:')} open them in MLflow: cd ${first.mlruns.replace(/\/mlruns$/, '')} && mlflow ui --backend-store-uri ./mlruns`,
  );
  return lines.join('\n');
}
