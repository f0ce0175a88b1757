// month4/monitoring: watch a served model whose labels arrive late.
// Read README.md first. Check your work with:  mlpath check month4/monitoring
//
// The grader calls init once per stream, then update once per tick, handing
// back the state your previous call returned. The starter keeps nothing and
// never alerts, so the check runs and tells you what is still missing.

/** What the model was validated on: inputs, its predictions and the true labels. */
export interface Reference {
  /** The name of each input column, e.g. 'education_years'. */
  features: string[];
  x: number[][];
  pred: number[];
  y: number[];
}

/** One tick of traffic: new predictions (inputs at once), and labels of earlier predictions. */
export interface Tick {
  tick: number;
  predictions: { id: string; x: number[]; pred: number }[];
  /** Labels for predictions of earlier ticks (2-4 ticks later, in any order; some never come). */
  labels: { id: string; y: number }[];
}

export interface Report {
  /** Page someone? */
  alert: boolean;
  /** Accuracy of the predictions whose labels arrived in this tick (null when none arrived). */
  labelledAccuracy: number | null;
  /** One drift statistic per feature name (e.g. PSI of recent inputs against the reference). */
  drift: Record<string, number>;
  /** Optional: why, for the people reading the log. */
  reason?: string;
}

/** Whatever your monitor needs to remember between ticks: it must be plain JSON. */
export type State = {
  features: string[];
};

/** 1. Called once per stream with the reference: return the initial state. */
export function init(reference: Reference): State {
  // TODO: what do you need from the reference to compare later ticks with it?
  // (per-feature bins and shares, the model's accuracy on it...)
  return { features: reference.features };
}

/** 2. Called once per tick with the state you returned last time. */
export function update(state: State, tick: Tick): { state: State; report: Report } {
  // TODO: remember predictions until their labels come (by id), keep recent inputs and recent
  // right/wrong outcomes, compute a drift statistic per feature and the accuracy, and alert by a rule.
  void tick;
  const drift: Record<string, number> = {};
  for (const f of state.features) drift[f] = 0;
  return { state, report: { alert: false, labelledAccuracy: null, drift } };
}
