// month4/feature-store, reference solution: point-in-time correct joins and windowed aggregates.

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

/** An ISO 8601 string with any UTC offset, as milliseconds since 1970: instants compare, strings do not. */
export function toMillis(iso: string): number {
  const t = Date.parse(iso);
  if (Number.isNaN(t)) throw new Error(`not a timestamp: ${iso}`);
  return t;
}

interface Indexed {
  validFrom: number;
  createdAt: number;
  values: Record<string, number>;
}

/** Rows grouped by entity, sorted by validFrom then createdAt, so a lookup scans one entity's rows. */
function index(rows: FeatureRow[]): Map<string, Indexed[]> {
  const byEntity = new Map<string, Indexed[]>();
  for (const r of rows) {
    const list = byEntity.get(r.entityId) ?? [];
    list.push({ validFrom: toMillis(r.validFrom), createdAt: toMillis(r.createdAt), values: r.values });
    byEntity.set(r.entityId, list);
  }
  for (const list of byEntity.values()) list.sort((a, b) => a.validFrom - b.validFrom || a.createdAt - b.createdAt);
  return byEntity;
}

/** The latest row valid at t that was already known at t (the last one in sorted order passes both tests). */
function asOf(list: Indexed[] | undefined, t: number): Indexed | undefined {
  if (!list) return undefined;
  for (let i = list.length - 1; i >= 0; i--) {
    const r = list[i];
    if (r.validFrom <= t && r.createdAt <= t) return r;
  }
  return undefined;
}

export function pointInTimeJoin(events: FsEvent[], tables: FeatureTable[]): TrainingRow[] {
  const indexes = tables.map((table) => ({ table, byEntity: index(table.rows) }));
  return events.map((e) => {
    const t = toMillis(e.time);
    const features: Record<string, number | null> = {};
    for (const { table, byEntity } of indexes) {
      let row = asOf(byEntity.get(e.entityId), t);
      if (row && table.ttlHours !== null && t - row.validFrom > table.ttlHours * HOUR) row = undefined;
      for (const f of table.features) features[`${table.name}.${f}`] = row ? row.values[f] : null;
    }
    return { eventId: e.eventId, entityId: e.entityId, label: e.label, features };
  });
}

export function windowAggregates(events: FsEvent[], observations: Observation[], windowHours: number): WindowRow[] {
  const byEntity = new Map<string, { time: number; createdAt: number; value: number }[]>();
  for (const o of observations) {
    const list = byEntity.get(o.entityId) ?? [];
    list.push({ time: toMillis(o.time), createdAt: toMillis(o.createdAt), value: o.value });
    byEntity.set(o.entityId, list);
  }
  return events.map((e) => {
    const t = toMillis(e.time);
    const from = t - windowHours * HOUR;
    let count = 0;
    let sum = 0;
    for (const o of byEntity.get(e.entityId) ?? []) {
      if (o.time >= from && o.time < t && o.createdAt <= t) {
        count++;
        sum += o.value;
      }
    }
    return { eventId: e.eventId, count, sum, mean: count ? sum / count : null };
  });
}
