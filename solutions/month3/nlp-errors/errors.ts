// Reference solution for month3/nlp-errors: the confusion at a threshold, the
// most confidently wrong messages, and the tokens most often found in errors.

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

/** The four counts: a message is flagged (predicted spam) when its score is at least the threshold. */
export function confusion(labels: number[], scores: number[], threshold: number): Confusion {
  const c = { tp: 0, fp: 0, fn: 0, tn: 0 };
  labels.forEach((y, i) => {
    const flagged = scores[i] >= threshold;
    if (flagged) {
      if (y === 1) c.tp++;
      else c.fp++;
    } else if (y === 1) c.fn++;
    else c.tn++;
  });
  return c;
}

/** How far a mistake is on the wrong side of the threshold; null for a right answer. */
function wrongBy(label: number, score: number, threshold: number): number | null {
  const flagged = score >= threshold;
  if (flagged && label !== 1) return score - threshold;
  if (!flagged && label === 1) return threshold - score;
  return null;
}

/** The indices of the k mistakes furthest on the wrong side of the threshold, most confident first. */
export function confidentlyWrong(labels: number[], scores: number[], threshold: number, k: number): number[] {
  const mistakes: { index: number; margin: number }[] = [];
  labels.forEach((y, index) => {
    const margin = wrongBy(y, scores[index], threshold);
    if (margin !== null) mistakes.push({ index, margin });
  });
  mistakes.sort((a, b) => b.margin - a.margin || a.index - b.index);
  return mistakes.slice(0, k).map((m) => m.index);
}

/**
 * The k tokens, among those in at least minSupport messages, with the highest
 * share of misclassified messages among the messages that hold them.
 */
export function errorTokens(
  texts: string[],
  labels: number[],
  scores: number[],
  threshold: number,
  minSupport: number,
  k: number,
): string[] {
  const counts = new Map<string, { support: number; errors: number }>();
  texts.forEach((text, i) => {
    const wrong = wrongBy(labels[i], scores[i], threshold) !== null;
    for (const token of new Set(tokenize(text))) {
      const c = counts.get(token) ?? { support: 0, errors: 0 };
      c.support++;
      if (wrong) c.errors++;
      counts.set(token, c);
    }
  });
  return [...counts.entries()]
    .filter(([, c]) => c.support >= minSupport)
    .map(([token, c]) => ({ token, rate: c.errors / c.support }))
    .sort((a, b) => b.rate - a.rate || (a.token < b.token ? -1 : 1))
    .slice(0, k)
    .map((t) => t.token);
}
