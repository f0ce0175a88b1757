/**
 * Suite of month4/feature-store: point-in-time correct training rows.
 *
 * The learner's `pointInTimeJoin(events, tables)` and `windowAggregates(events,
 * observations, windowHours)` are called on seeded scenarios the grader draws
 * here, and their answers are compared, event by event, with the grader's own
 * join computed below in plain JavaScript. Every scenario is built so one rule
 * of a point-in-time join decides it: values updated after the events (the
 * naive "latest value per entity" join leaks them), events exactly at a
 * row's valid-from time, late-arriving rows and corrections (a row counts
 * only once it was created), stale rows past a table's TTL, entities a table
 * does not have, timestamps in several UTC offsets (comparing ISO strings as
 * text orders them wrongly), and a window's edges (an observation exactly
 * `windowHours` before the event is in, one at the event's own time is out).
 * Events and rows come shuffled: nothing may depend on their order.
 */
import { createRng, deriveSeed, randomInt, shuffleInPlace, type Rng } from '../../datasets/rng';
import type { Suite, SuiteCase } from './types';

export interface FsEvent {
  eventId: string;
  entityId: string;
  time: string;
  label: number;
}

export interface FeatureRow {
  entityId: string;
  validFrom: string;
  createdAt: string;
  values: Record<string, number>;
}

export interface FeatureTable {
  name: string;
  /** Hours a row stays valid after its validFrom; null: forever. */
  ttlHours: number | null;
  features: string[];
  rows: FeatureRow[];
}

export interface Observation {
  entityId: string;
  time: string;
  createdAt: string;
  value: number;
}

export interface TrainingRow {
  eventId: string;
  entityId: string;
  label: number;
  features: Record<string, number | null>;
}

export interface WindowRow {
  eventId: string;
  count: number;
  sum: number;
  mean: number | null;
}

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
/** 2024-03-01T00:00:00Z: the scenarios' calendar starts here. */
const ORIGIN = Date.UTC(2024, 2, 1);

// ---- time stamps -------------------------------------------------------------

const pad = (n: number, w = 2): string => String(n).padStart(w, '0');

/** `ms` written as ISO 8601 local time at a UTC offset of `offsetMinutes` (0 gives 'Z'). */
export function isoAt(ms: number, offsetMinutes: number): string {
  const d = new Date(ms + offsetMinutes * 60_000);
  const base =
    `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}` +
    `T${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}`;
  if (offsetMinutes === 0) return `${base}Z`;
  const sign = offsetMinutes < 0 ? '-' : '+';
  const a = Math.abs(offsetMinutes);
  return `${base}${sign}${pad(Math.floor(a / 60))}:${pad(a % 60)}`;
}

const ms = (iso: string): number => Date.parse(iso);

/** Offsets (minutes) of the time-zone scenarios: far apart, so text order and time order disagree often. */
const OFFSETS = [0, 330, -480, 60, -210, 540, -600, 765];

// ---- the reference ------------------------------------------------------------

export const featureKey = (table: string, feature: string): string => `${table}.${feature}`;

/** The row of `table` in force for `entityId` at `t`, known by then and not stale, and why there is none. */
export function refRow(
  table: FeatureTable,
  entityId: string,
  t: number,
): { row?: FeatureRow; why: 'found' | 'no-entity' | 'none-yet' | 'stale' } {
  const own = table.rows.filter((r) => r.entityId === entityId);
  if (own.length === 0) return { why: 'no-entity' };
  let best: FeatureRow | undefined;
  for (const r of own) {
    const vf = ms(r.validFrom);
    const ca = ms(r.createdAt);
    if (vf > t || ca > t) continue;
    if (!best || vf > ms(best.validFrom) || (vf === ms(best.validFrom) && ca > ms(best.createdAt))) best = r;
  }
  if (!best) return { why: 'none-yet' };
  if (table.ttlHours !== null && t - ms(best.validFrom) > table.ttlHours * HOUR) return { why: 'stale' };
  return { row: best, why: 'found' };
}

