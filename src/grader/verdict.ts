/**
 * How the scores of several seeds become one verdict, and the baseline
 * that goes beside it.
 *
 * The rule is `every-seed`: each seed must meet each threshold. A metric's
 * `value` is its worst seed's (the lowest against a `min`, the highest
 * against a `max`), so `value`, `passed`, the margin and partial credit all
 * speak of the same number; the mean, the spread and every seed's value
 * travel with it. Not the mean: with three seeds a passing mean can hide a
 * seed that misses, and a pass should say the lesson was learned whatever
 * the draw. The price is paid by the curriculum, not the learner: its
 * thresholds sit below the reference solution's worst seed with a margin
 * (`npm run verify:curriculum` prints it).
 */
import type { LoadedExercise } from '../curriculum';
import { baselineValue, type MetricSpec } from '../curriculum/schema';
import { checkThreshold } from './metrics';
import type { ExerciseResult, MetricResult } from './result';

export const SEED_RULE = 'every-seed' as const;

type Bounds = Pick<MetricSpec, 'min' | 'max'>;

/** How far `value` is inside its threshold (negative: outside); undefined without one. */
export function margin(bounds: Bounds, value: number): number | undefined {
  const sides: number[] = [];
  if (bounds.min !== undefined) sides.push(value - bounds.min);
  if (bounds.max !== undefined) sides.push(bounds.max - value);
  return sides.length ? Math.min(...sides) : undefined;
}

/** The seed value furthest from passing: NaN when any seed has no finite value. */
export function worstSeed(bounds: Bounds, values: number[]): number {
  let worst = NaN;
  let worstMargin = Infinity;
  for (const v of values) {
    if (!Number.isFinite(v)) return NaN;
    const m = margin(bounds, v) ?? 0;
    if (Number.isNaN(worst) || m < worstMargin) {
      worst = v;
      worstMargin = m;
    }
  }
  return worst;
}

/** One metric's result from its per-seed values, in the order of the seeds. */
export function seedVerdict(spec: MetricSpec, values: number[]): MetricResult {
  const base = { name: spec.name, min: spec.min, max: spec.max, k: spec.k };
  if (values.length === 1) {
    const v = values[0];
    return { ...base, value: Number.isFinite(v) ? v : null, passed: checkThreshold(v, spec) };
  }
  const worst = worstSeed(spec, values);
  const finite = values.every(Number.isFinite);
  const mean = values.reduce((a, b) => a + b, 0) / values.length;
  const std = Math.sqrt(values.reduce((a, v) => a + (v - mean) ** 2, 0) / (values.length - 1));
  return {
    ...base,
    value: Number.isFinite(worst) ? worst : null,
    passed: finite && values.every((v) => checkThreshold(v, spec)),
    values,
    ...(finite ? { mean, std } : {}),
  };
}

/** Puts the curriculum's baseline beside each metric, and names the seed rule when several seeds were graded. */
export function annotateResult(ex: Pick<LoadedExercise, 'baseline'>, result: ExerciseResult): ExerciseResult {
  if (result.seeds && result.seeds.length > 1 && result.metrics.length) result.seedRule = SEED_RULE;
  if (!ex.baseline || result.metrics.length === 0) return result;
  result.baselineLabel = ex.baseline.label;
  for (const m of result.metrics) {
    const b = baselineValue(ex.baseline, m);
    if (b !== undefined) m.baseline = b;
  }
  return result;
}
