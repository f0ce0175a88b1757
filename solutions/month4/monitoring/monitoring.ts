// month4/monitoring, reference solution: PSI per feature over the inputs of the last WINDOW_TICKS ticks,
// accuracy over the labels joined (by id) in the last WINDOW_TICKS ticks, and an alert that needs its
// condition on PERSIST ticks in a row. The state keeps counts per tick, not rows, so it stays small.

export interface Reference {
  features: string[];
  x: number[][];
  pred: number[];
  y: number[];
}

export interface Tick {
  tick: number;
  predictions: { id: string; x: number[]; pred: number }[];
  labels: { id: string; y: number }[];
}

export interface Report {
  alert: boolean;
  labelledAccuracy: number | null;
  drift: Record<string, number>;
  reason?: string;
}

export interface State {
  features: string[];
  /** Per feature: the upper edges of its bins, and the reference's share in each bin. */
  edges: number[][];
  refShares: number[][];
  refAccuracy: number;
  /** Per recent tick (newest last): per feature, the count of inputs in each bin. */
  recentCounts: number[][][];
  /** Predictions waiting for their label, by id. */
  pending: Record<string, number>;
  /** Per recent tick (newest last): [right, joined] of the labels that arrived. */
  recentLabels: [number, number][];
  /** Ticks in a row whose condition held. */
  streak: number;
}

const WINDOW_TICKS = 3;
const MIN_LABELS = 150;
const PSI_LIMIT = 0.2;
const ACCURACY_DROP = 0.08;
const PERSIST = 2;
const BINS = 10;

/** Bin edges at the reference's deciles; a feature with few values gets one bin per value. */
function edgesOf(values: number[]): number[] {
  const sorted = [...values].sort((a, b) => a - b);
  const distinct = [...new Set(sorted)];
  if (distinct.length <= BINS) return distinct;
  const edges: number[] = [];
  for (let k = 1; k < BINS; k++) edges.push(sorted[Math.floor((k * sorted.length) / BINS)]);
  return [...new Set(edges)];
}

/** Count of `values` in each bin: bin k holds v <= edges[k] (and above edges[k-1]); the last bin the rest. */
function counts(values: number[], edges: number[]): number[] {
  const out = new Array<number>(edges.length + 1).fill(0);
  for (const v of values) {
    let k = 0;
    while (k < edges.length && v > edges[k]) k++;
    out[k]++;
  }
  return out;
}

const toShares = (c: number[]): number[] => {
  const n = c.reduce((a, v) => a + v, 0);
  return c.map((v) => v / Math.max(1, n));
};

/** Population stability index, with a floor on shares so an empty bin does not divide by zero. */
export function psi(expected: number[], actual: number[]): number {
  let total = 0;
  for (let k = 0; k < expected.length; k++) {
    const e = Math.max(expected[k], 1e-4);
    const a = Math.max(actual[k], 1e-4);
    total += (a - e) * Math.log(a / e);
  }
  return total;
}

export function init(reference: Reference): State {
  const edges = reference.features.map((_, j) => edgesOf(reference.x.map((r) => r[j])));
  return {
    features: reference.features,
    edges,
    refShares: edges.map((e, j) =>
      toShares(
        counts(
          reference.x.map((r) => r[j]),
          e,
        ),
      ),
    ),
    refAccuracy: reference.pred.filter((p, i) => p === reference.y[i]).length / reference.pred.length,
    recentCounts: [],
    pending: {},
    recentLabels: [],
    streak: 0,
  };
}

export function update(state: State, tick: Tick): { state: State; report: Report } {
  for (const p of tick.predictions) state.pending[p.id] = p.pred;
  state.recentCounts.push(
    state.edges.map((e, j) =>
      counts(
        tick.predictions.map((p) => p.x[j]),
        e,
      ),
    ),
  );
  state.recentCounts = state.recentCounts.slice(-WINDOW_TICKS);

  let right = 0;
  let joined = 0;
  for (const l of tick.labels) {
    const pred = state.pending[l.id];
    if (pred === undefined) continue;
    delete state.pending[l.id];
    joined++;
    if (pred === l.y) right++;
  }
  state.recentLabels.push([right, joined]);
  state.recentLabels = state.recentLabels.slice(-WINDOW_TICKS);

  const drift: Record<string, number> = {};
  state.features.forEach((f, j) => {
    const window = state.refShares[j].map((_, k) => state.recentCounts.reduce((a, c) => a + c[j][k], 0));
    drift[f] = psi(state.refShares[j], toShares(window));
  });
  const worst = Math.max(...Object.values(drift));
  const [r, n] = state.recentLabels.reduce(([a, b], [c, d]) => [a + c, b + d], [0, 0]);
  const accuracy = n >= MIN_LABELS ? r / n : null;
  const dataDrift = worst > PSI_LIMIT;
  const perfDrift = accuracy !== null && state.refAccuracy - accuracy > ACCURACY_DROP;
  state.streak = dataDrift || perfDrift ? state.streak + 1 : 0;
  return {
    state,
    report: {
      alert: state.streak >= PERSIST,
      labelledAccuracy: joined ? right / joined : null,
      drift,
      reason: [dataDrift ? `PSI ${worst.toFixed(2)}` : '', perfDrift ? `accuracy ${accuracy!.toFixed(3)}` : '']
        .filter(Boolean)
        .join(', '),
    },
  };
}
