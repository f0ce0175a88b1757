/**
 * The feature-store suite: its scenarios hold the situations their titles
 * name (future updates, ties, late rows, stale rows, mixed UTC offsets, window
 * edges), its cases accept the reference solution (run in-process, values
 * passed through JSON as the channel does) and reject the starter and the
 * shortcuts learners take: the latest row per entity, timestamps compared as
 * text, an as-of join on validFrom alone.
 */
import { suiteFor } from '../../../../src/grader/suites';
import {
  suite,
  isoAt,
  latestJoinLeaks,
  refRow,
  type FeatureTable,
  type FsEvent,
  type Observation,
} from '../../../../src/grader/suites/feature-store';
import * as reference from '../../../../solutions/month4/feature-store/feature-store';
import * as starter from '../../../../exercises/month4/feature-store/feature-store';
import * as latest from '../../../fixtures/submissions/m4a-fs-latest';
import * as stringTime from '../../../fixtures/submissions/m4a-fs-string-time';
import * as validOnly from '../../../fixtures/submissions/m4a-fs-valid-only';
import { runCases } from '../../../helpers/suite-outcomes';

type Impl = Record<string, unknown>;

/** One entry per case: undefined when it passed, else `title: problem`. */
function outcomes(impl: Impl, seed = 1): (string | undefined)[] {
  return suite.cases(seed).map((c) => {
    let value: unknown;
    try {
      const args = JSON.parse(JSON.stringify(c.args)) as unknown[];
      value = (impl[c.fn] as (...a: unknown[]) => unknown)(...args);
    } catch (err) {
      return `${c.title}: threw ${(err as Error).message}`;
    }
    const problem = c.verify(JSON.parse(JSON.stringify(value ?? null)));
    return problem ? `${c.title}: ${problem}` : undefined;
  });
}

const failures = (impl: Impl, seed = 1): string[] => outcomes(impl, seed).filter((x): x is string => !!x);
const ms = (s: string): number => Date.parse(s);

