// month3/nlp-errors: the error analysis of a text classifier.
// Read README.md first. Check your work with:  mlpath check month3/nlp-errors

/** Splits a message into lowercase word tokens. Keep it as it is: the grader counts tokens the same way. */
export function tokenize(text: string): string[] {
  return text.toLowerCase().match(/[a-z0-9$!']+/g) ?? [];
}

export interface Confusion {
  tp: number;
  fp: number;
  fn: number;
  tn: number;
}

/**
 * TODO 1. The confusion at a threshold: a message is flagged (predicted spam,
 * label 1) when its score is at least `threshold`. tp: flagged spam, fp:
 * flagged ham, fn: spam let through, tn: ham let through.
 */
export function confusion(labels: number[], scores: number[], threshold: number): Confusion {
  void labels;
  void scores;
  void threshold;
  return { tp: 0, fp: 0, fn: 0, tn: 0 };
}

/**
 * TODO 2. The indices of the k mistakes the classifier was most sure of,
 * most confident first. A false positive is wrong by score - threshold, a
 * false negative by threshold - score. Fewer than k mistakes: return them all.
 */
export function confidentlyWrong(labels: number[], scores: number[], threshold: number, k: number): number[] {
  void labels;
  void scores;
  void threshold;
  void k;
  return [];
}

/**
 * TODO 3. The tokens that drive the errors: for every token (counted once per
 * message) the number of messages that hold it and how many of those are
 * misclassified at `threshold`. Among tokens in at least `minSupport`
 * messages, return the k with the highest share of misclassified messages,
 * highest first.
 */
export function errorTokens(
  texts: string[],
  labels: number[],
  scores: number[],
  threshold: number,
  minSupport: number,
  k: number,
): string[] {
  void texts;
  void labels;
  void scores;
  void threshold;
  void minSupport;
  void k;
  return [];
}
