/**
 * Looking exercises up by what a learner types: the key, the bare exercise
 * id (`mnist`), or a prefix of either that names one exercise
 * (`month1/linear`, `logistic`); otherwise "did you mean" suggestions, only
 * of keys close enough to be the typo.
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

/** How far a suggestion may be from what was typed: about one edit in three characters, at least two. */
function nearEnough(query: string): number {
  return Math.max(2, Math.floor(query.length / 3));
}

/** Candidates close to `query` (whole key or its last segment), closest first. */
export function similar(query: string, candidates: readonly string[], limit = 3): string[] {
  const q = query.toLowerCase();
  const within = nearEnough(q.slice(q.lastIndexOf('/') + 1));
  return closest(query, candidates, candidates.length)
    .filter((c) => {
      const lower = c.toLowerCase();
      const tail = lower.slice(lower.lastIndexOf('/') + 1);
      return Math.min(editDistance(q, lower), editDistance(q.slice(q.lastIndexOf('/') + 1), tail)) <= within;
    })
    .slice(0, limit);
}

export function findExercise(curriculum: Curriculum, key: string): LoadedExercise {
  const all = curriculum.exercises;
  const found = all.find((e) => e.key === key);
  if (found) return found;
  const q = key.toLowerCase();
  const tail = (e: LoadedExercise): string => e.key.slice(e.key.lastIndexOf('/') + 1).toLowerCase();
  const bare = all.filter((e) => tail(e) === q);
  if (bare.length === 1) return bare[0];
  const prefixed = bare.length
    ? bare
    : q.length >= 2
      ? all.filter((e) => e.key.toLowerCase().startsWith(q) || tail(e).startsWith(q))
      : [];
  if (prefixed.length === 1) return prefixed[0];
  if (prefixed.length > 1) {
    throw new UsageError(
      `'${key}' could be ${prefixed.map((e) => e.key).join(', ')}: which one?`,
      `type more of the id, e.g. \`${prefixed[0].key}\``,
    );
  }
  const suggestions = similar(
    key,
    all.map((e) => e.key),
  );
  const didYouMean = suggestions.length > 0 ? ` Did you mean: ${suggestions.join(', ')}?` : '';
  throw new UsageError(`unknown exercise '${key}'.${didYouMean}`, 'mlpath status lists every exercise');
}