describe('feature-store suite', () => {
  it('is registered, and its cases call its exports', async () => {
    expect(await suiteFor('feature-store')).toBe(suite);
    const cases = suite.cases(1);
    expect([...new Set(cases.map((c) => c.fn))].sort()).toEqual([...suite.exports].sort());
    expect(cases).toHaveLength(12);
  });

  it('draws the same cases from the same seed and other ones from another', () => {
    const args = (seed: number): string => JSON.stringify(suite.cases(seed).map((c) => c.args));
    expect(args(3)).toBe(args(3));
    expect(args(3)).not.toBe(args(4));
  });

  it('writes instants in UTC offsets that parse back to the same instant', () => {
    const t = Date.UTC(2024, 2, 8, 3, 15);
    for (const off of [0, 330, -480, 765, -210]) expect(Date.parse(isoAt(t, off))).toBe(t);
    expect(isoAt(t, 330)).toBe('2024-03-08T08:45:00+05:30');
  });

  it('builds scenarios that hold the situations their titles name', () => {
    const cases = suite.cases(2);
    const join = (i: number): { events: FsEvent[]; tables: FeatureTable[] } => {
      const [events, tables] = cases[i].args as [FsEvent[], FeatureTable[]];
      return { events, tables };
    };
    // Every entity has a row after its last event: the latest-value join sees the future.
    const { events: ev1, tables: t1 } = join(1);
    for (const e of ev1)
      expect(t1[0].rows.some((r) => r.entityId === e.entityId && ms(r.validFrom) > ms(e.time))).toBe(true);
    // Events exactly at a validFrom.
    const { events: ev2, tables: t2 } = join(2);
    expect(ev2.every((e) => t2[0].rows.some((r) => ms(r.validFrom) === ms(e.time)))).toBe(true);
    // Late rows: some event sees a row valid but not yet created.
    const { events: ev3, tables: t3 } = join(3);
    const late = ev3.filter((e) =>
      t3[0].rows.some(
        (r) => r.entityId === e.entityId && ms(r.validFrom) <= ms(e.time) && ms(r.createdAt) > ms(e.time),
      ),
    );
    expect(late.length).toBeGreaterThan(3);
    // TTL: both fresh and stale answers.
    const { events: ev4, tables: t4 } = join(4);
    const whys = ev4.map((e) => refRow(t4[0], e.entityId, ms(e.time)).why);
    expect(whys.filter((w) => w === 'stale').length).toBeGreaterThan(3);
    expect(whys.filter((w) => w === 'found').length).toBeGreaterThan(3);
    // Missing entities and events before the first row.
    const { events: ev5, tables: t5 } = join(5);
    const whys5 = ev5.map((e) => refRow(t5[0], e.entityId, ms(e.time)).why);
    expect(whys5).toContain('no-entity');
    expect(whys5).toContain('none-yet');
    // Mixed offsets where text order and time order disagree.
    const { events: ev6, tables: t6 } = join(6);
    const disagree = ev6.filter((e) =>
      t6[0].rows.some((r) => r.entityId === e.entityId && r.validFrom > e.time !== ms(r.validFrom) > ms(e.time)),
    );
    expect(disagree.length).toBeGreaterThan(3);
    // The window's edges: observations exactly windowHours before, and at the event's time.
    const [wev, wobs, hours] = cases[9].args as [FsEvent[], Observation[], number];
    const at = (e: FsEvent, dt: number): boolean =>
      wobs.some((o) => o.entityId === e.entityId && ms(o.time) === ms(e.time) - dt);
    expect(wev.filter((e) => at(e, 0)).length).toBeGreaterThan(3);
    expect(wev.filter((e) => at(e, hours * 3_600_000)).length).toBeGreaterThan(3);
  });

  it('passes the reference solution on every case, on several seeds', () => {
    for (const seed of [1, 2, 3, 7]) expect(failures(reference as unknown as Impl, seed)).toEqual([]);
  });

  it('fails the starter on every case', () => {
    expect(failures(starter as unknown as Impl)).toHaveLength(12);
  });

  it('fails the latest row per entity: it leaks values from the future', () => {
    for (const seed of [1, 2, 3]) {
      const out = outcomes(latest, seed);
      expect(out.filter(Boolean).length).toBeGreaterThanOrEqual(10);
      expect(out[1]).toMatch(/updated again after the last event.*after the event \(a value from the future\)/);
    }
  });

  it('fails timestamps compared as text on every case in several UTC offsets, and only there', () => {
    for (const seed of [1, 2, 3]) {
      const out = outcomes(stringTime, seed);
      expect(out.map((x) => !!x)).toEqual([
        false,
        false,
        false,
        false,
        false,
        false,
        true,
        true,
        false,
        false,
        false,
        true,
      ]);
      expect(out[6]).toMatch(/eight UTC offsets.*expected/);
    }
  });

  it('fails an as-of join on validFrom alone: late rows, corrections, TTL, late purchases', () => {
    for (const seed of [1, 2, 3]) {
      const out = outcomes(validOnly, seed);
      expect(out[3]).toMatch(/late-arriving rows.*(created at .* after the event|the correction created at)/);
      expect(out[4]).toMatch(/72-hour TTL.*stale/);
      expect(out[10]).toMatch(/late-arriving purchases.*created after the event \(out\)/);
    }
  });
});

describe('feature-store findings', () => {
  const at = (day: number, hour = 0): string => isoAt(Date.UTC(2024, 2, day, hour), 0);
  const table: FeatureTable = {
    name: 'account',
    ttlHours: 24,
    features: ['balance'],
    rows: [
      { entityId: 'a', validFrom: at(1), createdAt: at(1), values: { balance: 1 } },
      { entityId: 'a', validFrom: at(5), createdAt: at(5), values: { balance: 5 } },
    ],
  };
  const event = (eventId: string, time: string): FsEvent => ({ eventId, entityId: 'a', time, label: 0 });

  it('count what the latest-row join serves: a value from the future, one too stale, or the right row', () => {
    const leaks = latestJoinLeaks(
      [event('before', at(1, 12)), event('stale', at(7)), event('right', at(5, 1)), event('unknown', at(2))].concat([
        { eventId: 'other', entityId: 'b', time: at(3), label: 0 },
      ]),
      [table],
    );
    // before and unknown get day 5's row before it existed; stale gets day 5's row 48 hours after it (TTL 24).
    expect(leaks).toEqual({ future: 2, unservable: 1 });
  });

  it('report the leak over the joins the learner got right, and nothing for joins that failed', () => {
    const found = suite.findings!(runCases(suite, reference, 1));
    expect(found).toHaveLength(1);
    const [, events, future] = /Of the (\d+) events .* given (\d+) a value from after/.exec(found[0])!.map(Number);
    expect(future).toBeGreaterThan(0);
    expect(future).toBeLessThan(events);
    expect(suite.findings!(runCases(suite, starter, 1))).toEqual([]);
  });
});
