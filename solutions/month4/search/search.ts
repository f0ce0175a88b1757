// Reference solution for month4/search: successive halving with a factor of
// 3. Train all 27 configurations for 1 epoch and keep the best 9 on
// validation, train those for 3 epochs and keep the best 3, train the last 3
// fully and return the best of them on validation. 27 + 27 + 81 = 135 epochs
// of a 160 budget, where training all 27 fully would cost 729.

export interface Config {
  learningRate: number;
  width: number;
  weightDecay: number;
}

export interface Score {
  train: number;
  validation: number;
}

export interface SearchOptions {
  budget: number;
  maxUnits: number;
  seed: number;
}

export type Evaluate = (index: number, units: number) => Score;

export function search(space: Config[], evaluate: Evaluate, opts: SearchOptions): number {
  const eta = 3;
  // Rungs: 1 epoch, 3 epochs, then the full training for the finalists.
  const rungs = [1, eta, opts.maxUnits];
  let alive = space.map((_, i) => i);
  let spent = 0;
  for (const [r, units] of rungs.entries()) {
    if (spent + alive.length * units > opts.budget) throw new Error(`the search would overspend at ${units} epochs`);
    // Rank on validation: training accuracy rewards the configurations that memorise their rows.
    const scored = alive.map((i) => ({ i, val: evaluate(i, units).validation })).sort((a, b) => b.val - a.val);
    spent += alive.length * units;
    if (r === rungs.length - 1) return scored[0].i;
    alive = scored.slice(0, Math.max(1, Math.floor(alive.length / eta))).map((s) => s.i);
  }
  return alive[0];
}