export function refJoin(events: FsEvent[], tables: FeatureTable[]): TrainingRow[] {
  return events.map((e) => {
    const t = ms(e.time);
    const features: Record<string, number | null> = {};
    for (const table of tables) {
      const { row } = refRow(table, e.entityId, t);
      for (const f of table.features) features[featureKey(table.name, f)] = row ? row.values[f] : null;
    }
    return { eventId: e.eventId, entityId: e.entityId, label: e.label, features };
  });
}

/**
 * What the naive join (each entity's latest row, whatever the time) would have served, counted over the
 * events of the join cases the learner got right: the leak the exercise is about, in numbers.
 */
export function latestJoinLeaks(events: FsEvent[], tables: FeatureTable[]): { future: number; unservable: number } {
  let future = 0;
  let unservable = 0;
  for (const e of events) {
    const t = ms(e.time);
    let fromFuture = false;
    let notServed = false;
    for (const table of tables) {
      const own = table.rows.filter((r) => r.entityId === e.entityId);
      if (own.length === 0) continue;
      const latest = own.reduce((a, r) =>
        ms(r.validFrom) > ms(a.validFrom) || (ms(r.validFrom) === ms(a.validFrom) && ms(r.createdAt) > ms(a.createdAt))
          ? r
          : a,
      );
      const right = refRow(table, e.entityId, t).row;
      if (latest === right) continue;
      // Known by then yet not the right row: it can only be stale.
      if (ms(latest.validFrom) > t || ms(latest.createdAt) > t) fromFuture = true;
      else notServed = true;
    }
    if (fromFuture) future++;
    else if (notServed) unservable++;
  }
  return { future, unservable };
}

/** Observations of the event's entity with time in [t - window, t), created by t. */
export function refWindow(events: FsEvent[], observations: Observation[], windowHours: number): WindowRow[] {
  return events.map((e) => {
    const t = ms(e.time);
    const from = t - windowHours * HOUR;
    let count = 0;
    let sum = 0;
    for (const o of observations) {
      if (o.entityId !== e.entityId) continue;
      const ot = ms(o.time);
      if (ot >= from && ot < t && ms(o.createdAt) <= t) {
        count++;
        sum += o.value;
      }
    }
    return { eventId: e.eventId, count, sum, mean: count ? sum / count : null };
  });
}

// ---- checking an answer ---------------------------------------------------------

function describeValue(value: unknown): string {
  if (value === undefined || value === null) return `returned ${String(value)}`;
  if (Array.isArray(value)) return `returned an array of ${value.length}`;
  return `returned a ${typeof value}`;
}

/** The learner's rows by eventId, or what is wrong with their shape. */
function byEvent(value: unknown, events: FsEvent[]): Map<string, Record<string, unknown>> | string {
  if (!Array.isArray(value)) return `${describeValue(value)}; expected an array with one row per event`;
  const out = new Map<string, Record<string, unknown>>();
  for (const r of value as unknown[]) {
    if (!r || typeof r !== 'object') return 'every row must be an object with an eventId';
    const id = (r as { eventId?: unknown }).eventId;
    if (typeof id !== 'string') return 'every row needs the eventId of its event';
    if (out.has(id)) return `two rows for event ${id}: one training row per event`;
    out.set(id, r as Record<string, unknown>);
  }
  const missing = events.filter((e) => !out.has(e.eventId));
  if (missing.length) return `${missing.length} of ${events.length} events have no row (e.g. ${missing[0].eventId})`;
  if (out.size > events.length) return `${out.size} rows for ${events.length} events`;
  return out;
}

const close = (a: number, b: number): boolean => Math.abs(a - b) <= 1e-9 * Math.max(1, Math.abs(b));
const fmt = (v: unknown): string => (v === undefined ? 'missing' : JSON.stringify(v));

