/** Registry of the `functions` suites, by id: one module per suite. */
import type { Suite } from './types';

const suites: Record<string, () => Promise<Suite>> = {
  tensors: async () => (await import('./tensors')).suite,
  evaluation: async () => (await import('./evaluation')).loadSuite(),
  'data-versioning': async () => (await import('./data-versioning')).suite,
  drift: async () => (await import('./drift')).suite,
};

export async function suiteFor(id: string): Promise<Suite | undefined> {
  const load = suites[id];
  return load ? load() : undefined;
}
