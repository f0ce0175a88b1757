/**
 * The HTML report of one exercise: the coach's diagnoses, loss curves,
 * validation metrics, the metric against its threshold across attempts, and
 * a confusion matrix.
 * One self-contained file (inline CSS and SVG, no scripts, no network) that
 * a browser opens offline. Every drawn point carries its logged value in
 * data attributes, so tools and tests can read the numbers back.
 */
import type { ExerciseResult, MetricResult, ResultError } from '../grader/result';

export interface Attempt {
  createdAt: string;
  status: 'passed' | 'failed' | 'error';
  metrics: MetricResult[];
  seed: number;
  /** Several seeds: all of them; each must pass (`seedRule`), and a metric's value is its worst seed's. */
  seeds?: number[];
  seedRule?: string;
  /** What the metrics' `baseline` values are. */
  baselineLabel?: string;
  backend: string;
  durationMs: number;
  error: ResultError | null;
  curve: Record<string, number>[];
  confusion?: number[][];
  classNames?: string[];
  /** What the coach made of this attempt (src/coach). */
  diagnoses?: ExerciseResult['diagnoses'];
  /** What the learner's answers showed about the lesson's real data (a suite's findings). */
  findings?: ExerciseResult['findings'];
}

export interface ReportInput {
  /** `kind` (functions, train, ...): a functions exercise logs no curve, so its page has no training section. */
  exercise: { key: string; title: string; summary?: string; kind?: string };
  /** Oldest first. */
  attempts: Attempt[];
  generatedAt: string;
}

interface Point {
  x: number;
  y: number;
  cls?: string;
  title?: string;
  data?: Record<string, string | number>;
}

interface Series {
  name: string;
  points: Point[];
  color: string;
  /** Earlier attempts: a thin line, no point marks. */
  faded?: boolean;
}

interface ChartSpec {
  id: string;
  xLabel: string;
  yLabel: string;
  series: Series[];
  threshold?: { value: number; label: string };
  /** A trivial predictor's score, drawn as a second, fainter line. */
  baseline?: { value: number; label: string };
  integerX?: boolean;
  /** The x range to show whatever the points (the history: attempt 1 to the latest, errors included). */
  xDomain?: [number, number];
}

const PALETTE = ['#2563eb', '#dc2626', '#16a34a', '#9333ea', '#ea580c', '#0891b2'];
const W = 640;
const H = 280;
const M = { l: 60, r: 16, t: 14, b: 42 };
/** Keys of a logged step that position it rather than measure it. */
const POSITION_KEYS = new Set(['epoch', 'step', 'batch', 'iteration']);

