/**
 * A suite's cases run in-process on a submission's module, as the child would run them: arguments and
 * answers pass through JSON as the channel passes them. For tests of what a suite makes of the outcomes
 * (its `score`, `describe` and `findings`).
 */
import type { CaseOutcome, Suite, SuiteFixture } from '../../src/grader/suites/types';

export function runCases(suite: Suite, impl: object, seed = 1, fixture?: SuiteFixture): CaseOutcome[] {
  const exports = impl as Record<string, (...args: unknown[]) => unknown>;
  return suite.cases(seed, fixture).map((c) => {
    try {
      const value: unknown = JSON.parse(
        JSON.stringify(exports[c.fn](...(JSON.parse(JSON.stringify(c.args)) as unknown[])) ?? null),
      );
      return { case: c, value, problem: c.verify(value) };
    } catch (err) {
      return { case: c, problem: `threw: ${(err as Error).message}` };
    }
  });
}
