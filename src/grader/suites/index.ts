/** Registry of the `functions` suites, by id: one module per suite. */
import type { MetricName } from '../../curriculum/metrics';
import type { Suite } from './types';

const suites: Record<string, () => Promise<Suite>> = {
  tensors: async () => (await import('./tensors')).suite,
  evaluation: async () => (await import('./evaluation')).loadSuite(),
  'data-versioning': async () => (await import('./data-versioning')).suite,
  drift: async () => (await import('./drift')).suite,
  'data-quality': async () => (await import('./data-quality')).suite,
  backprop: async () => (await import('./backprop')).loadSuite(),
  registry: async () => (await import('./registry')).suite,
  search: async () => (await import('./search')).suite,
};

/**
 * The metrics each suite scores, for curriculum validation (which loads no
 * suite): `accuracy` is the share of cases passed; a suite with `score`
 * lists what it computes.
 */
const SUITE_SCORES: Record<keyof typeof suites, readonly MetricName[]> = {
  tensors: ['accuracy'],
  evaluation: ['accuracy'],
  'data-versioning': ['accuracy'],
  drift: ['detection_rate', 'false_alarm_rate', 'detection_delay'],
  'data-quality': ['accuracy'],
  backprop: ['accuracy'],
  registry: ['accuracy'],
  search: ['accuracy'],
};

export const SUITE_IDS: readonly string[] = Object.keys(suites);

/** The metrics suite `id` scores; undefined for an unknown suite. */
export function suiteMetrics(id: string): readonly MetricName[] | undefined {
  return Object.hasOwn(SUITE_SCORES, id) ? SUITE_SCORES[id] : undefined;
}

export async function suiteFor(id: string): Promise<Suite | undefined> {
  const load = Object.hasOwn(suites, id) ? suites[id] : undefined;
  return load ? load() : undefined;
}