/** Why a wrong value is wrong: which row it came from and what rule that row breaks. */
function diagnose(table: FeatureTable, feature: string, e: FsEvent, got: unknown, want: number | null): string {
  const t = ms(e.time);
  const { row, why } = refRow(table, e.entityId, t);
  const source = table.rows.find((r) => r.entityId === e.entityId && r.values[feature] === got);
  let because = '';
  if (source && ms(source.validFrom) > t)
    because = `: ${fmt(got)} is from a row valid from ${source.validFrom}, after the event (a value from the future)`;
  else if (source && ms(source.createdAt) > t)
    because = `: ${fmt(got)} is from a row created at ${source.createdAt}, after the event (a late-arriving row was not known yet)`;
  else if (source && row && source !== row)
    because =
      ms(source.validFrom) === ms(row.validFrom)
        ? `: ${fmt(got)} is from a row valid from the same time but created at ${source.createdAt}; the correction created at ${row.createdAt} supersedes it`
        : `: ${fmt(got)} is from a row valid from ${source.validFrom}; a later one, valid from ${row.validFrom}, was in force`;
  const expected =
    why === 'found'
      ? `expected ${fmt(want)} (the row valid from ${row!.validFrom}, created at ${row!.createdAt})`
      : why === 'stale'
        ? `expected null: the latest known row is older than the table's TTL of ${table.ttlHours} hours (stale)`
        : why === 'no-entity'
          ? `expected null: table '${table.name}' has no row for entity ${e.entityId}`
          : `expected null: no row of '${table.name}' for ${e.entityId} was valid and known by then`;
  return `event ${e.eventId} (entity ${e.entityId} at ${e.time}): ${featureKey(table.name, feature)} is ${fmt(got)}, ${expected}${because}`;
}

export function joinProblem(value: unknown, events: FsEvent[], tables: FeatureTable[]): string | undefined {
  const rows = byEvent(value, events);
  if (typeof rows === 'string') return rows;
  const want = new Map(refJoin(events, tables).map((r) => [r.eventId, r]));
  for (const e of events) {
    const got = rows.get(e.eventId)!;
    if (got.label !== e.label) return `event ${e.eventId}: label is ${fmt(got.label)}, expected ${e.label}`;
    const features = got.features as Record<string, unknown> | undefined;
    if (!features || typeof features !== 'object')
      return `event ${e.eventId}: features must be an object keyed 'table.feature'`;
    for (const table of tables) {
      for (const f of table.features) {
        const key = featureKey(table.name, f);
        const w = want.get(e.eventId)!.features[key];
        const g = features[key];
        const ok = w === null ? g === null : typeof g === 'number' && close(g, w);
        if (!ok) return diagnose(table, f, e, g, w);
      }
    }
  }
  return undefined;
}

export function windowProblem(
  value: unknown,
  events: FsEvent[],
  observations: Observation[],
  windowHours: number,
): string | undefined {
  const rows = byEvent(value, events);
  if (typeof rows === 'string') return rows;
  for (const w of refWindow(events, observations, windowHours)) {
    const got = rows.get(w.eventId)!;
    const e = events.find((x) => x.eventId === w.eventId)!;
    const meanOk = w.mean === null ? got.mean === null : typeof got.mean === 'number' && close(got.mean, w.mean);
    if (got.count !== w.count || typeof got.sum !== 'number' || !close(got.sum, w.sum) || !meanOk) {
      const t = ms(e.time);
      const own = observations.filter((o) => o.entityId === e.entityId);
      const atEvent = own.filter((o) => ms(o.time) === t).length;
      const atEdge = own.filter((o) => ms(o.time) === t - windowHours * HOUR && ms(o.createdAt) <= t).length;
      const late = own.filter((o) => ms(o.time) < t && ms(o.time) >= t - windowHours * HOUR && ms(o.createdAt) > t);
      const notes = [
        atEvent ? `${atEvent} at the event's own time (out)` : '',
        atEdge ? `${atEdge} exactly ${windowHours} hours before (in)` : '',
        late.length ? `${late.length} in the window but created after the event (out)` : '',
      ].filter(Boolean);
      return (
        `event ${e.eventId} (entity ${e.entityId} at ${e.time}): count ${fmt(got.count)}, sum ${fmt(got.sum)}, mean ${fmt(got.mean)}; ` +
        `expected count ${w.count}, sum ${Number(w.sum.toFixed(6))}, mean ${w.mean === null ? 'null' : Number(w.mean.toFixed(6))}` +
        ` (observations in [event - ${windowHours} h, event), known by the event${notes.length ? `; of this entity's: ${notes.join(', ')}` : ''})`
      );
    }
  }
  return undefined;
}

