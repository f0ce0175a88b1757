/**
 * Suite of month4/monitoring: monitoring a served model whose labels arrive
 * late.
 *
 * The grader serves a model of its own (a logistic regression it fits here on
 * real 1985 CPS wage records: is the hourly wage above the median?) and plays
 * seeded streams of its predictions to the learner, one tick at a time: each
 * tick brings 100 new predictions with their features at once, and the labels
 * of earlier predictions, 2-4 ticks after them, in shuffled order, some never.
 * The learner's monitor is a reducer over plain JSON state:
 *   init(reference) -> state, then update(state, tick) -> { state, report },
 * so the grader chains it: the verify of one tick writes the state the learner
 * returned into the arguments of the same stream's next tick (the parent runs
 * the cases in order; the streams are interleaved, so state kept anywhere else
 * gets mixed up). A tick's rows never reach the learner's process before that
 * tick, so a monitor cannot look ahead.
 *
 * Streams are bootstrap draws from the real rows: `none` (the control),
 * `covariate` and `covariate-gradual` (from the change on, rows are drawn with
 * weights that favour experienced, educated workers: the inputs move, which
 * per-feature drift statistics see at once) and `concept` (from the change on,
 * workers with under 15 years of experience earn twice as much, a labour shortage
 * for juniors, while the label's bar stays put: the inputs keep their distribution,
 * only the accuracy on labelled predictions drops, and only once their labels
 * arrive). Every report's `labelledAccuracy` (the accuracy of the predictions
 * whose labels came in that tick, joined by id) is checked exactly; the alerts
 * are scored like a pager:
 *   detection_rate    share of drifted streams with an alert at or after the change
 *   false_alarm_rate  share of ticks before a change (or in `none` streams) that alerted
 *   detection_delay   ticks from the change to the first alert, over detected streams
 */
import { loadDataset } from '../../datasets';
import { createRng, deriveSeed, randomInt, shuffleInPlace, type Rng } from '../../datasets/rng';
import { capCarried } from './carried';
import type { CaseOutcome, Suite, SuiteCase } from './types';

export const FEATURES = ['education_years', 'experience_years', 'age', 'female', 'union_member', 'married'];
export const TICKS = 20;
export const PER_TICK = 100;
export const REFERENCE_ROWS = 500;
export const STREAM_KINDS = ['none', 'covariate', 'covariate-gradual', 'concept'] as const;
export type StreamKind = (typeof STREAM_KINDS)[number];
const STREAMS: Record<StreamKind, number> = { none: 6, covariate: 4, 'covariate-gradual': 4, concept: 4 };
/** Share of predictions whose label never arrives. */
const UNLABELLED = 0.1;
/** Log-weight per standard deviation of experience and education after a covariate change. */
const SHIFT = 0.9;
/** After a concept change, workers with less experience than this (years) earn PAY_RISE times more. */
const JUNIOR_YEARS = 15;
const PAY_RISE = 2;

export interface Prediction {
  id: string;
  x: number[];
  pred: number;
}

export interface Tick {
  tick: number;
  predictions: Prediction[];
  labels: { id: string; y: number }[];
}

export interface Reference {
  features: string[];
  x: number[][];
  pred: number[];
  y: number[];
}

export interface Stream {
  kind: StreamKind;
  reference: Reference;
  ticks: Tick[];
  /** First tick of the change; undefined for `none`. */
  changeTick?: number;
}

interface Base {
  x: number[][];
  wage: number[];
  median: number;
  /** The served model's prediction for each base row. */
  pred: number[];
}

// ---- the served model: a logistic regression fitted here -------------------------

function standardise(x: number[][]): { mean: number[]; sd: number[] } {
  const d = x[0].length;
  const mean = Array.from({ length: d }, (_, j) => x.reduce((a, r) => a + r[j], 0) / x.length);
  const sd = mean.map((m, j) => Math.sqrt(x.reduce((a, r) => a + (r[j] - m) ** 2, 0) / x.length) || 1);
  return { mean, sd };
}

