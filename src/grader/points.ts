/**
 * Points for a result: all of them on a pass, else the best partial-credit
 * tier whose thresholds the measured metrics meet.
 */
import type { LoadedExercise } from '../curriculum';
import { checkThreshold } from './metrics';
import type { ExerciseResult } from './result';

export interface Award {
  points: number;
  tier?: string;
}

export function award(ex: LoadedExercise, result: ExerciseResult): Award {
  if (result.status === 'passed') return { points: ex.points };
  if (result.status === 'error') return { points: 0 };
  let best: Award = { points: 0 };
  for (const tier of ex.partialCredit) {
    const met = tier.metrics.every((spec) => {
      const value = result.metrics.find((m) => m.name === spec.name)?.value;
      return value !== undefined && value !== null && checkThreshold(value, spec);
    });
    if (met && tier.points > best.points) best = { points: tier.points, tier: tier.label };
  }
  return best;
}
