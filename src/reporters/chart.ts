/**
 * Pictures of training for the terminal: the loss curve as a small column
 * chart, other logged metrics as sparklines, and each graded metric as a bar
 * against its threshold. Plain ASCII when colour is off (pipes, CI logs,
 * NO_COLOR), so the output survives any terminal.
 */
import chalk from 'chalk';
import type { MetricResult } from '../grader/result';

export interface ChartOptions {
  color: boolean;
  /** ASCII only; default: the same as !color. */
  ascii?: boolean;
  /** Columns of the plot area. */
  width?: number;
  /** Rows of the plot area. */
  height?: number;
  /** A terminal's width: threshold bars narrow to fit it. */
  columns?: number;
}

const BLOCKS = [' ', '▁', '▂', '▃', '▄', '▅', '▆', '▇', '█'];
const ASCII_BLOCKS = [' ', ' ', '_', '_', '=', '=', '#', '#', '#'];
const SPARKS = ['▁', '▂', '▃', '▄', '▅', '▆', '▇', '█'];
const ASCII_SPARKS = ['_', '_', '.', '-', '-', '=', '*', '#'];
const POSITION_KEYS = new Set(['epoch', 'step', 'batch', 'iteration']);

function fmt(v: number): string {
  if (!Number.isFinite(v)) return String(v);
  if (v !== 0 && (Math.abs(v) < 1e-3 || Math.abs(v) >= 1e5)) return v.toExponential(2);
  return v.toFixed(4);
}

/**
 * Fits a series to about `width` columns: longer ones are averaged in
 * buckets, short ones get up to three columns per value so ten epochs still
 * read as a curve.
 */
export function resample(values: number[], width: number): number[] {
  if (values.length <= width) {
    const repeat = Math.max(1, Math.min(3, Math.floor(width / Math.max(values.length, 1))));
    return values.flatMap((v) => new Array<number>(repeat).fill(v));
  }
  const out: number[] = [];
  for (let c = 0; c < width; c++) {
    const from = Math.floor((c * values.length) / width);
    const to = Math.max(from + 1, Math.floor(((c + 1) * values.length) / width));
    const bucket = values.slice(from, to);
    out.push(bucket.reduce((a, b) => a + b, 0) / bucket.length);
  }
  return out;
}

/** Positive values whose largest is this many times their smallest are charted on a log scale. */
const LOG_SPAN = 50;

/**
 * A column chart: one column per value (or bucket of values), its height
 * the value between a floor just below the minimum and the maximum.
 */
export function columnChart(values: number[], opts: ChartOptions & { label?: string; xLabel?: string }): string[] {
  const ascii = opts.ascii ?? !opts.color;
  const c = new chalk.Instance({ level: opts.color ? 1 : 0 });
  const height = opts.height ?? 6;
  const cols = resample(values.filter(Number.isFinite), opts.width ?? 40);
  if (cols.length === 0) return [];
  const hi = Math.max(...cols);
  const lo = Math.min(...cols);
  // A first-step spike (loss 2,000 then 0.3) would flatten the rest of the curve: positive values spanning
  // more than a factor of LOG_SPAN are drawn on a log scale, and the chart says so.
  const logScale = lo > 0 && hi / lo >= LOG_SPAN;
  const y = (v: number): number => (logScale ? Math.log10(v) : v);
  const [yHi, yLo] = [y(hi), y(lo)];
  const floor = yHi === yLo ? yLo - Math.max(Math.abs(yLo), 1) * 0.5 : yLo - (yHi - yLo) * 0.1;
  const blocks = ascii ? ASCII_BLOCKS : BLOCKS;
  const top = fmt(hi);
  const bottom = fmt(lo);
  const gutter = Math.max(top.length, bottom.length);
  const vbar = ascii ? '|' : '┤';
  const lines: string[] = [];
  if (opts.label) lines.push(`  ${c.bold(opts.label)}`);
  for (let row = height - 1; row >= 0; row--) {
    let line = '';
    for (const v of cols) {
      const level = ((y(v) - floor) / (yHi - floor)) * height - row;
      const eighth = Math.max(0, Math.min(8, Math.round(level * 8)));
      line += blocks[eighth];
    }
    const tick = row === height - 1 ? top : row === 0 ? bottom : '';
    lines.push(
      `  ${tick.padStart(gutter)} ${row === height - 1 || row === 0 ? vbar : ascii ? '|' : '│'}${c.cyan(line.trimEnd())}`,
    );
  }
  const axis = ascii ? `+${'-'.repeat(cols.length)}` : `└${'─'.repeat(cols.length)}`;
  const xLabel = [opts.xLabel, logScale ? '(log scale)' : ''].filter(Boolean).join(' ');
  lines.push(`  ${' '.repeat(gutter)} ${axis}${xLabel ? ` ${xLabel}` : ''}`);
  return lines;
}

export function sparkline(values: number[], ascii: boolean, width = 40): string {
  const cols = resample(values.filter(Number.isFinite), width);
  if (cols.length === 0) return '';
  const hi = Math.max(...cols);
  const lo = Math.min(...cols);
  const sparks = ascii ? ASCII_SPARKS : SPARKS;
  return cols.map((v) => sparks[hi === lo ? 3 : Math.round(((v - lo) / (hi - lo)) * (sparks.length - 1))]).join('');
}