// ---- seeded scenarios ------------------------------------------------------------

interface Draw {
  rng: Rng;
  tag: string;
  /** UTC offsets timestamps are written in (minutes). */
  offsets: number[];
  /** Feature values drawn so far. */
  values: number;
}

const pick = <T>(rng: Rng, xs: readonly T[]): T => xs[randomInt(rng, xs.length)];
const iso = (d: Draw, t: number): string => isoAt(t, pick(d.rng, d.offsets));
/** A whole minute in [from, to). */
const minuteIn = (rng: Rng, from: number, to: number): number =>
  from + Math.floor((rng() * (to - from)) / 60_000) * 60_000;

/** Feature values, distinct within a case, so a wrong answer names the row it came from. */
function value(d: Draw, scale: number): number {
  d.values++;
  return Number((scale * (0.5 + d.rng()) + d.values / 1000).toFixed(3));
}

interface TableSpec {
  name: string;
  features: [string, number][];
  ttlHours: number | null;
}

const ACCOUNT: TableSpec = {
  name: 'account',
  features: [
    ['balance', 2000],
    ['credit_limit', 5000],
  ],
  ttlHours: null,
};
const ACTIVITY: TableSpec = {
  name: 'activity',
  features: [
    ['logins_7d', 20],
    ['risk_score', 1],
  ],
  ttlHours: 72,
};

function newRow(d: Draw, spec: TableSpec, entityId: string, validFrom: number, lag: number): FeatureRow {
  return {
    entityId,
    validFrom: iso(d, validFrom),
    createdAt: iso(d, validFrom + lag),
    values: Object.fromEntries(spec.features.map(([f, s]) => [f, value(d, s)])),
  };
}

/** Rows for each entity every `every` days (jittered) over `days` days, each created `lag` after it is valid. */
function history(d: Draw, spec: TableSpec, entities: string[], days: number, every: number, maxLagH = 2): FeatureRow[] {
  const rows: FeatureRow[] = [];
  for (const e of entities) {
    let t = ORIGIN + minuteIn(d.rng, 0, every * DAY);
    while (t < ORIGIN + days * DAY) {
      rows.push(newRow(d, spec, e, t, minuteIn(d.rng, 0, maxLagH * HOUR)));
      t += minuteIn(d.rng, 0.5 * every * DAY, 1.5 * every * DAY) + HOUR;
    }
  }
  return rows;
}

function table(spec: TableSpec, rows: FeatureRow[], rng: Rng): FeatureTable {
  shuffleInPlace(rows, rng);
  return { name: spec.name, ttlHours: spec.ttlHours, features: spec.features.map(([f]) => f), rows };
}

function events(d: Draw, entities: string[], times: number[][]): FsEvent[] {
  const out: FsEvent[] = [];
  entities.forEach((e, i) => {
    for (const t of times[i]) out.push({ eventId: '', entityId: e, time: iso(d, t), label: d.rng() < 0.3 ? 1 : 0 });
  });
  shuffleInPlace(out, d.rng);
  out.forEach((e, i) => (e.eventId = `${d.tag}-e${i + 1}`));
  return out;
}

const entityIds = (d: Draw, n: number): string[] =>
  Array.from({ length: n }, (_, i) => `c${100 + i * 7 + randomInt(d.rng, 7)}`);

/** Event times for each entity: `n` minutes drawn in [from, to) days. */
const eventTimes = (d: Draw, entities: string[], n: number, from: number, to: number): number[][] =>
  entities.map(() => Array.from({ length: n }, () => ORIGIN + minuteIn(d.rng, from * DAY, to * DAY)));

interface JoinScenario {
  title: string;
  build(d: Draw): { events: FsEvent[]; tables: FeatureTable[] };
}

