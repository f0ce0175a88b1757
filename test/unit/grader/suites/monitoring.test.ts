/**
 * The monitoring suite: its streams hold the changes their kinds name (inputs
 * that move, or only the labels), labels come late, shuffled and not all of
 * them, the state is chained from one tick to the next by the suite itself,
 * and the scores accept the reference and reject the starter and the shortcuts
 * learners take: watching the inputs only, alerting without persistence,
 * matching labels to predictions by arrival order.
 */
import { suiteFor } from '../../../../src/grader/suites';
import {
  suite,
  labelledAccuracy,
  FEATURES,
  TICKS,
  PER_TICK,
  MAX_STATE_BYTES,
  type Stream,
} from '../../../../src/grader/suites/monitoring';
import { carriedBytes } from '../../../../src/grader/suites/carried';
import { InvalidOutputError } from '../../../../src/grader/predictions';
import type { CaseOutcome, SuiteFixture } from '../../../../src/grader/suites/types';
import * as reference from '../../../../solutions/month4/monitoring/monitoring';
import * as starter from '../../../../exercises/month4/monitoring/monitoring';
import * as inputsOnly from '../../../fixtures/submissions/m4a-mon-inputs-only';
import * as noPersistence from '../../../fixtures/submissions/m4a-mon-no-persistence';
import * as byOrder from '../../../fixtures/submissions/m4a-mon-by-order';

type Impl = Record<string, unknown>;

const fixtures = new Map<number, SuiteFixture>();
async function fixture(seed: number): Promise<SuiteFixture> {
  if (!fixtures.has(seed)) fixtures.set(seed, await suite.prepare!(seed));
  return fixtures.get(seed)!;
}

/** Runs every case in order, as the grader's parent does (values through JSON, as the channel passes them). */
async function grade(
  impl: Impl,
  seed = 1,
  sent: unknown[] = [],
): Promise<{ scores: Record<string, number>; problems: string[] }> {
  const outcomes: CaseOutcome[] = [];
  const problems: string[] = [];
  for (const c of suite.cases(seed, await fixture(seed))) {
    if (c.fn === 'update') sent.push(c.args[0]);
    let value: unknown;
    let problem: string | undefined;
    try {
      const args = JSON.parse(JSON.stringify(c.args)) as unknown[];
      value = JSON.parse(JSON.stringify((impl[c.fn] as (...a: unknown[]) => unknown)(...args) ?? null));
      problem = c.verify(value);
    } catch (err) {
      problem = `threw ${(err as Error).message}`;
    }
    if (problem) problems.push(`${c.title}: ${problem}`);
    outcomes.push({ case: c, value, problem });
  }
  return { scores: suite.score!(outcomes), problems };
}

const passes = (s: Record<string, number>): boolean =>
  s.detection_rate >= 0.9 && s.false_alarm_rate <= 0.05 && s.detection_delay <= 8;

