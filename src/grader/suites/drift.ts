/**
 * Suite of month4/drift: the learner's `detectDrift(reference, batch)` is
 * called on every batch of seeded streams, in a shuffled order, and scored
 * like a monitoring alert:
 *   detection_rate    share of drifted streams with an alarm on a batch that
 *                     ends after the change began
 *   false_alarm_rate  share of batches with no drift in them that alarmed
 *   detection_delay   rows from the start of the change to the end of the
 *                     first alarmed batch, averaged over detected streams
 *
 * Streams come from the `drift-stream` dataset (2 features, binary label):
 * `none`, `sudden` and `gradual` (the decision boundary turns: concept
 * drift, which inputs alone do not show), `prior` (P(y) moves: label shift).
 * Covariate shift, which that generator does not make, is made here from
 * `none` streams: from the change on, rows move by COVARIATE_SHIFT standard
 * deviations along the boundary, so P(x) changes and P(y | x) does not.
 */
import { loadDataset } from '../../datasets';
import { createRng, deriveSeed, oneWaySeed, shuffleInPlace, type Rng } from '../../datasets/rng';
import type { CaseOutcome, Suite, SuiteCase } from './types';

export const STREAM_ROWS = 2000;
export const REFERENCE_ROWS = 400;
export const BATCH_ROWS = 200;
export const STREAMS_PER_KIND = 8;
const AT = 0.5;
const WIDTH = 0.3;
export const COVARIATE_SHIFT = 0.7;

export const STREAM_KINDS = ['none', 'sudden', 'gradual', 'prior', 'covariate-sudden', 'covariate-gradual'] as const;
export type StreamKind = (typeof STREAM_KINDS)[number];

export interface Batch {
  x: number[][];
  y: number[];
}

export interface Stream {
  kind: StreamKind;
  x: number[][];
  y: number[];
  /** First row of the change; undefined for a stream without drift. */
  driftStart?: number;
}

interface WindowTag {
  stream: number;
  kind: StreamKind;
  /** Rows [end - BATCH_ROWS, end) of the stream. */
  end: number;
  driftStart?: number;
}

function rows(features: Float32Array, d: number, n: number): number[][] {
  return Array.from({ length: n }, (_, i) => Array.from(features.subarray(i * d, (i + 1) * d)));
}

/** Moves rows along the boundary (orthogonal to w): the inputs shift, the labels stay right. */
function covariateShift(x: number[][], w: number[], start: number, end: number, rng: Rng): void {
  const norm = Math.hypot(w[0], w[1]);
  const u = [-w[1] / norm, w[0] / norm];
  for (let i = start; i < x.length; i++) {
    const shifted = i >= end || rng() < (i - start + 1) / (end - start + 1);
    if (shifted) {
      x[i][0] += COVARIATE_SHIFT * u[0];
      x[i][1] += COVARIATE_SHIFT * u[1];
    }
  }
}

export async function makeStream(kind: StreamKind, seed: number): Promise<Stream> {
  const base = kind.startsWith('covariate') ? 'none' : kind;
  const ds = await loadDataset('drift-stream', { kind: base, n: STREAM_ROWS, d: 2, at: AT, width: WIDTH, seed });
  const x = rows(ds.features, 2, ds.n);
  const y = Array.from(ds.labels);
  const meta = ds.meta as { driftAt?: number; driftStart?: number; conceptBefore: number[] };
  if (kind === 'none') return { kind, x, y };
  if (!kind.startsWith('covariate')) return { kind, x, y, driftStart: meta.driftStart ?? meta.driftAt };
  const at = Math.round(STREAM_ROWS * AT);
  const half = kind === 'covariate-gradual' ? Math.round((STREAM_ROWS * WIDTH) / 2) : 0;
  covariateShift(x, meta.conceptBefore, at - half, at + half, createRng(deriveSeed(seed, `covariate:${kind}`)));
  return { kind, x, y, driftStart: at - half };
}

/**
 * The seed of stream k of a kind: one-way (SHA-256) and a full 32 bits. The generator is public source and
 * graded code sees the rows, so a seed it could find by search (once deriveSeed(...) % 1e6: a million
 * candidates, the first reference row decides) or invert back to the case seed (FNV, which would give every
 * other stream) lets it rebuild the stream and alarm where the change is, with no test at all
 * (test/fixtures/submissions/adv22-drift-regenerate.ts). What is left is a search of the generator's 32-bit
 * state, one stream at a time: minutes per stream against the exercise's 60 s.
 */
export function streamSeed(seed: number, kind: StreamKind, k: number): number {
  return oneWaySeed(seed, `drift:${kind}:${k}`);
}

export async function makeStreams(seed: number): Promise<Stream[]> {
  const out: Stream[] = [];
  for (const kind of STREAM_KINDS) {
    for (let k = 0; k < STREAMS_PER_KIND; k++) out.push(await makeStream(kind, streamSeed(seed, kind, k)));
  }
  return out;
}