const JOIN_SCENARIOS: JoinScenario[] = [
  {
    title: 'account balances that change over 30 days; events at random times, rows and events shuffled',
    build: (d) => {
      const ents = entityIds(d, 6);
      const rows = history(d, ACCOUNT, ents, 30, 4);
      return { tables: [table(ACCOUNT, rows, d.rng)], events: events(d, ents, eventTimes(d, ents, 5, 2, 30)) };
    },
  },
  {
    title:
      'every entity was updated again after the last event (a join on the latest value per entity leaks those updates)',
    build: (d) => {
      const ents = entityIds(d, 5);
      const rows = history(d, ACCOUNT, ents, 20, 3);
      for (const e of ents) rows.push(newRow(d, ACCOUNT, e, ORIGIN + 25 * DAY + minuteIn(d.rng, 0, DAY), HOUR));
      return { tables: [table(ACCOUNT, rows, d.rng)], events: events(d, ents, eventTimes(d, ents, 4, 3, 20)) };
    },
  },
  {
    title: "events at exactly a row's valid-from time (that row is in force: at or before the event)",
    build: (d) => {
      const ents = entityIds(d, 5);
      const rows = history(d, ACCOUNT, ents, 20, 3, 0);
      for (const r of rows) r.createdAt = r.validFrom;
      const times = ents.map((e) =>
        rows.filter((r) => r.entityId === e && ms(r.validFrom) > ORIGIN + DAY).map((r) => ms(r.validFrom)),
      );
      return { tables: [table(ACCOUNT, rows, d.rng)], events: events(d, ents, times) };
    },
  },
  {
    title:
      'late-arriving rows (created hours after they became valid, some after the event) and corrections (the same valid-from, created later)',
    build: (d) => {
      const ents = entityIds(d, 5);
      const rows = history(d, ACCOUNT, ents, 20, 3);
      const times: number[][] = ents.map(() => []);
      for (const r of rows.slice()) {
        const i = ents.indexOf(r.entityId);
        const vf = ms(r.validFrom);
        if (vf < ORIGIN + DAY) continue;
        if (d.rng() < 0.5) {
          // Backfilled a day late: an event in between must not see it.
          r.createdAt = iso(d, vf + DAY + minuteIn(d.rng, 0, 6 * HOUR));
          times[i].push(vf + minuteIn(d.rng, HOUR, 20 * HOUR));
          times[i].push(ms(r.createdAt) + minuteIn(d.rng, 0, HOUR));
        } else {
          // A correction of the same valid-from, made later: after it exists, it wins.
          const fix = newRow(d, ACCOUNT, r.entityId, vf, 0);
          fix.createdAt = iso(d, ms(r.createdAt) + minuteIn(d.rng, 2 * HOUR, 10 * HOUR));
          rows.push(fix);
          times[i].push(ms(r.createdAt) + minuteIn(d.rng, 0, HOUR));
          times[i].push(ms(fix.createdAt) + minuteIn(d.rng, 0, HOUR));
        }
      }
      return { tables: [table(ACCOUNT, rows, d.rng)], events: events(d, ents, times) };
    },
  },
  {
    title: 'a table with a 72-hour TTL: rows older than that at the event are stale, the features missing (null)',
    build: (d) => {
      const ents = entityIds(d, 6);
      const rows = history(d, ACTIVITY, ents, 30, 6);
      const times = ents.map((e) =>
        rows
          .filter((r) => r.entityId === e)
          .flatMap((r) => [ms(r.createdAt) + minuteIn(d.rng, 1, 60 * HOUR), ms(r.validFrom) + 80 * HOUR]),
      );
      return { tables: [table(ACTIVITY, rows, d.rng)], events: events(d, ents, times) };
    },
  },
  {
    title: "entities missing from a table, and events before an entity's first row (features null)",
    build: (d) => {
      const ents = entityIds(d, 6);
      const withRows = ents.slice(0, 4);
      const rows = history(d, ACCOUNT, withRows, 20, 4);
      const times = ents.map((e) => {
        const first = Math.min(...rows.filter((r) => r.entityId === e).map((r) => ms(r.validFrom)));
        return Number.isFinite(first)
          ? [first - minuteIn(d.rng, HOUR, DAY), first + minuteIn(d.rng, 3 * HOUR, DAY)]
          : [ORIGIN + minuteIn(d.rng, 0, 20 * DAY), ORIGIN + minuteIn(d.rng, 0, 20 * DAY)];
      });
      return { tables: [table(ACCOUNT, rows, d.rng)], events: events(d, ents, times) };
    },
  },
  {
    title:
      'timestamps written in eight UTC offsets (+05:30, -08:00, +12:45, ...): compare instants, not the text of the strings',
    build: (d) => {
      d.offsets = OFFSETS;
      const ents = entityIds(d, 4);
      const rows = history(d, ACCOUNT, ents, 12, 1, 0);
      const times = ents.map((e) =>
        rows
          .filter((r) => r.entityId === e && ms(r.validFrom) > ORIGIN + DAY)
          .map((r) => ms(r.validFrom) - minuteIn(d.rng, 10 * 60_000, 8 * HOUR)),
      );
      return { tables: [table(ACCOUNT, rows, d.rng)], events: events(d, ents, times) };
    },
  },
  {
    title:
      'two tables at once (account: no TTL; activity: 72 h TTL), late rows, corrections, ties, missing entities, mixed offsets, 200+ events',
    build: (d) => {
      d.offsets = OFFSETS;
      const ents = entityIds(d, 12);
      const acc = history(d, ACCOUNT, ents.slice(0, 10), 40, 4, 30);
      const act = history(d, ACTIVITY, ents.slice(2), 40, 5, 30);
      for (const rows of [acc, act]) {
        for (const r of rows.slice(0, 8)) {
          const spec = rows === acc ? ACCOUNT : ACTIVITY;
          const fix = newRow(d, spec, r.entityId, ms(r.validFrom), 0);
          fix.createdAt = iso(d, ms(r.createdAt) + minuteIn(d.rng, HOUR, DAY));
          rows.push(fix);
        }
      }
      const times = eventTimes(d, ents, 16, 0, 45);
      ents.forEach((e, i) => {
        const own = acc.filter((r) => r.entityId === e);
        if (own.length) times[i].push(ms(pick(d.rng, own).validFrom));
      });
      return {
        tables: [table(ACCOUNT, acc, d.rng), table(ACTIVITY, act, d.rng)],
        events: events(d, ents, times),
      };
    },
  },
];

