// month4/feature-store: training rows that only know what was known at the time.
// Read README.md first. Check your work with:  mlpath check month4/feature-store
//
// Both functions run and return rows of the right shape, but every feature is
// null and every window empty, so the check tells you, event by event, what
// the right value was and which rule picks it.

/** Something that happened, whose outcome (label) we want to predict from what was known just before. */
export interface FsEvent {
  eventId: string;
  entityId: string;
  /** When it happened: ISO 8601 with a UTC offset, e.g. '2024-03-08T08:45:00+05:30' or '...Z'. */
  time: string;
  label: number;
}

/** One version of an entity's features, in force from validFrom until the entity's next row. */
export interface FeatureRow {
  entityId: string;
  /** From when these values describe the entity. */
  validFrom: string;
  /** When the row was written to the store: only from then on could anyone have read it. */
  createdAt: string;
  values: Record<string, number>;
}

export interface FeatureTable {
  name: string;
  /** Hours a row stays usable after its validFrom; null: forever. */
  ttlHours: number | null;
  /** The names of the values in every row. */
  features: string[];
  rows: FeatureRow[];
}

/** A raw record (a purchase) to aggregate over a window. */
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
  /** One key per table and feature, 'table.feature' (e.g. 'account.balance'); null when unknown at the event. */
  features: Record<string, number | null>;
}

export interface WindowRow {
  eventId: string;
  count: number;
  sum: number;
  /** sum / count, or null when the window is empty. */
  mean: number | null;
}

/**
 * 1. One training row per event: for every table and feature, the value the
 * store would have served at the event's time.
 */
export function pointInTimeJoin(events: FsEvent[], tables: FeatureTable[]): TrainingRow[] {
  return events.map((e) => {
    const features: Record<string, number | null> = {};
    for (const table of tables) {
      for (const f of table.features) {
        // TODO: among this entity's rows of `table`, the one in force at e.time, already created by
        // then, and not older than the table's TTL; its values[f], or null when there is none.
        features[`${table.name}.${f}`] = null;
      }
    }
    return { eventId: e.eventId, entityId: e.entityId, label: e.label, features };
  });
}

/**
 * 2. For every event: count, sum and mean of the values of the event's
 * entity observed in the `windowHours` hours before the event.
 */
export function windowAggregates(events: FsEvent[], observations: Observation[], windowHours: number): WindowRow[] {
  // TODO: which observations fall in the window, and which of them had been recorded by then?
  void observations;
  void windowHours;
  return events.map((e) => ({ eventId: e.eventId, count: 0, sum: 0, mean: null }));
}
