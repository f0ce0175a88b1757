/**
 * Human output of `mlpath check`: a metric table (baseline, value, each
 * seed's value, threshold, margin, verdict), the error with the learner's
 * own frames, the coach's diagnoses, the tail of what the learner printed,
 * and the next command worth running.
 */
import * as path from 'node:path';
import chalk from 'chalk';
import { countStatuses, type ExerciseResult, type MetricResult } from '../grader/result';
import { foldLines, visibleWidth } from './wrap';

export interface TerminalOptions {
  color: boolean;
  cwd: string;
  frames?: string[];
  curve?: Record<string, number>[];
  /** Fold prose (the error, notes, the coach, next) to this width: a terminal's; unset when piped. */
  columns?: number;
}

/** Lines of `text` starting with `first`, folded to `columns` when set (continuations start with `rest`). */
function prose(text: string, columns: number | undefined, first: string, rest: string): string[] {
  return columns ? foldLines(text, columns, first, rest) : [`${first}${text}`];
}

function fmt(v: number | null | undefined): string {
  if (v === null || v === undefined || Number.isNaN(v)) return 'n/a';
  const a = Math.abs(v);
  if (a !== 0 && (a < 1e-3 || a >= 1e5)) return v.toExponential(3);
  return v.toFixed(4);
}

function threshold(m: MetricResult): string {
  const parts: string[] = [];
  if (m.min !== undefined) parts.push(`>= ${fmt(m.min)}`);
  if (m.max !== undefined) parts.push(`<= ${fmt(m.max)}`);
  return parts.join(', ');
}

function gap(m: MetricResult): string {
  if (m.value === null) return '';
  const g = m.min !== undefined ? m.value - m.min : m.max !== undefined ? m.max - m.value : undefined;
  if (g === undefined) return '';
  return `${g >= 0 ? '+' : ''}${margin(g)}`;
}

/**
 * A margin in its metric's own format: the 4 decimals of the value beside it (`-0.0005`, never `-5.000e-4`),
 * more only when 4 would round a real miss to zero.
 */
export function margin(g: number): string {
  const a = Math.abs(g);
  if (a >= 1e5) return fmt(g);
  const decimals = a === 0 || a >= 5e-5 ? 4 : Math.min(12, -Math.floor(Math.log10(a)));
  return g.toFixed(decimals);
}

/**
 * A location as every terminal line writes it: the workspace-relative path with forward slashes (the exercise's
 * id is its folder), `:line`, and `:column` where known.
 */
export function location(file: string, exercise: string, cwd: string, line?: number, column?: number): string {
  const norm = file.split(path.sep).join('/');
  const marker = `/${exercise}/`;
  const at = norm.lastIndexOf(marker);
  const shown =
    at >= 0 ? exercise + norm.slice(at + marker.length - 1) : path.relative(cwd, file).split(path.sep).join('/');
  return `${shown || norm}${line ? `:${line}${column ? `:${column}` : ''}` : ''}`;
}

function pad(s: string, n: number): string {
  return s.length >= n ? s : s + ' '.repeat(n - s.length);
}

/**
 * One row per metric: the baseline (when the curriculum gives one), the
 * learner's value, each seed's value (several seeds), the threshold, the
 * margin to it and the verdict. With several seeds `value` is the worst
 * seed's, the one judged (grader/verdict.ts).
 */
export function metricTable(metrics: MetricResult[], c: chalk.Chalk, columns?: number): string[] {
  const lines = metricRows(metrics, c, true);
  // Too wide for the terminal: the per-seed column goes (the report and --json keep it).
  if (columns && lines.some((l) => visibleWidth(l) > columns)) return metricRows(metrics, c, false);
  return lines;
}

function metricRows(metrics: MetricResult[], c: chalk.Chalk, perSeed: boolean): string[] {
  const withBaseline = metrics.some((m) => m.baseline !== undefined);
  const withSeeds = perSeed && metrics.some((m) => m.values !== undefined);
  const rows = metrics.map((m) => [
    m.k ? `${m.name}@${m.k}` : m.name,
    ...(withBaseline ? [fmt(m.baseline)] : []),
    fmt(m.value),
    ...(withSeeds ? [m.values ? m.values.map(fmt).join(' ') : ''] : []),
    threshold(m),
    gap(m),
    m.passed ? c.green('pass') : c.red('miss'),
  ]);
  const head = [
    'metric',
    ...(withBaseline ? ['baseline'] : []),
    metrics.some((m) => m.values !== undefined) ? 'value (worst seed)' : 'value',
    ...(withSeeds ? ['per seed'] : []),
    'threshold',
    'margin',
    '',
  ];
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)) + 2);
  return [
    c.dim(`  ${head.map((h, i) => pad(h, widths[i])).join('')}`.trimEnd()),
    ...rows.map((r) => `  ${r.map((cell, i) => pad(cell, widths[i])).join('')}`.trimEnd()),
  ];
}