/** The alarm in a detector's answer: `true`, or an object with `drift: true`; undefined when unreadable. */
export function readAlarm(value: unknown): boolean | undefined {
  if (typeof value === 'boolean') return value;
  if (value && typeof value === 'object' && typeof (value as { drift?: unknown }).drift === 'boolean')
    return (value as { drift: boolean }).drift;
  return undefined;
}

export interface DriftScores {
  detection_rate: number;
  false_alarm_rate: number;
  detection_delay: number;
}

export interface StreamVerdict {
  kind: StreamKind;
  detected: boolean;
  delay?: number;
  falseAlarms: number;
  quietBatches: number;
}

/** Per stream: did an alarm come after the change began, how late, and how many alarms came before it. */
export function verdicts(windows: { tag: WindowTag; alarm: boolean }[]): StreamVerdict[] {
  const byStream = new Map<number, { tag: WindowTag; alarm: boolean }[]>();
  for (const w of windows) byStream.set(w.tag.stream, [...(byStream.get(w.tag.stream) ?? []), w]);
  return [...byStream.values()].map((list) => {
    list.sort((a, b) => a.tag.end - b.tag.end);
    const start = list[0].tag.driftStart;
    const quiet = list.filter((w) => start === undefined || w.tag.end <= start);
    const firstAlarm = list.find((w) => start !== undefined && w.tag.end > start && w.alarm);
    return {
      kind: list[0].tag.kind,
      detected: firstAlarm !== undefined,
      delay: firstAlarm && start !== undefined ? firstAlarm.tag.end - start : undefined,
      falseAlarms: quiet.filter((w) => w.alarm).length,
      quietBatches: quiet.length,
    };
  });
}

export function scoreVerdicts(list: StreamVerdict[]): DriftScores {
  const drifted = list.filter((v) => v.kind !== 'none');
  const detected = drifted.filter((v) => v.detected);
  const quiet = list.reduce((a, v) => a + v.quietBatches, 0);
  const falseAlarms = list.reduce((a, v) => a + v.falseAlarms, 0);
  return {
    detection_rate: drifted.length ? detected.length / drifted.length : NaN,
    false_alarm_rate: quiet ? falseAlarms / quiet : NaN,
    detection_delay: detected.length ? detected.reduce((a, v) => a + v.delay!, 0) / detected.length : NaN,
  };
}

function windowsOf(outcomes: CaseOutcome[]): { tag: WindowTag; alarm: boolean }[] {
  return outcomes.map((o) => ({ tag: o.case.tag as WindowTag, alarm: !o.problem && readAlarm(o.value) === true }));
}

export const suite: Suite = {
  id: 'drift',
  exports: ['detectDrift'],
  async prepare(seed: number) {
    return { readRoots: [], data: await makeStreams(seed), cleanup: () => undefined };
  },
  cases(seed, fixture) {
    const streams = fixture?.data as Stream[];
    const out: SuiteCase[] = [];
    streams.forEach((s, index) => {
      const reference: Batch = { x: s.x.slice(0, REFERENCE_ROWS), y: s.y.slice(0, REFERENCE_ROWS) };
      for (let end = REFERENCE_ROWS + BATCH_ROWS; end <= STREAM_ROWS; end += BATCH_ROWS) {
        const batch: Batch = { x: s.x.slice(end - BATCH_ROWS, end), y: s.y.slice(end - BATCH_ROWS, end) };
        const tag: WindowTag = { stream: index, kind: s.kind, end, driftStart: s.driftStart };
        out.push({
          fn: 'detectDrift',
          title: `stream ${index + 1}, rows ${end - BATCH_ROWS}-${end - 1}`,
          args: [reference, batch],
          tag,
          verify: (value) =>
            readAlarm(value) === undefined
              ? `returned ${JSON.stringify(value)?.slice(0, 60) ?? 'undefined'}; return { drift: true } or { drift: false }`
              : undefined,
        });
      }
    });
    // A detector sees one batch at a time, in no particular order: it cannot count its way to the change.
    shuffleInPlace(out, createRng(deriveSeed(seed, 'drift:order')));
    return out;
  },
  score(outcomes) {
    return { ...scoreVerdicts(verdicts(windowsOf(outcomes))) };
  },
  describe(outcomes) {
    const list = verdicts(windowsOf(outcomes));
    const kinds = STREAM_KINDS.filter((k) => k !== 'none').map((k) => {
      const of = list.filter((v) => v.kind === k);
      return `${k} ${of.filter((v) => v.detected).length}/${of.length}`;
    });
    const quiet = list.reduce((a, v) => a + v.quietBatches, 0);
    const alarms = list.reduce((a, v) => a + v.falseAlarms, 0);
    const noneAlarms = list.filter((v) => v.kind === 'none').reduce((a, v) => a + v.falseAlarms, 0);
    return `detected: ${kinds.join(', ')}\nfalse alarms: ${alarms} of ${quiet} batches without drift (${noneAlarms} on the streams that never drift)`;
  },
};