interface WindowScenario {
  title: string;
  windowHours: number;
  build(d: Draw, windowHours: number): { events: FsEvent[]; observations: Observation[] };
}

function purchases(d: Draw, entities: string[], days: number, perDay: number, maxLagH = 1): Observation[] {
  const out: Observation[] = [];
  for (const e of entities) {
    const n = Math.round(days * perDay * (0.5 + d.rng()));
    for (let k = 0; k < n; k++) {
      const t = ORIGIN + minuteIn(d.rng, 0, days * DAY);
      out.push({
        entityId: e,
        time: iso(d, t),
        createdAt: iso(d, t + minuteIn(d.rng, 0, maxLagH * HOUR)),
        value: Number((5 + 200 * d.rng() ** 2).toFixed(2)),
      });
    }
  }
  return out;
}

const WINDOW_SCENARIOS: WindowScenario[] = [
  {
    title: 'purchases: count, sum and mean over the 7 days before each event (168 h)',
    windowHours: 168,
    build: (d) => {
      const ents = entityIds(d, 6);
      const obs = purchases(d, ents, 30, 1.5);
      shuffleInPlace(obs, d.rng);
      return { observations: obs, events: events(d, ents, eventTimes(d, ents, 5, 0, 32)) };
    },
  },
  {
    title:
      "the window's edges: a purchase exactly 7 days before the event is in, one at the event's own time is out (it is the event)",
    windowHours: 168,
    build: (d, w) => {
      const ents = entityIds(d, 5);
      const obs = purchases(d, ents, 30, 1, 0);
      for (const o of obs) o.createdAt = o.time;
      const times = ents.map((e) => {
        const own = obs.filter((o) => o.entityId === e && ms(o.time) > ORIGIN + 8 * DAY);
        return own.slice(0, 3).flatMap((o) => [ms(o.time), ms(o.time) + w * HOUR]);
      });
      shuffleInPlace(obs, d.rng);
      return { observations: obs, events: events(d, ents, times) };
    },
  },
  {
    title: 'late-arriving purchases (recorded hours after they happened): one recorded after the event is not counted',
    windowHours: 48,
    build: (d) => {
      const ents = entityIds(d, 5);
      const obs = purchases(d, ents, 20, 2, 30);
      const times = ents.map((e) =>
        obs
          .filter((o) => o.entityId === e && ms(o.createdAt) - ms(o.time) > 2 * HOUR)
          .slice(0, 4)
          .map((o) => ms(o.time) + minuteIn(d.rng, HOUR, ms(o.createdAt) - ms(o.time))),
      );
      shuffleInPlace(obs, d.rng);
      return { observations: obs, events: events(d, ents, times) };
    },
  },
  {
    title: 'a 24-hour window with timestamps in eight UTC offsets, and entities with no purchases (count 0, mean null)',
    windowHours: 24,
    build: (d) => {
      d.offsets = OFFSETS;
      const ents = entityIds(d, 6);
      const obs = purchases(d, ents.slice(0, 4), 10, 4, 0);
      const times = ents.map((e, i) =>
        i < 4
          ? obs
              .filter((o) => o.entityId === e)
              .slice(0, 5)
              .flatMap((o) => [ms(o.time) + minuteIn(d.rng, 60_000, 3 * HOUR), ms(o.time) + 24 * HOUR + 60_000])
          : [ORIGIN + minuteIn(d.rng, 0, 10 * DAY)],
      );
      shuffleInPlace(obs, d.rng);
      return { observations: obs, events: events(d, ents, times) };
    },
  },
];