/** Full-batch gradient descent, fixed steps: the same weights on every machine. */
function fitLogistic(x: number[][], y: number[]): (row: number[]) => number {
  const { mean, sd } = standardise(x);
  const z = x.map((r) => r.map((v, j) => (v - mean[j]) / sd[j]));
  const w = new Array<number>(x[0].length).fill(0);
  let b = 0;
  for (let it = 0; it < 300; it++) {
    const gw = new Array<number>(w.length).fill(0);
    let gb = 0;
    z.forEach((r, i) => {
      const p = 1 / (1 + Math.exp(-r.reduce((a, v, j) => a + v * w[j], b)));
      const e = p - y[i];
      r.forEach((v, j) => (gw[j] += e * v));
      gb += e;
    });
    w.forEach((_, j) => (w[j] -= (0.5 * gw[j]) / z.length));
    b -= (0.5 * gb) / z.length;
  }
  return (row) => (row.reduce((a, v, j) => a + ((v - mean[j]) / sd[j]) * w[j], b) > 0 ? 1 : 0);
}

let base: Base | undefined;
async function loadBase(): Promise<Base> {
  if (base) return base;
  const ds = await loadDataset('cps-wages', {});
  const names = ds.featureNames ?? [];
  const cols = FEATURES.map((f) => names.indexOf(f));
  if (cols.some((c) => c < 0)) throw new Error(`cps-wages lacks one of ${FEATURES.join(', ')}`);
  const width = names.length;
  const x = Array.from({ length: ds.n }, (_, i) => cols.map((c) => ds.features[i * width + c]));
  const wage = Array.from(ds.labels);
  const median = [...wage].sort((a, b) => a - b)[Math.floor(wage.length / 2)];
  const model = fitLogistic(
    x,
    wage.map((w) => (w > median ? 1 : 0)),
  );
  base = { x, wage, median, pred: x.map(model) };
  return base;
}

// ---- seeded streams ----------------------------------------------------------

