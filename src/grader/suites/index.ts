/** Registry of the `functions` suites, by id. */
import type { Suite } from './types';

const suites: Record<string, () => Suite> = {};

export function registerSuite(id: string, factory: () => Suite): void {
  suites[id] = factory;
}

export function suiteFor(id: string): Suite | undefined {
  return suites[id]?.();
}