/** Where a metric sits against its threshold, as a bar with a marker at the threshold. */
export function thresholdBar(m: MetricResult, opts: ChartOptions): string | undefined {
  if (m.value === null || (m.min === undefined && m.max === undefined)) return undefined;
  const ascii = opts.ascii ?? !opts.color;
  const c = new chalk.Instance({ level: opts.color ? 1 : 0 });
  const need = m.min !== undefined ? `>= ${fmt(m.min)}` : `<= ${fmt(m.max!)}`;
  const name = m.k ? `${m.name}@${m.k}` : m.name;
  const text = `  ${name} [] ${fmt(m.value)}  (needs ${need}) miss`;
  const width = opts.width ?? (opts.columns ? Math.max(10, Math.min(30, opts.columns - text.length)) : 30);
  const bound = (m.min ?? m.max)!;
  const unit = m.value >= 0 && m.value <= 1 && bound >= 0 && bound <= 1;
  const scaleMax = unit ? 1 : Math.max(m.value, bound) * 1.25 || 1;
  const pos = (v: number): number => Math.max(0, Math.min(width - 1, Math.round((v / scaleMax) * (width - 1))));
  const filled = Math.max(0, Math.min(width, Math.round((m.value / scaleMax) * width)));
  const mark = pos(bound);
  let bar = '';
  for (let i = 0; i < width; i++) {
    if (i === mark) bar += ascii ? '|' : '┃';
    else if (i < filled) bar += ascii ? '=' : '█';
    else bar += ascii ? ' ' : '░';
  }
  const paint = m.passed ? c.green : c.red;
  return `  ${name} [${paint(bar)}] ${fmt(m.value)}  (needs ${need}) ${m.passed ? c.green('pass') : c.red('miss')}`;
}

function positionKey(curve: Record<string, number>[]): string | undefined {
  return ['epoch', 'step', 'iteration', 'batch'].find((k) => curve.every((s) => typeof s[k] === 'number'));
}

/**
 * The steps the chart can place on its axis: a learner's counter that goes backwards (`epoch--`) or is absurd
 * (NaN, negative, past a billion) must not draw a curve that lies. A few such steps are left out; when most
 * are, the axis is dropped and the curve is drawn in the order it was logged. Either way the chart says so.
 */
function usableAxis(curve: Record<string, number>[]): {
  curve: Record<string, number>[];
  ok: boolean;
  note?: string;
} {
  const xKey = positionKey(curve);
  if (!xKey) return { curve, ok: true };
  const kept: Record<string, number>[] = [];
  let last = -Infinity;
  for (const step of curve) {
    const x = step[xKey];
    if (Number.isFinite(x) && x >= 0 && x <= 1e9 && x >= last) {
      kept.push(step);
      last = x;
    }
  }
  const dropped = curve.length - kept.length;
  if (dropped === 0) return { curve, ok: true };
  if (kept.length * 2 < curve.length) {
    return {
      curve,
      ok: false,
      note: `the logged ${xKey} went backwards or was not a sensible number in ${dropped} of ${curve.length} steps: drawn in the order logged (is the ${xKey} counter counting down?)`,
    };
  }
  return {
    curve: kept,
    ok: true,
    note: `${dropped} logged step${dropped === 1 ? '' : 's'} left out of the chart: ${xKey} went backwards or was not a sensible number`,
  };
}

/**
 * What `mlpath check` shows after a train exercise: the loss curve, a
 * sparkline per other logged value (validation accuracy, ...), and each
 * metric against its threshold. Empty when nothing was logged or graded.
 */
export function trainingPicture(
  curve: Record<string, number>[],
  metrics: MetricResult[],
  opts: ChartOptions,
): string[] {
  const ascii = opts.ascii ?? !opts.color;
  const c = new chalk.Instance({ level: opts.color ? 1 : 0 });
  const lines: string[] = [];
  const axis = usableAxis(curve);
  curve = axis.curve;
  const keys: string[] = [];
  for (const step of curve)
    for (const k of Object.keys(step)) if (!POSITION_KEYS.has(k) && !keys.includes(k)) keys.push(k);
  const series = (k: string): number[] =>
    curve.map((s) => s[k]).filter((v): v is number => typeof v === 'number' && Number.isFinite(v));
  const lossKey = keys.includes('loss') ? 'loss' : keys.find((k) => /loss/i.test(k));
  const xKey = axis.ok ? positionKey(curve) : undefined;
  if (lossKey && series(lossKey).length >= 2) {
    const values = series(lossKey);
    const first = curve.find((s) => typeof s[lossKey] === 'number');
    const last = [...curve].reverse().find((s) => typeof s[lossKey] === 'number');
    const span = xKey && first && last ? `${xKey} ${first[xKey]}..${last[xKey]}` : `${values.length} steps`;
    lines.push(
      ...columnChart(values, {
        ...opts,
        label: `${lossKey}  ${fmt(values[0])} -> ${fmt(values[values.length - 1])}`,
        xLabel: span,
      }),
    );
  }
  if (axis.note) lines.push(c.dim(`  ${axis.note}`));
  const others = keys.filter((k) => k !== lossKey && series(k).length >= 2).slice(0, 4);
  const width = Math.max(0, ...others.map((k) => k.length));
  for (const k of others) {
    const values = series(k);
    lines.push(
      `  ${k.padEnd(width)} ${c.cyan(sparkline(values, ascii, 40))} ${fmt(values[0])} -> ${fmt(values[values.length - 1])}`,
    );
  }
  for (const m of metrics) {
    const bar = thresholdBar(m, opts);
    if (bar) lines.push(bar);
  }
  return lines;
}
