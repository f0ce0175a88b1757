/**
 * Looking exercises up by key, with "did you mean" suggestions for typos.
 */
import { UsageError } from '../errors';
import type { Curriculum, LoadedExercise } from './types';

/**
 * Optimal string alignment distance: Levenshtein plus adjacent
 * transpositions, because swapped letters ("mnsit") are the commonest typo.
 */
export function editDistance(a: string, b: string): number {
  const rows = a.length + 1;
  const cols = b.length + 1;
  const d: number[][] = Array.from({ length: rows }, (_, i) => {
    const row = new Array<number>(cols).fill(0);
    row[0] = i;
    return row;
  });
  for (let j = 0; j < cols; j++) d[0][j] = j;
  for (let i = 1; i < rows; i++) {
    for (let j = 1; j < cols; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      d[i][j] = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) {
        d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
      }
    }
  }
  return d[a.length][b.length];
}

/**
 * The `limit` candidates closest to `query`, closest first; ties keep the
 * candidates' order. A candidate's last `/` segment also counts, so a bare
 * exercise id ("mnist") still finds "month2/mnist".
 */
export function closest(query: string, candidates: readonly string[], limit = 3): string[] {
  const q = query.toLowerCase();
  return candidates
    .map((candidate, index) => {
      const lower = candidate.toLowerCase();
      const tail = lower.slice(lower.lastIndexOf('/') + 1);
      return { candidate, index, distance: Math.min(editDistance(q, lower), editDistance(q, tail)) };
    })
    .sort((x, y) => x.distance - y.distance || x.index - y.index)
    .slice(0, limit)
    .map((s) => s.candidate);
}

export function findExercise(curriculum: Curriculum, key: string): LoadedExercise {
  const found = curriculum.exercises.find((e) => e.key === key);
  if (found) return found;
  const suggestions = closest(
    key,
    curriculum.exercises.map((e) => e.key),
  );
  const didYouMean = suggestions.length > 0 ? ` Did you mean: ${suggestions.join(', ')}?` : '';
  throw new UsageError(`unknown exercise '${key}'.${didYouMean}`, 'mlpath status lists every exercise');
}