const DEFAULT_OFFSETS = [0];

export interface FeatureStoreCaseTag {
  scenario: string;
  /** A join case's inputs, which `findings` reads. */
  events?: FsEvent[];
  tables?: FeatureTable[];
}

export const suite: Suite = {
  id: 'feature-store',
  exports: ['pointInTimeJoin', 'windowAggregates'],
  cases(seed: number): SuiteCase[] {
    const out: SuiteCase[] = [];
    JOIN_SCENARIOS.forEach((s, i) => {
      const d: Draw = {
        rng: createRng(deriveSeed(seed, `feature-store:join:${i}`)),
        tag: `j${i + 1}`,
        offsets: DEFAULT_OFFSETS,
        values: 0,
      };
      const { events: evs, tables } = s.build(d);
      out.push({
        fn: 'pointInTimeJoin',
        title: `${s.title} (${evs.length} events)`,
        args: [evs, tables],
        tag: { scenario: `join:${i}`, events: evs, tables },
        verify: (value) => joinProblem(value, evs, tables),
      });
    });
    WINDOW_SCENARIOS.forEach((s, i) => {
      const d: Draw = {
        rng: createRng(deriveSeed(seed, `feature-store:window:${i}`)),
        tag: `w${i + 1}`,
        offsets: DEFAULT_OFFSETS,
        values: 0,
      };
      const { events: evs, observations } = s.build(d, s.windowHours);
      out.push({
        fn: 'windowAggregates',
        title: `${s.title} (${evs.length} events)`,
        args: [evs, observations, s.windowHours],
        tag: { scenario: `window:${i}` },
        verify: (value) => windowProblem(value, evs, observations, s.windowHours),
      });
    });
    return out;
  },
  findings(outcomes) {
    let events = 0;
    let future = 0;
    let unservable = 0;
    for (const o of outcomes) {
      const tag = o.case.tag as FeatureStoreCaseTag | undefined;
      if (o.problem || !tag?.events || !tag.tables) continue;
      const leaks = latestJoinLeaks(tag.events, tag.tables);
      events += tag.events.length;
      future += leaks.future;
      unservable += leaks.unservable;
    }
    if (!events) return [];
    return [
      `Of the ${events} events your joins got right, a join on each entity's latest row would have given ${future} a value ` +
        `from after the event (the leak: a training set that knows the future) and ${unservable} more a value older than ` +
        `its table's TTL, which the store would not have served. Your rows hold none of them.`,
    ];
  },
};