/** Draws a row index with probability proportional to `weights` (cumulative sums given). */
function drawWeighted(rng: Rng, cumulative: number[]): number {
  const u = rng() * cumulative[cumulative.length - 1];
  let lo = 0;
  let hi = cumulative.length - 1;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (cumulative[mid] < u) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

function shiftedWeights(b: Base): number[] {
  const { mean, sd } = standardise(b.x);
  const cum: number[] = [];
  let acc = 0;
  for (const r of b.x) {
    const s = (r[1] - mean[1]) / sd[1] + (r[0] - mean[0]) / sd[0];
    acc += Math.exp((SHIFT * s) / Math.SQRT2);
    cum.push(acc);
  }
  return cum;
}

export function makeStream(b: Base, kind: StreamKind, rng: Rng, tag: string): Stream {
  const ref = Array.from({ length: REFERENCE_ROWS }, () => randomInt(rng, b.x.length));
  const reference: Reference = {
    features: FEATURES.slice(),
    x: ref.map((i) => b.x[i].slice()),
    pred: ref.map((i) => b.pred[i]),
    y: ref.map((i) => (b.wage[i] > b.median ? 1 : 0)),
  };
  const changeTick = kind === 'none' ? undefined : 7 + randomInt(rng, 5);
  const shifted = shiftedWeights(b);
  const ticks: Tick[] = Array.from({ length: TICKS }, (_, t) => ({ tick: t + 1, predictions: [], labels: [] }));
  const ids = new Set<string>();
  for (let t = 0; t < TICKS; t++) {
    const after = changeTick !== undefined && t + 1 >= changeTick;
    for (let k = 0; k < PER_TICK; k++) {
      let covariate = after && kind.startsWith('covariate');
      if (covariate && kind === 'covariate-gradual') covariate = rng() < Math.min(1, (t + 2 - changeTick!) / 5);
      const i = covariate ? drawWeighted(rng, shifted) : randomInt(rng, b.x.length);
      const raised = after && kind === 'concept' && b.x[i][1] < JUNIOR_YEARS;
      let id: string;
      do
        id = `${tag}-${randomInt(rng, 2 ** 30)
          .toString(16)
          .padStart(8, '0')}`;
      while (ids.has(id));
      ids.add(id);
      ticks[t].predictions.push({ id, x: b.x[i].slice(), pred: b.pred[i] });
      if (rng() < UNLABELLED) continue;
      const arrives = t + 2 + randomInt(rng, 3);
      if (arrives < TICKS)
        ticks[arrives].labels.push({ id, y: b.wage[i] * (raised ? PAY_RISE : 1) > b.median ? 1 : 0 });
    }
  }
  for (const tk of ticks) shuffleInPlace(tk.labels, rng);
  return { kind, reference, ticks, changeTick };
}

export async function makeStreams(seed: number): Promise<Stream[]> {
  const b = await loadBase();
  const out: Stream[] = [];
  for (const kind of STREAM_KINDS) {
    for (let k = 0; k < STREAMS[kind]; k++) {
      const rng = createRng(deriveSeed(seed, `monitoring:${kind}:${k}`));
      out.push(makeStream(b, kind, rng, `p${randomInt(rng, 46656).toString(36)}`));
    }
  }
  shuffleInPlace(out, createRng(deriveSeed(seed, 'monitoring:order')));
  return out;
}

// ---- checking and scoring ----------------------------------------------------

/** The accuracy of this tick's labelled predictions, joined by id; null when no label came. */
export function labelledAccuracy(stream: Stream, t: number): number | null {
  const pred = new Map<string, number>();
  for (let s = 0; s < t; s++) for (const p of stream.ticks[s].predictions) pred.set(p.id, p.pred);
  const labels = stream.ticks[t - 1].labels;
  if (!labels.length) return null;
  return labels.filter((l) => pred.get(l.id) === l.y).length / labels.length;
}

interface TickTag {
  stream: number;
  kind: StreamKind;
  tick: number;
  changeTick?: number;
}

function reportProblem(value: unknown, stream: Stream, t: number): string | undefined {
  if (!value || typeof value !== 'object' || Array.isArray(value)) return 'update must return { state, report }';
  const report = (value as { report?: unknown }).report as Record<string, unknown> | undefined;
  if (!report || typeof report !== 'object') return 'update must return { state, report }: report is missing';
  if (typeof report.alert !== 'boolean') return `report.alert is ${JSON.stringify(report.alert)}; true or false`;
  const drift = report.drift as Record<string, unknown> | undefined;
  if (!drift || typeof drift !== 'object')
    return `report.drift must hold one drift statistic per feature (${FEATURES.join(', ')})`;
  const bad = FEATURES.filter((f) => typeof drift[f] !== 'number' || !Number.isFinite(drift[f]));
  if (bad.length) return `report.drift.${bad[0]} is ${JSON.stringify(drift[bad[0]])}; a finite number per feature`;
  const want = labelledAccuracy(stream, t);
  const got = report.labelledAccuracy;
  const ok = want === null ? got === null : typeof got === 'number' && Math.abs(got - want) <= 1e-9;
  if (!ok) {
    const labels = new Set(stream.ticks[t - 1].labels.map((l) => l.id));
    const from = stream.ticks.filter((tk) => tk.predictions.some((p) => labels.has(p.id))).map((tk) => tk.tick);
    return want === null
      ? `report.labelledAccuracy is ${JSON.stringify(got)}, expected null: no label arrived at tick ${t}`
      : `report.labelledAccuracy is ${JSON.stringify(got)}, expected ${want.toFixed(4)}: the ${labels.size} labels that arrived at tick ${t} belong to predictions of tick${from.length > 1 ? 's' : ''} ${from.join(', ')}, in another order (and some predictions never get a label); join each label to its prediction by id`;
  }
  return undefined;
}

export interface StreamVerdict {
  kind: StreamKind;
  detected: boolean;
  delay?: number;
  falseAlarms: number;
  quietTicks: number;
}

export function verdicts(ticks: { tag: TickTag; alert: boolean }[]): StreamVerdict[] {
  const byStream = new Map<number, { tag: TickTag; alert: boolean }[]>();
  for (const w of ticks) byStream.set(w.tag.stream, [...(byStream.get(w.tag.stream) ?? []), w]);
  return [...byStream.values()].map((list) => {
    list.sort((a, b) => a.tag.tick - b.tag.tick);
    const change = list[0].tag.changeTick;
    const quiet = list.filter((w) => change === undefined || w.tag.tick < change);
    const first = list.find((w) => change !== undefined && w.tag.tick >= change && w.alert);
    return {
      kind: list[0].tag.kind,
      detected: first !== undefined,
      delay: first && change !== undefined ? first.tag.tick - change : undefined,
      falseAlarms: quiet.filter((w) => w.alert).length,
      quietTicks: quiet.length,
    };
  });
}

export function scoreVerdicts(list: StreamVerdict[]): Record<string, number> {
  const drifted = list.filter((v) => v.kind !== 'none');
  const detected = drifted.filter((v) => v.detected);
  const quiet = list.reduce((a, v) => a + v.quietTicks, 0);
  const alarms = list.reduce((a, v) => a + v.falseAlarms, 0);
  return {
    detection_rate: drifted.length ? detected.length / drifted.length : NaN,
    false_alarm_rate: quiet ? alarms / quiet : NaN,
    detection_delay: detected.length ? detected.reduce((a, v) => a + v.delay!, 0) / detected.length : NaN,
  };
}

function ticksOf(outcomes: CaseOutcome[]): { tag: TickTag; alert: boolean }[] {
  return outcomes
    .filter((o) => o.case.fn === 'update')
    .map((o) => {
      const report = (o.value as { report?: { alert?: unknown } } | undefined)?.report;
      return { tag: o.case.tag as TickTag, alert: !o.problem && report?.alert === true };
    });
}

/**
 * The most bytes a state may take on the channel: the reference's grows to 9.0 KB on seed 1 (most of it the
 * predictions whose labels never come), so this leaves a margin of over 100 times for any honest summary.
 */
export const MAX_STATE_BYTES = 1024 * 1024;

function capState(state: unknown, what: string): void {
  capCarried(
    state,
    MAX_STATE_BYTES,
    what,
    'keep summaries in it (counts per bin and feature over a window of recent ticks, the predictions still ' +
      'waiting for a label, a streak), not rows or text: the grader hands the state back at every tick, and a ' +
      'state that grows with the stream is a monitor that runs out of memory',
  );
}

export const suite: Suite = {
  id: 'monitoring',
  exports: ['init', 'update'],
  async prepare(seed: number) {
    return { readRoots: [], data: await makeStreams(seed), cleanup: () => undefined };
  },
  cases(_seed, fixture) {
    const streams = fixture?.data as Stream[];
    // One case list per stream, in time order; the streams interleaved tick by tick.
    const perStream: SuiteCase[][] = streams.map((s, index) => {
      const list: SuiteCase[] = [];
      const updates: SuiteCase[] = s.ticks.map((tk, t) => {
        const tag: TickTag = { stream: index, kind: s.kind, tick: tk.tick, changeTick: s.changeTick };
        const c: SuiteCase = {
          fn: 'update',
          title: `stream ${index + 1}, tick ${tk.tick}`,
          // args[0], the state, is written by the verify of the call before.
          args: [null, tk],
          tag,
          verify: (value) => {
            capState(
              (value as { state?: unknown } | null)?.state,
              `the state update returned at stream ${index + 1}, tick ${tk.tick}`,
            );
            const problem = reportProblem(value, s, tk.tick);
            if (t + 1 < updates.length) updates[t + 1].args[0] = (value as { state?: unknown } | null)?.state ?? null;
            return problem;
          },
        };
        return c;
      });
      list.push({
        fn: 'init',
        title: `stream ${index + 1}, init (reference of ${REFERENCE_ROWS} labelled rows)`,
        args: [s.reference],
        verify: (value) => {
          capState(value, `the state init returned for stream ${index + 1}`);
          updates[0].args[0] = value ?? null;
          return value === undefined ? 'init must return the initial state (any JSON value)' : undefined;
        },
      });
      list.push(...updates);
      return list;
    });
    const out: SuiteCase[] = [];
    for (let k = 0; k <= TICKS; k++) for (const list of perStream) out.push(list[k]);
    return out;
  },
  score(outcomes) {
    return scoreVerdicts(verdicts(ticksOf(outcomes)));
  },
  describe(outcomes) {
    const list = verdicts(ticksOf(outcomes));
    const kinds = STREAM_KINDS.filter((k) => k !== 'none').map((k) => {
      const of = list.filter((v) => v.kind === k);
      const delays = of.filter((v) => v.detected).map((v) => v.delay!);
      const mean = delays.length
        ? ` (mean delay ${(delays.reduce((a, d) => a + d, 0) / delays.length).toFixed(1)} ticks)`
        : '';
      return `${k} ${of.filter((v) => v.detected).length}/${of.length}${mean}`;
    });
    const quiet = list.reduce((a, v) => a + v.quietTicks, 0);
    const alarms = list.reduce((a, v) => a + v.falseAlarms, 0);
    const clean = list.filter((v) => v.kind === 'none').reduce((a, v) => a + v.falseAlarms, 0);
    return `detected: ${kinds.join(', ')}\nfalse alarms: ${alarms} of ${quiet} ticks before any change (${clean} on the streams that never change)`;
  },
};
