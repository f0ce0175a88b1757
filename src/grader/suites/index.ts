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
  'recsys-implicit': async () => (await import('./recsys-implicit')).suite,
  'recsys-cold-start': async () => (await import('./recsys-cold-start')).suite,
  capstone: async () => (await import('./capstone')).suite,
  'tabular-encoding': async () => (await import('./tabular-encoding')).suite,
  'tabular-boosting': async () => (await import('./tabular-boosting')).suite,
  'error-analysis': async () => (await import('./error-analysis')).loadSuite(),
  trees: async () => (await import('./trees')).loadSuite(),
  'nlp-errors': async () => (await import('./nlp-errors')).suite,
  'feature-store': async () => (await import('./feature-store')).suite,
  monitoring: async () => (await import('./monitoring')).suite,
  search: async () => (await import('./search')).suite,
};

/**
 * The metrics each suite scores, for curriculum validation (which loads no
 * suite): `cases_passed` is the share of cases passed; a suite with `score`
 * lists what it computes.
 */
const SUITE_SCORES: Record<keyof typeof suites, readonly MetricName[]> = {
  tensors: ['cases_passed'],
  evaluation: ['cases_passed'],
  'data-versioning': ['cases_passed'],
  drift: ['detection_rate', 'false_alarm_rate', 'detection_delay'],
  'data-quality': ['cases_passed'],
  backprop: ['cases_passed'],
  registry: ['cases_passed'],
  'recsys-implicit': ['recall_at_k', 'ndcg_at_k'],
  'recsys-cold-start': ['recall_at_k', 'ndcg_at_k'],
  capstone: ['cases_passed', 'r2'],
  'tabular-encoding': ['cases_passed'],
  'tabular-boosting': ['cases_passed'],
  'error-analysis': ['cases_passed'],
  trees: ['cases_passed'],
  'nlp-errors': ['cases_passed'],
  'feature-store': ['cases_passed'],
  monitoring: ['detection_rate', 'false_alarm_rate', 'detection_delay'],
  search: ['cases_passed'],
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
