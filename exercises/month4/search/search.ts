// month4/search: a budgeted hyperparameter search (successive halving).
// Read README.md first. Check your work with:  mlpath check month4/search
//
// The starter trains the first configuration fully and returns it: it runs,
// stays within budget, and rarely finds a good configuration.

/** One point of the search space. */
export interface Config {
  learningRate: number;
  width: number;
  weightDecay: number;
}

/** Accuracy on the training rows and on the validation rows after training. */
export interface Score {
  train: number;
  validation: number;
}

export interface SearchOptions {
  /** Units you may spend in all: each evaluate(i, units) costs `units`. */
  budget: number;
  /** The longest training: evaluate accepts 1 to maxUnits units. */
  maxUnits: number;
  /** A seed, if your search draws random numbers (Math.random is seeded too). */
  seed: number;
}

/** Trains configuration `index` for `units` epochs from scratch and scores it. Throws past the budget. */
export type Evaluate = (index: number, units: number) => Score;

/** Returns the index in `space` of the configuration you choose. */
export function search(space: Config[], evaluate: Evaluate, opts: SearchOptions): number {
  // TODO: successive halving. Evaluate every configuration for 1 epoch, keep the best third
  // on VALIDATION, give the survivors three times the epochs, keep the best third again, and
  // train the last ones with opts.maxUnits epochs; return the best of those on validation.
  // Keep a running total of the epochs you spend: evaluate refuses a call past opts.budget.
  void space;
  evaluate(0, opts.maxUnits);
  return 0;
}
