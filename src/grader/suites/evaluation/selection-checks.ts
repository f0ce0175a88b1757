/**
 * Checks of a learner's `selectModel(candidates, labels, split)`: the choice
 * is made on validation accuracy alone (the first listed wins a tie) and the
 * chosen model's test accuracy is reported, measured once.
 */
import { describeValue, EPS, fmt } from './messages';
import type { Candidate, Selection, SplitIndices } from './types';

/** Fraction of `rows` where the prediction equals the label; NaN for no rows. */
export function accuracyOn(predictions: number[], labels: number[], rows: number[]): number {
  if (rows.length === 0) return Number.NaN;
  let right = 0;
  for (const i of rows) if (predictions[i] === labels[i]) right++;
  return right / rows.length;
}

/** The reference choice: best validation accuracy, the first listed among ties, and its test accuracy. */
export function referenceSelect(
  candidates: Candidate[],
  labels: number[],
  split: SplitIndices,
): Selection & { index: number } {
  const valScores = candidates.map((c) => accuracyOn(c.predictions, labels, split.val));
  let index = 0;
  for (let i = 1; i < valScores.length; i++) if (valScores[i] > valScores[index]) index = i;
  return {
    chosen: candidates[index].name,
    index,
    valScores,
    testScore: accuracyOn(candidates[index].predictions, labels, split.test),
  };
}

function bestOn(candidates: Candidate[], labels: number[], rows: number[]): number[] {
  const scores = candidates.map((c) => accuracyOn(c.predictions, labels, rows));
  const top = Math.max(...scores);
  return scores.flatMap((s, i) => (s === top ? [i] : []));
}

/** Compares what selectModel returned with the reference; explains a wrong choice by where it would have been best. */
export function checkSelection(
  value: unknown,
  candidates: Candidate[],
  labels: number[],
  split: SplitIndices,
  context = '',
): string | undefined {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    return `expected { chosen, valScores, testScore }, got ${describeValue(value)}`;
  }
  const got = value as Record<string, unknown>;
  const want = referenceSelect(candidates, labels, split);
  const names = candidates.map((c) => c.name);
  if (typeof got.chosen !== 'string' || !names.includes(got.chosen)) {
    return `chosen must be one of the candidate names (${names.join(', ')}), got ${describeValue(got.chosen)}`;
  }
  const valScores = got.valScores;
  if (!Array.isArray(valScores) || valScores.length !== candidates.length) {
    return `valScores must hold one validation accuracy per candidate (${candidates.length}), got ${describeValue(valScores)}`;
  }
  for (let i = 0; i < candidates.length; i++) {
    const v: unknown = valScores[i];
    if (typeof v !== 'number' || Math.abs(v - want.valScores[i]) > EPS) {
      return `valScores[${i}] (${names[i]}) is ${describeValue(v)}, but its accuracy on the validation rows is ${fmt(want.valScores[i])}`;
    }
  }
  if (got.chosen !== want.chosen) {
    const picked = names.indexOf(got.chosen);
    const where: string[] = [];
    if (bestOn(candidates, labels, split.test).includes(picked)) where.push('test');
    if (bestOn(candidates, labels, split.train).includes(picked)) where.push('training');
    const scores =
      want.valScores[picked] === want.valScores[want.index]
        ? `both ${fmt(want.valScores[picked])}: on a tie the first listed wins`
        : `${fmt(want.valScores[want.index])} vs ${fmt(want.valScores[picked])}`;
    const why = where.length
      ? `; '${got.chosen}' is the best on the ${where.join(' and the ')} rows, which must not decide`
      : '';
    return `${context}you chose '${got.chosen}', but '${want.chosen}' has the best validation accuracy (${scores})${why}`;
  }
  if (typeof got.testScore !== 'number' || Math.abs(got.testScore - want.testScore) > EPS) {
    return (
      `testScore is ${describeValue(got.testScore)}, but '${want.chosen}' scores ${fmt(want.testScore)} on the test rows: ` +
      "report the chosen model's accuracy on test, measured once, after choosing"
    );
  }
  return undefined;
}
