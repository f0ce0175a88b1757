/**
 * Scoring a recommender (task `ranking`) on held-out ratings. The learner's
 * predict() gets the held-out (user, item) pairs as an `[n, 2]` tensor and
 * returns one score per pair, a predicted rating. Those scores are read two
 * ways:
 * - pointwise, against the held-out ratings: rmse, mse, mae, r2;
 * - as rankings: the held-out pairs are grouped by user, each user's items
 *   are ordered by score, and an item is relevant when its held-out rating is
 *   at least `relevantMin` (4 stars by default). precision@k, recall@k and
 *   NDCG@k then say whether the items a user liked come first.
 * Ranking only among a user's held-out items (not the whole catalogue) is the
 * usual protocol for explicit ratings: only those pairs have a known rating,
 * so an unrated item is never wrongly counted as a miss.
 */
import { GradingError } from '../errors';
import { DEFAULT_RELEVANT_MIN, relevantMinSchema } from '../curriculum/kinds/train';
import { METRIC_TASKS, metricsForTask, RANKED_METRICS } from '../curriculum/metrics';
import type { MetricSpec } from '../curriculum/schema';
import type { LoadedDataset } from '../datasets';
import { computeMetric, rankingMetrics, type ScoredItem } from './metrics';
import { normalizePredictions, type RawPredictions } from './predictions';

export { DEFAULT_RELEVANT_MIN };

/** Held-out (user, item, rating) triples, in row order. */
export interface RatedPairs {
  users: Int32Array;
  items: Int32Array;
  ratings: Float32Array;
}

/** Reads a ratings dataset (features `[user, item]`, label the rating) as pairs. */
export function ratedPairs(ds: LoadedDataset): RatedPairs {
  if (ds.featureShape.length !== 1 || ds.featureShape[0] !== 2) {
    throw new GradingError(
      `a ranking task needs rows of [user, item]; dataset '${ds.id}' has rows of shape [${ds.featureShape.join(', ')}]`,
    );
  }
  const users = new Int32Array(ds.n);
  const items = new Int32Array(ds.n);
  for (let r = 0; r < ds.n; r++) {
    users[r] = ds.features[2 * r];
    items[r] = ds.features[2 * r + 1];
  }
  return { users, items, ratings: Float32Array.from(ds.labels) };
}

/** Each user's scored held-out items, and the subset rated at least `relevantMin`. */
export function groupByUser(
  pairs: RatedPairs,
  scores: ArrayLike<number>,
  relevantMin: number = DEFAULT_RELEVANT_MIN,
): { scoresByUser: Map<number, ScoredItem[]>; relevantByUser: Map<number, Set<number>> } {
  if (scores.length !== pairs.users.length) {
    throw new GradingError(`ranking: ${pairs.users.length} held-out pairs but ${scores.length} scores`);
  }
  const scoresByUser = new Map<number, ScoredItem[]>();
  const relevantByUser = new Map<number, Set<number>>();
  for (let r = 0; r < scores.length; r++) {
    const user = pairs.users[r];
    const item = pairs.items[r];
    let list = scoresByUser.get(user);
    if (!list) {
      scoresByUser.set(user, (list = []));
      relevantByUser.set(user, new Set());
    }
    list.push({ item, score: scores[r] });
    if (pairs.ratings[r] >= relevantMin) relevantByUser.get(user)!.add(item);
  }
  return { scoresByUser, relevantByUser };
}

/** `options.relevantMin` of a ranking exercise, checked. */
export function relevantMinOf(options: object | undefined): number {
  const value = (options as { relevantMin?: unknown } | undefined)?.relevantMin ?? DEFAULT_RELEVANT_MIN;
  if (!relevantMinSchema.safeParse(value).success) {
    throw new GradingError(
      `options.relevantMin must be a number (the lowest rating that counts as liked), got ${JSON.stringify(value)}`,
    );
  }
  return value as number;
}

/**
 * Scores the learner's per-pair predictions with every metric of the
 * exercise. Throws InvalidOutputError for predictions of the wrong shape or
 * with non-finite values, GradingError for a metric a ranking task cannot
 * have (a curriculum bug).
 */
export function scoreRanking(
  specs: readonly MetricSpec[],
  raw: RawPredictions,
  pairs: RatedPairs,
  relevantMin: number = DEFAULT_RELEVANT_MIN,
): Record<string, number> {
  const n = pairs.users.length;
  const preds = normalizePredictions('regression', raw, n);
  const values = preds.values!;
  const grouped = specs.some((s) => RANKED_METRICS.has(s.name)) ? groupByUser(pairs, values, relevantMin) : undefined;
  const scores: Record<string, number> = {};
  for (const spec of specs) {
    if (!METRIC_TASKS[spec.name].includes('ranking')) {
      const fitting = metricsForTask('ranking').join(', ');
      throw new GradingError(`${spec.name} does not apply to a ranking task; use ${fitting}`);
    }
    if (RANKED_METRICS.has(spec.name)) {
      if (spec.k === undefined) throw new GradingError(`${spec.name} needs k (the cut-off)`);
      const result = rankingMetrics(grouped!.scoresByUser, grouped!.relevantByUser, spec.k);
      scores[spec.name] =
        spec.name === 'precision_at_k'
          ? result.precisionAtK
          : spec.name === 'recall_at_k'
            ? result.recallAtK
            : result.ndcgAtK;
    } else {
      // Pointwise: each predicted rating against the held-out one, as a regression.
      scores[spec.name] = computeMetric(spec.name, preds, pairs.ratings);
    }
  }
  return scores;
}