/** The lines under the table that say what its columns mean: the seed rule and what the baseline is. */
export function metricNotes(r: ExerciseResult, c: chalk.Chalk, columns?: number): string[] {
  const notes: string[] = [];
  if (r.seedRule === 'every-seed' && r.seeds) {
    notes.push(
      `graded on seeds ${r.seeds.join(', ')}: every seed must meet each threshold, so value and margin are the worst seed's`,
    );
  }
  if (r.baselineLabel && r.metrics.some((m) => m.baseline !== undefined)) notes.push(`baseline: ${r.baselineLabel}`);
  return notes.flatMap((n) => prose(n, columns, '  ', '    ').map((l) => c.dim(l)));
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

function tail(text: string, lines: number): string[] {
  const all = text.replace(/\s+$/, '').split('\n');
  return all.slice(-lines).map((l) => (l.length > 300 ? `${l.slice(0, 300)}...` : l));
}

/**
 * An error's message led by its location in the one format every reporter writes (`location`). Some messages
 * (compile errors, forbidden APIs) start with their own `train.ts:51:19`: that prefix is replaced, not repeated.
 */
export function errorText(r: ExerciseResult, cwd: string, frames?: string[]): string {
  if (!r.error) return '';
  let message = r.error.message;
  let column: number | undefined;
  if (r.error.file) {
    const own = new RegExp(`^\\S*${escapeRegExp(path.basename(r.error.file))}(?::(\\d+))?(?::(\\d+))?:? `).exec(
      message,
    );
    if (own && (!own[1] || !r.error.line || Number(own[1]) === r.error.line)) {
      column = own[2] ? Number(own[2]) : undefined;
      message = message.slice(own[0].length);
    }
  }
  // The result keeps file and line; the column, when known, is in the first frame at that line.
  if (column === undefined && r.error.line) {
    const frame = new RegExp(`:${r.error.line}:(\\d+)\\)$`).exec(frames?.[0] ?? '');
    if (frame) column = Number(frame[1]);
  }
  return r.error.file ? `${location(r.error.file, r.exercise, cwd, r.error.line, column)}: ${message}` : message;
}

export function formatResult(r: ExerciseResult, opts: TerminalOptions): string {
  const c = new chalk.Instance({ level: opts.color ? 1 : 0 });
  const secs = `${(r.durationMs / 1000).toFixed(1)} s${r.backend ? `, ${r.backend}` : ''}`;
  const lines: string[] = [];
  if (r.status === 'passed') {
    lines.push(`${c.green('✔')} ${c.bold(r.exercise)} ${c.green('passed')} ${c.dim(`(${secs})`)}`);
  } else if (r.status === 'failed') {
    lines.push(`${c.red('✘')} ${c.bold(r.exercise)} ${c.red('failed')}: a threshold was missed ${c.dim(`(${secs})`)}`);
  } else {
    lines.push(`${c.red('✘')} ${c.bold(r.exercise)} ${c.red(`error (${r.error?.kind})`)} ${c.dim(`(${secs})`)}`);
  }
  if (r.metrics.length) lines.push(...metricTable(r.metrics, c, opts.columns), ...metricNotes(r, c, opts.columns));
  if (r.error) {
    errorText(r, opts.cwd, opts.frames)
      .split('\n')
      .forEach((l) => lines.push(...prose(l, opts.columns, '  ', '    ')));
    // Frames are relative to the exercise folder (`at train (train.ts:16:9)`): written like every other location.
    for (const f of opts.frames?.slice(0, 5) ?? []) {
      const shown = f.replace(/\(([^()]+):(\d+):(\d+)\)$/, (_all, file: string, line: string, col: string) =>
        path.isAbsolute(file)
          ? `(${location(file, r.exercise, opts.cwd, Number(line), Number(col))})`
          : `(${r.exercise}/${file.split(path.sep).join('/')}:${line}:${col})`,
      );
      lines.push(c.dim(`    ${shown}`));
    }
  }
  lines.push(...formatFindings(r.findings, c, opts.columns));
  lines.push(...formatDiagnoses(r.diagnoses, c, opts.columns));
  if (r.status !== 'passed' && r.output && r.output.trim()) {
    // A run that finished but missed a threshold carries the grader's findings
    // (failed cases, HTTP probes, the sweep) before the program's output: show more of it.
    const shown = r.status === 'failed' ? 40 : 15;
    lines.push(
      c.dim(
        r.status === 'failed'
          ? `  --- check details, then your program's output (last ${shown} lines; --json: all)`
          : `  --- your program's output (last lines) ---`,
      ),
    );
    for (const l of tail(r.output, shown)) lines.push(...prose(l, opts.columns, '  | ', '  |   ').map((x) => c.dim(x)));
  }
  const next = prose(`next: ${nextStep(r)}`, opts.columns, '  ', '    ');
  lines.push(next[0].replace('next:', c.cyan('next:')), ...next.slice(1));
  return lines.join('\n');
}

/** What the learner's own answers show about the lesson's real data (a suite's findings). */
export function formatFindings(findings: ExerciseResult['findings'], c: chalk.Chalk, columns?: number): string[] {
  if (!findings?.length) return [];
  return [
    `  ${c.bold('what your answers show:')}`,
    ...findings.flatMap((f) => prose(`- ${f}`, columns, '    ', '      ')),
  ];
}

/** The coach's diagnoses: what it saw, the numbers that show it, what to try. */
export function formatDiagnoses(diagnoses: ExerciseResult['diagnoses'], c: chalk.Chalk, columns?: number): string[] {
  if (!diagnoses?.length) return [];
  const lines = [`  ${c.bold('coach:')}`];
  for (const d of diagnoses) {
    lines.push(`  ${c.yellow('!')} ${c.bold(d.title)} ${c.dim(`[${d.id}]`)}`);
    lines.push(...prose(d.evidence, columns, '    ', '    '));
    const tryLines = prose(`try: ${d.next}`, columns, '    ', '      ');
    lines.push(tryLines[0].replace('try:', c.cyan('try:')), ...tryLines.slice(1));
  }
  return lines;
}

function unavailableImport(r: ExerciseResult): boolean {
  return /is not available to this exercise/.test(r.error?.message ?? '');
}

export function nextStep(r: ExerciseResult): string {
  if (r.status === 'passed') return '`mlpath next` shows the next exercise';
  switch (r.error?.kind) {
    case 'compile':
      if (unavailableImport(r)) return `remove or replace that import, then \`mlpath check ${r.exercise}\``;
      return `fix the error at the line shown above, then \`mlpath check ${r.exercise}\``;
    case 'missing-entry':
      // Only a deleted entry file is for reset; an export the learner can fix in the file is fixed there.
      if (/ is missing: /.test(r.error.message)) return `\`mlpath reset ${r.exercise}\` restores the starter files`;
      return `fix the export in the file named above, then \`mlpath check ${r.exercise}\``;
    case 'timeout':
      if (/never called ctx\.log/.test(r.error.message))
        return `find the loop that never ends (see above), then \`mlpath check ${r.exercise}\``;
      return `train less (fewer epochs, a subset) and \`mlpath check ${r.exercise}\` again`;
    case 'memory':
      return `dispose what you no longer need (tf.tidy), then \`mlpath check ${r.exercise}\``;
    case 'forbidden-api':
      if (unavailableImport(r)) return `remove or replace that import, then \`mlpath check ${r.exercise}\``;
      return `this exercise is from scratch: use tensor operations only; \`mlpath hint ${r.exercise}\``;
    case 'curriculum':
      return `once the workspace and the curriculum agree (see above), \`mlpath check ${r.exercise}\``;
    default:
      return `\`mlpath hint ${r.exercise}\` for a hint, then \`mlpath check ${r.exercise}\``;
  }
}

export function formatSummary(results: ExerciseResult[], color: boolean): string {
  const c = new chalk.Instance({ level: color ? 1 : 0 });
  const { passed, failed, errors } = countStatuses(results);
  const points = results.reduce((a, r) => a + (r.points ?? 0), 0);
  const maxPoints = results.reduce((a, r) => a + (r.maxPoints ?? 0), 0);
  return `${c.bold('Summary')}: ${c.green(`${passed} passed`)}, ${failed ? c.red(`${failed} failed`) : '0 failed'}, ${errors ? c.red(`${errors} errors`) : '0 errors'}; Points ${points}/${maxPoints}`;
}