export function esc(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

export function fmt(v: number): string {
  if (!Number.isFinite(v)) return String(v);
  if (v !== 0 && (Math.abs(v) < 1e-3 || Math.abs(v) >= 1e5)) return v.toExponential(2);
  return Number(v.toPrecision(4)).toString();
}

function round2(v: number): string {
  return (Math.round(v * 100) / 100).toString();
}

/** Ticks at 1, 2 or 5 times a power of ten. */
export function niceTicks(min: number, max: number, count = 5): number[] {
  if (!(max > min)) return [min];
  const raw = (max - min) / count;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const candidates = [1, 2, 5, 10].map((m) => m * mag);
  const step = candidates.reduce((best, s) =>
    Math.abs((max - min) / s - count) < Math.abs((max - min) / best - count) ? s : best,
  );
  const ticks: number[] = [];
  for (let t = Math.ceil(min / step) * step; t <= max + step * 1e-9; t += step) ticks.push(Number(t.toPrecision(12)));
  return ticks;
}

function extent(values: number[], pad: number): [number, number] {
  let lo = Math.min(...values);
  let hi = Math.max(...values);
  if (lo === hi) {
    const d = lo === 0 ? 1 : Math.abs(lo) * 0.1;
    return [lo - d, hi + d];
  }
  const d = (hi - lo) * pad;
  lo -= d;
  hi += d;
  return [lo, hi];
}

function dataAttrs(data: Record<string, string | number> | undefined): string {
  if (!data) return '';
  return Object.entries(data)
    .map(([k, v]) => ` data-${k}="${esc(String(v))}"`)
    .join('');
}

/**
 * The axes are fitted to the points that matter: the non-faded series (the
 * latest attempt) when there are any, finite values only. An earlier
 * attempt's points outside that x range are left off and its y values are
 * held at the edge, so one wild attempt cannot squash the chart.
 */
export function lineChart(spec: ChartSpec): string {
  const finite = (p: Point): boolean => Number.isFinite(p.x) && Number.isFinite(p.y);
  const cleaned = spec.series.map((s) => ({ ...s, points: s.points.filter(finite) }));
  const current = cleaned.filter((s) => !s.faded).flatMap((s) => s.points);
  const all = current.length ? current : cleaned.flatMap((s) => s.points);
  if (all.length === 0) return '';
  const [x0, x1] = spec.xDomain
    ? spec.xDomain[0] === spec.xDomain[1]
      ? [spec.xDomain[0] - 1, spec.xDomain[0] + 1]
      : extent(spec.xDomain, 0.02)
    : spec.integerX && all.every((p) => p.x === all[0].x)
      ? [all[0].x - 1, all[0].x + 1]
      : extent(
          all.map((p) => p.x),
          0.02,
        );
  const [y0, y1] = extent(
    [
      ...all.map((p) => p.y),
      ...(spec.threshold ? [spec.threshold.value] : []),
      ...(spec.baseline ? [spec.baseline.value] : []),
    ],
    0.08,
  );
  const sx = (x: number): number => M.l + ((x - x0) / (x1 - x0)) * (W - M.l - M.r);
  const sy = (y: number): number => H - M.b - ((Math.min(y1, Math.max(y0, y)) - y0) / (y1 - y0)) * (H - M.t - M.b);
  const series = cleaned.map((s) => (s.faded ? { ...s, points: s.points.filter((p) => p.x >= x0 && p.x <= x1) } : s));
  const parts: string[] = [];
  parts.push(
    `<svg id="${spec.id}" class="chart" viewBox="0 0 ${W} ${H}" width="${W}" height="${H}" role="img" aria-label="${esc(`${spec.yLabel} by ${spec.xLabel}`)}" xmlns="http://www.w3.org/2000/svg">`,
  );
  for (const t of niceTicks(y0, y1)) {
    parts.push(`<line class="grid" x1="${M.l}" x2="${W - M.r}" y1="${round2(sy(t))}" y2="${round2(sy(t))}"/>`);
    parts.push(`<text class="tick" x="${M.l - 6}" y="${round2(sy(t) + 4)}" text-anchor="end">${esc(fmt(t))}</text>`);
  }
  const xTicks = niceTicks(x0, x1, 8).filter((t) => !spec.integerX || Number.isInteger(t));
  for (const t of xTicks)
    parts.push(
      `<text class="tick" x="${round2(sx(t))}" y="${H - M.b + 16}" text-anchor="middle">${esc(fmt(t))}</text>`,
    );
  parts.push(`<line class="axis" x1="${M.l}" x2="${W - M.r}" y1="${H - M.b}" y2="${H - M.b}"/>`);
  parts.push(`<line class="axis" x1="${M.l}" x2="${M.l}" y1="${M.t}" y2="${H - M.b}"/>`);
  parts.push(
    `<text class="label" x="${(M.l + W - M.r) / 2}" y="${H - 6}" text-anchor="middle">${esc(spec.xLabel)}</text>`,
  );
  parts.push(
    `<text class="label" transform="translate(14 ${(M.t + H - M.b) / 2}) rotate(-90)" text-anchor="middle">${esc(spec.yLabel)}</text>`,
  );
  if (spec.threshold) {
    const y = round2(sy(spec.threshold.value));
    parts.push(
      `<line class="threshold" data-threshold="${spec.threshold.value}" x1="${M.l}" x2="${W - M.r}" y1="${y}" y2="${y}"/>`,
    );
    parts.push(`<text class="threshold-label" x="${M.l + 6}" y="${Number(y) - 5}">${esc(spec.threshold.label)}</text>`);
  }
  if (spec.baseline) {
    const y = round2(sy(spec.baseline.value));
    parts.push(
      `<line class="baseline" data-baseline="${spec.baseline.value}" x1="${M.l}" x2="${W - M.r}" y1="${y}" y2="${y}"/>`,
    );
    parts.push(
      `<text class="baseline-label" x="${W - M.r - 6}" y="${Number(y) - 5}" text-anchor="end">${esc(spec.baseline.label)}</text>`,
    );
  }
  for (const s of series) {
    const coords = s.points.map((p) => `${round2(sx(p.x))},${round2(sy(p.y))}`).join(' ');
    if (s.points.length > 1) {
      parts.push(
        `<polyline class="line${s.faded ? ' faded' : ''}" data-series="${esc(s.name)}" fill="none" stroke="${s.color}" points="${coords}"/>`,
      );
    }
    if (s.faded) continue;
    const r = s.points.length > 200 ? 1.2 : 3;
    for (const p of s.points) {
      const title = p.title ?? `${s.name} at ${spec.xLabel} ${fmt(p.x)}: ${fmt(p.y)}`;
      parts.push(
        `<circle class="pt${p.cls ? ` ${p.cls}` : ''}" data-series="${esc(s.name)}" data-x="${p.x}" data-y="${p.y}"${dataAttrs(p.data)} cx="${round2(sx(p.x))}" cy="${round2(sy(p.y))}" r="${r}" fill="${s.color}"><title>${esc(title)}</title></circle>`,
      );
    }
  }
  parts.push('</svg>');
  return parts.join('\n');
}

function legend(series: Series[]): string {
  if (series.length < 2) return '';
  return `<ul class="legend">${series.map((s) => `<li class="${s.faded ? 'faded' : ''}"><span class="swatch" style="background:${s.color}"></span>${esc(s.name)}</li>`).join('')}</ul>`;
}

export function confusionMatrix(matrix: number[][], classNames?: string[]): string {
  const k = matrix.length;
  const cell = Math.max(14, Math.min(44, Math.floor(440 / Math.max(k, 1))));
  const label = (i: number): string => classNames?.[i] ?? String(i);
  const labelPx = Math.min(90, 7 * Math.max(...matrix.map((_, i) => label(i).length)));
  const left = 28 + labelPx;
  // Column labels wider than a cell are slanted so they do not run together.
  const slant = labelPx > cell - 4;
  const top = slant ? 30 + Math.ceil(labelPx * 0.72) : 40;
  const right = 64;
  const width = left + k * cell + right;
  const height = top + k * cell + 30;
  const showCounts = cell >= 22;
  const parts: string[] = [
    `<svg id="confusion" class="chart" viewBox="0 0 ${width} ${height}" width="${width}" height="${height}" role="img" aria-label="confusion matrix" xmlns="http://www.w3.org/2000/svg">`,
    `<text class="label" x="${left + (k * cell) / 2}" y="12" text-anchor="middle">predicted</text>`,
    `<text class="label" transform="translate(12 ${top + (k * cell) / 2}) rotate(-90)" text-anchor="middle">true</text>`,
    `<text class="label" x="${left + k * cell + 8}" y="${top - 8}">recall</text>`,
  ];
  matrix.forEach((row, i) => {
    const total = row.reduce((a, b) => a + b, 0);
    parts.push(
      `<text class="tick" x="${left - 6}" y="${top + i * cell + cell / 2 + 4}" text-anchor="end">${esc(label(i))}</text>`,
    );
    const cx = left + i * cell + cell / 2;
    parts.push(
      slant
        ? `<text class="tick" transform="translate(${cx} ${top - 6}) rotate(-45)">${esc(label(i))}</text>`
        : `<text class="tick" x="${cx}" y="${top - 6}" text-anchor="middle">${esc(label(i))}</text>`,
    );
    row.forEach((count, j) => {
      const share = total ? count / total : 0;
      const fill =
        i === j
          ? `rgba(22,163,74,${(0.08 + 0.92 * share).toFixed(3)})`
          : `rgba(220,38,38,${(share === 0 ? 0.02 : 0.12 + 0.88 * share).toFixed(3)})`;
      const x = left + j * cell;
      const y = top + i * cell;
      parts.push(
        `<rect class="cell" data-true="${i}" data-pred="${j}" data-count="${count}" x="${x}" y="${y}" width="${cell}" height="${cell}" fill="${fill}"><title>${esc(`true ${label(i)}, predicted ${label(j)}: ${count}`)}</title></rect>`,
      );
      if (showCounts && count > 0) {
        parts.push(
          `<text class="count${share > 0.55 ? ' on-dark' : ''}" x="${x + cell / 2}" y="${y + cell / 2 + 4}" text-anchor="middle">${count}</text>`,
        );
      }
    });
    const recall = total ? `${Math.round((row[i] / total) * 100)}%` : 'n/a';
    parts.push(
      `<text class="tick" data-recall="${i}" x="${left + k * cell + 8}" y="${top + i * cell + cell / 2 + 4}">${recall}</text>`,
    );
  });
  parts.push('</svg>');
  return parts.join('\n');
}

function positionKey(curve: Record<string, number>[]): string | undefined {
  return ['epoch', 'step', 'iteration', 'batch'].find((k) => curve.every((s) => typeof s[k] === 'number'));
}

/**
 * Where each logged step goes on the x axis. The position key (epoch, step,
 * ...) is trusted for the steps where it is finite, non-negative and
 * increasing; the others are left off (undefined). When fewer than half the
 * steps qualify (a loop counting backwards, a position overwritten by a
 * wild value), the key says nothing useful and the steps are numbered 1..n.
 */
export function stepPositions(curve: Record<string, number>[]): { key: string; xs: (number | undefined)[] } {
  const key = positionKey(curve);
  if (key) {
    let last = -Infinity;
    const xs = curve.map((s) => {
      const v = s[key];
      if (!Number.isFinite(v) || v < 0 || v <= last) return undefined;
      last = v;
      return v;
    });
    const kept = xs.filter((x) => x !== undefined).length;
    if (kept >= 2 && kept * 2 >= curve.length) return { key, xs };
  }
  return { key: 'logged step', xs: curve.map((_, i) => i + 1) };
}

function seriesOf(curve: Record<string, number>[], key: string, color: string, name = key, faded = false): Series {
  const { xs } = stepPositions(curve);
  const points = curve.flatMap((step, i) => {
    const x = xs[i];
    return x !== undefined && Number.isFinite(step[key]) ? [{ x, y: step[key] }] : [];
  });
  return { name, points, color, faded };
}

/** The measured values a curve logged at two or more steps: a curve worth drawing. */
function drawableKeys(curve: Record<string, number>[]): string[] {
  return keysOf(curve).filter((k) => curve.filter((s) => Number.isFinite(s[k])).length >= 2);
}

function keysOf(curve: Record<string, number>[]): string[] {
  const keys: string[] = [];
  for (const step of curve)
    for (const k of Object.keys(step)) if (!POSITION_KEYS.has(k) && !keys.includes(k)) keys.push(k);
  return keys;
}

function thresholdText(m: MetricResult): string {
  const parts: string[] = [];
  if (m.min !== undefined) parts.push(`≥ ${fmt(m.min)}`);
  if (m.max !== undefined) parts.push(`≤ ${fmt(m.max)}`);
  return parts.join(', ');
}

function metricName(m: MetricResult): string {
  return m.k ? `${m.name}@${m.k}` : m.name;
}

function when(iso: string): string {
  return iso.replace('T', ' ').replace(/\.\d+Z$/, ' UTC');
}

/**
 * The curve of the latest attempt that logged one worth drawing (two points
 * or more): a run that crashed after one epoch does not hide the last real
 * curve, and the heading says which attempt is drawn.
 */
function trainingSection(attempts: Attempt[]): string {
  const withCurve = attempts
    .map((a, i) => ({ a, n: i + 1 }))
    .filter(
      ({ a }) => drawableKeys(a.curve).length > 0 && stepPositions(a.curve).xs.filter(Number.isFinite).length >= 2,
    );
  if (withCurve.length === 0) {
    const some = attempts.some((a) => a.curve.length > 0);
    return `<section id="training"><h2>Training curve</h2><p class="muted">${some ? 'No attempt has logged a curve of two points or more yet.' : 'No training curve yet.'} Call <code>ctx.log({ epoch, loss })</code> once per epoch in <code>train()</code> and the next check draws it here.</p></section>`;
  }
  const latest = withCurve[withCurve.length - 1];
  const xKey = stepPositions(latest.a.curve).key;
  const keys = drawableKeys(latest.a.curve);
  const lossKeys = keys.filter((k) => /loss/i.test(k));
  const otherKeys = keys.filter((k) => !/loss/i.test(k));
  const out: string[] = [
    `<section id="training" data-attempt="${latest.n}"><h2>Training curve <span class="muted">(attempt ${latest.n} of ${attempts.length})</span></h2>`,
  ];
  if (latest.n < attempts.length) {
    out.push(
      `<p class="muted note">Attempt ${latest.n} is the latest with a curve of two points or more; ${latest.n === attempts.length - 1 ? `attempt ${attempts.length}` : `attempts ${latest.n + 1} to ${attempts.length}`} logged less.</p>`,
    );
  }
  if (lossKeys.length) {
    const earlier = withCurve
      .slice(-5, -1)
      // Only curves on the same x axis: an epoch-numbered curve beside one numbered by logged step would mislead.
      .filter(({ a }) => a.curve.filter((s) => Number.isFinite(s.loss)).length >= 2)
      .filter(({ a }) => stepPositions(a.curve).key === xKey)
      .map(({ a, n }) => seriesOf(a.curve, 'loss', '#94a3b8', `loss, attempt ${n}`, true));
    const current = lossKeys.map((k, i) => seriesOf(latest.a.curve, k, PALETTE[i % PALETTE.length]));
    const series = [...earlier, ...current];
    out.push(
      lineChart({ id: 'loss-chart', xLabel: xKey, yLabel: 'loss', series, integerX: xKey === 'epoch' }),
      legend(series),
    );
  }
  if (otherKeys.length) {
    const series = otherKeys.map((k, i) =>
      seriesOf(latest.a.curve, k, PALETTE[(i + lossKeys.length) % PALETTE.length]),
    );
    out.push(
      '<h3>Logged metrics</h3>',
      lineChart({
        id: 'metrics-chart',
        xLabel: xKey,
        yLabel: otherKeys.length === 1 ? otherKeys[0] : 'value',
        series,
        integerX: xKey === 'epoch',
      }),
      legend(series),
    );
  }
  out.push('</section>');
  return out.join('\n');
}

function historySection(attempts: Attempt[]): string {
  const latest = [...attempts].reverse().find((a) => a.metrics.length > 0);
  if (!latest) return '';
  const out = ['<section><h2>Metric against threshold, attempt by attempt</h2>'];
  latest.metrics.forEach((spec, mi) => {
    const name = metricName(spec);
    const points: Point[] = [];
    attempts.forEach((a, i) => {
      const m = a.metrics.find((x) => metricName(x) === name);
      if (!m || m.value === null) return;
      points.push({
        x: i + 1,
        y: m.value,
        cls: m.passed ? 'pass' : 'miss',
        title: `attempt ${i + 1} (${when(a.createdAt)}): ${name} ${fmt(m.value)}, ${m.passed ? 'pass' : 'miss'}`,
        data: { attempt: i + 1, passed: String(m.passed) },
      });
    });
    const bound = spec.min ?? spec.max;
    const errors = attempts.map((a, i) => (a.status === 'error' ? i + 1 : 0)).filter((n) => n > 0);
    out.push(
      lineChart({
        id: `history-${mi}`,
        xLabel: 'attempt',
        yLabel: name,
        series: [{ name, points, color: PALETTE[0] }],
        threshold: bound === undefined ? undefined : { value: bound, label: `threshold ${thresholdText(spec)}` },
        baseline:
          spec.baseline === undefined ? undefined : { value: spec.baseline, label: `baseline ${fmt(spec.baseline)}` },
        integerX: true,
        xDomain: [1, attempts.length],
      }),
    );
    if (errors.length)
      out.push(
        errors.length === 1
          ? `<p class="muted">Attempt ${errors[0]} ended in an error, so it has no ${esc(name)}.</p>`
          : `<p class="muted">Attempts ${errors.join(', ')} ended in an error, so they have no ${esc(name)}.</p>`,
      );
  });
  out.push('</section>');
  return out.join('\n');
}

function confusionSection(attempts: Attempt[]): string {
  const idx = attempts.map((a) => !!a.confusion?.length).lastIndexOf(true);
  if (idx < 0) return '';
  const a = attempts[idx];
  return `<section><h2>Confusion matrix <span class="muted">(attempt ${idx + 1}, held-out data)</span></h2>
<p class="muted">Rows are the true classes, columns what the model predicted. The green diagonal is right; a red cell off it is a mix-up worth a look.</p>
${confusionMatrix(a.confusion!, a.classNames)}</section>`;
}

/** What the latest attempt's answers showed about the lesson's real data. */
function findingsSection(attempts: Attempt[]): string {
  const a = attempts[attempts.length - 1];
  if (!a.findings?.length) return '';
  return `<section id="findings"><h2>What your answers show <span class="muted">(attempt ${attempts.length})</span></h2>
<ul>${a.findings.map((f) => `<li>${esc(f)}</li>`).join('\n')}</ul></section>`;
}

/** The coach's diagnoses of the latest attempt: what it saw, the numbers behind it, what to try. */
function coachSection(attempts: Attempt[]): string {
  const a = attempts[attempts.length - 1];
  if (!a.diagnoses?.length) return '';
  const items = a.diagnoses.map(
    (d) => `<li class="diagnosis" data-id="${esc(d.id)}"><strong>${esc(d.title)}</strong>
<p>${esc(d.evidence)}</p>
<p><span class="try">Try:</span> ${esc(d.next)}</p></li>`,
  );
  return `<section id="coach"><h2>Coach <span class="muted">(attempt ${attempts.length})</span></h2>
<ul class="diagnoses">${items.join('\n')}</ul></section>`;
}

function latestSection(input: ReportInput): string {
  const { attempts } = input;
  const a = attempts[attempts.length - 1];
  const withBaseline = a.metrics.some((m) => m.baseline !== undefined);
  const withSeeds = a.metrics.some((m) => m.values !== undefined);
  const num = (v: number | null | undefined): string => (v === null || v === undefined ? 'n/a' : esc(fmt(v)));
  const rows = a.metrics.map((m) => {
    const cells = [
      esc(metricName(m)),
      ...(withBaseline ? [num(m.baseline)] : []),
      num(m.value),
      ...(withSeeds
        ? [
            m.values
              ? `${m.values.map((v) => `<span class="seed">${num(v)}</span>`).join(' ')}${m.mean !== undefined ? ` <span class="muted">(mean ${num(m.mean)} ± ${num(m.std)})</span>` : ''}`
              : '',
          ]
        : []),
      esc(thresholdText(m)),
      m.passed ? 'pass' : 'miss',
    ];
    return `<tr class="${m.passed ? 'pass' : 'miss'}">${cells.map((cell) => `<td>${cell}</td>`).join('')}</tr>`;
  });
  const head = [
    'metric',
    ...(withBaseline ? ['baseline'] : []),
    withSeeds ? 'value (worst seed)' : 'value',
    ...(withSeeds ? ['per seed'] : []),
    'threshold',
    '',
  ];
  const notes = [
    a.seedRule === 'every-seed' && a.seeds
      ? `Graded on seeds ${a.seeds.join(', ')}: every seed must meet each threshold, so the value is the worst seed's.`
      : '',
    withBaseline && a.baselineLabel ? `Baseline: ${esc(a.baselineLabel)}.` : '',
  ].filter(Boolean);
  const seeds = a.seeds && a.seeds.length > 1 ? `seeds ${a.seeds.join(', ')}` : `seed ${a.seed}`;
  const where = a.error?.file ? `${a.error.file}${a.error.line ? `:${a.error.line}` : ''}` : '';
  const error = a.error
    ? `<div class="error-box"><p class="error-kind">${esc(a.error.kind)} error${where ? ` at <code class="error-where">${esc(where)}</code>` : ''}</p><pre class="error-message">${esc(a.error.message)}</pre></div>`
    : '';
  return `<section><h2>Latest attempt <span class="badge ${a.status}">${a.status}</span></h2>
<p class="muted">Attempt ${attempts.length}, ${esc(when(a.createdAt))}, backend ${esc(a.backend || 'n/a')}, ${seeds}, ${(a.durationMs / 1000).toFixed(1)} s</p>
${rows.length ? `<table><thead><tr>${head.map((h) => `<th>${h}</th>`).join('')}</tr></thead><tbody>${rows.join('')}</tbody></table>` : ''}
${rows.length && notes.length ? `<p class="muted notes">${notes.join(' ')}</p>` : ''}
${error}</section>`;
}

const CSS = `
:root { --fg: #1f2937; --muted: #6b7280; --bg: #ffffff; --card: #f8fafc; --line: #e5e7eb; --error-fg: #b91c1c; }
@media (prefers-color-scheme: dark) { :root { --fg: #e5e7eb; --muted: #9ca3af; --bg: #111827; --card: #1f2937; --line: #374151; --error-fg: #fca5a5; } }
body { font: 15px/1.5 system-ui, -apple-system, "Segoe UI", sans-serif; color: var(--fg); background: var(--bg); max-width: 980px; margin: 2rem auto; padding: 0 1rem; }
h1 { font-size: 1.5rem; margin-bottom: .2rem; } h2 { font-size: 1.15rem; margin-top: 0; } h3 { font-size: 1rem; }
section { background: var(--card); border: 1px solid var(--line); border-radius: 8px; padding: 1rem 1.2rem; margin: 1rem 0; overflow-x: auto; }
.muted { color: var(--muted); font-weight: normal; } code { font-size: .9em; }
table { border-collapse: collapse; } td, th { padding: .25rem .9rem .25rem 0; text-align: left; } th { white-space: nowrap; }
tr.pass td:last-child { color: #16a34a; font-weight: 600; } tr.miss td:last-child { color: #dc2626; font-weight: 600; }
.badge { font-size: .8rem; padding: .1rem .5rem; border-radius: 999px; color: #ffffff; vertical-align: middle; }
.badge.passed { background: #15803d; } .badge.failed { background: #b91c1c; } .badge.error { background: #92400e; }
.error-box { border-left: 3px solid #b91c1c; padding: .1rem 0 .1rem .8rem; margin-top: .8rem; }
.error-kind { margin: .2rem 0; font-weight: 600; } .error-where { font-weight: normal; }
.error-message { color: var(--error-fg); white-space: pre-wrap; overflow-wrap: anywhere; font-family: ui-monospace, monospace; font-size: .85rem; margin: .3rem 0; }
svg.chart { max-width: 100%; height: auto; display: block; }
svg .grid { stroke: var(--line); } svg .axis { stroke: var(--muted); }
svg .tick, svg .label, svg .threshold-label { fill: var(--muted); font-size: 11px; font-family: system-ui, sans-serif; }
svg .label { font-size: 12px; } svg .line { stroke-width: 2; } svg .line.faded { stroke-width: 1.2; opacity: .7; }
svg .threshold { stroke: #f59e0b; stroke-width: 1.5; stroke-dasharray: 6 4; } svg .threshold-label { fill: #b45309; }
svg .baseline { stroke: var(--muted); stroke-width: 1; stroke-dasharray: 2 3; } svg .baseline-label { fill: var(--muted); font-size: 11px; font-family: system-ui, sans-serif; }
svg .pt.pass { fill: #16a34a; } svg .pt.miss { fill: #dc2626; }
svg .count { font-size: 11px; fill: #1f2937; font-family: system-ui, sans-serif; } svg .count.on-dark { fill: #fff; }
.legend { list-style: none; padding: 0; margin: .3rem 0 0; display: flex; gap: 1rem; flex-wrap: wrap; font-size: .85rem; }
.legend .faded { color: var(--muted); } .swatch { display: inline-block; width: .8rem; height: .8rem; border-radius: 2px; margin-right: .35rem; vertical-align: -1px; }
.diagnoses { list-style: none; padding: 0; margin: 0; } .diagnosis { border-left: 3px solid #f59e0b; padding: .1rem 0 .1rem .8rem; margin: .6rem 0; }
.diagnosis p { margin: .2rem 0; } .try { font-weight: 600; }
footer { color: var(--muted); font-size: .85rem; margin: 1.5rem 0; }
`;

export function renderReport(input: ReportInput): string {
  const { exercise, attempts } = input;
  const key = esc(exercise.key);
  const passedAt = attempts.findIndex((a) => a.status === 'passed');
  const body =
    attempts.length === 0
      ? `<section><p>No checks yet. Run <code>mlpath check ${key}</code> and this page fills in.</p></section>`
      : [
          latestSection(input),
          findingsSection(attempts),
          coachSection(attempts),
          exercise.kind === 'functions' && attempts.every((a) => a.curve.length === 0) ? '' : trainingSection(attempts),
          historySection(attempts),
          confusionSection(attempts),
        ].join('\n');
  const standing =
    attempts.length === 0
      ? ''
      : passedAt >= 0
        ? `${attempts.length} attempt${attempts.length > 1 ? 's' : ''}; first passed on attempt ${passedAt + 1}.`
        : `${attempts.length} attempt${attempts.length > 1 ? 's' : ''}; not passed yet.`;
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${key}: ${esc(exercise.title)} (mlpath report)</title>
<style>${CSS}</style>
</head>
<body>
<header>
<h1>${key}: ${esc(exercise.title)}</h1>
${exercise.summary ? `<p>${esc(exercise.summary)}</p>` : ''}
<p class="muted">${standing}</p>
</header>
${body}
<footer>Generated by mlpath at ${esc(when(input.generatedAt))} from <code>.mlpath/runs/</code>. Check again: <code>mlpath check ${key}</code>. Rebuild this page: <code>mlpath report ${key}</code>.</footer>
</body>
</html>
`;
}