describe('monitoring suite', () => {
  it('is registered, and its cases call its exports', async () => {
    expect(await suiteFor('monitoring')).toBe(suite);
    const cases = suite.cases(1, await fixture(1));
    expect([...new Set(cases.map((c) => c.fn))].sort()).toEqual([...suite.exports].sort());
    expect(cases).toHaveLength(18 * (TICKS + 1));
  });

  it('builds streams whose labels come late, shuffled, by id, and some never', async () => {
    const streams = (await fixture(2)).data as Stream[];
    for (const s of streams) {
      const tickOf = new Map<string, number>();
      s.ticks.forEach((tk) => tk.predictions.forEach((p) => tickOf.set(p.id, tk.tick)));
      expect(tickOf.size).toBe(TICKS * PER_TICK);
      const lags = s.ticks.flatMap((tk) => tk.labels.map((l) => tk.tick - tickOf.get(l.id)!));
      expect(Math.min(...lags)).toBe(2);
      expect(Math.max(...lags)).toBe(4);
      const labelled = s.ticks.reduce((a, tk) => a + tk.labels.length, 0);
      const due = s.ticks.slice(0, TICKS - 4).reduce((a, tk) => a + tk.predictions.length, 0);
      expect(labelled).toBeLessThan(0.95 * (due + 4 * PER_TICK));
      expect(s.reference.features).toEqual(FEATURES);
    }
  });

  it('moves the inputs in covariate streams, and only the accuracy in concept streams', async () => {
    const streams = (await fixture(1)).data as Stream[];
    const meanExperience = (s: Stream, from: number, to: number): number => {
      const rows = s.ticks.slice(from, to).flatMap((tk) => tk.predictions.map((p) => p.x[1]));
      return rows.reduce((a, v) => a + v, 0) / rows.length;
    };
    const accuracy = (s: Stream, from: number, to: number): number => {
      const a = s.ticks.slice(from, to).map((_, i) => labelledAccuracy(s, from + i + 1) ?? 0);
      return a.reduce((x, v) => x + v, 0) / a.length;
    };
    for (const s of streams) {
      if (s.kind === 'none') continue;
      const c = s.changeTick!;
      const moved = meanExperience(s, c + 4, TICKS) - meanExperience(s, 0, c - 1);
      if (s.kind === 'concept') {
        expect(Math.abs(moved)).toBeLessThan(2.5);
        expect(accuracy(s, 2, c) - accuracy(s, c + 4, TICKS)).toBeGreaterThan(0.06);
      } else expect(moved).toBeGreaterThan(3);
    }
  });

  it('chains the state: each tick gets the state the previous call of its stream returned', async () => {
    const seen: unknown[] = [];
    const probe = {
      init: () => ({ calls: 0 }),
      update: (state: { calls: number }) => {
        seen.push(state.calls);
        return { state: { calls: state.calls + 1 }, report: { alert: false, labelledAccuracy: null, drift: {} } };
      },
    };
    await grade(probe, 1);
    const perStream = 18;
    expect(seen.slice(0, perStream)).toEqual(new Array(perStream).fill(0));
    expect(seen.slice(-perStream)).toEqual(new Array(perStream).fill(TICKS - 1));
  });

  it('passes the reference solution on several seeds', async () => {
    for (const seed of [1, 2, 3]) {
      const { scores, problems } = await grade(reference, seed);
      expect(problems).toEqual([]);
      expect(passes(scores)).toBe(true);
    }
  });

  it('fails the starter: it never alerts and never joins a label', async () => {
    const { scores, problems } = await grade(starter);
    expect(scores.detection_rate).toBe(0);
    expect(problems.join('\n')).toMatch(/labelledAccuracy is null, expected 0\.\d+/);
  });

  it('fails a monitor of the inputs only: concept drift goes unseen', async () => {
    const { scores, problems } = await grade(inputsOnly);
    expect(problems).toEqual([]);
    expect(scores.detection_rate).toBeCloseTo(2 / 3, 5);
    expect(passes(scores)).toBe(false);
  });

  it('fails alerts without persistence: too many false alarms', async () => {
    const { scores } = await grade(noPersistence);
    expect(scores.detection_rate).toBe(1);
    expect(scores.false_alarm_rate).toBeGreaterThan(0.1);
  });

  it('fails labels matched to predictions by arrival order', async () => {
    const { problems } = await grade(byOrder);
    expect(problems.length).toBeGreaterThan(200);
    expect(problems[0]).toMatch(/tick 3: report\.labelledAccuracy is .*join each label to its prediction by id/);
  });

  it("keeps the reference's states over 100 times under the cap on what is carried from tick to tick", async () => {
    const states: unknown[] = [];
    await grade(reference, 1, states);
    expect(states).toHaveLength(18 * TICKS);
    const largest = Math.max(...states.map(carriedBytes));
    expect(largest).toBeGreaterThan(1000);
    expect(largest * 100).toBeLessThan(MAX_STATE_BYTES);
  });

  it('stops at the first state over the cap, naming its size, the cap and what to keep', async () => {
    const cases = suite.cases(1, await fixture(1));
    const init = cases.find((c) => c.fn === 'init')!;
    const update = cases.find((c) => c.fn === 'update')!;
    expect(init.verify({ rows: [] })).toBeUndefined();
    const big = { rows: 'x'.repeat(MAX_STATE_BYTES) };
    const report = { alert: false, labelledAccuracy: null, drift: Object.fromEntries(FEATURES.map((f) => [f, 0])) };
    expect(() => update.verify({ state: big, report })).toThrow(InvalidOutputError);
    expect(() => update.verify({ state: big, report })).toThrow(
      /^the state update returned at stream 1, tick 1 takes 1\.0 MB, more than the 1\.0 MB the grader carries from one call to the next: keep summaries in it/,
    );
    // At the cap itself it is carried.
    const overhead = carriedBytes(big.rows) - big.rows.length;
    const fits = 'x'.repeat(MAX_STATE_BYTES - overhead);
    expect(carriedBytes(fits)).toBe(MAX_STATE_BYTES);
    expect(() => update.verify({ state: fits, report })).not.toThrow();
    expect(() => init.verify(big)).toThrow(/^the state init returned for stream 1 takes/);
  });
});
