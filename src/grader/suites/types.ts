/**
 * A `functions` exercise is graded by a suite: named exports, each called on
 * seeded inputs and compared with a reference computed here in the grader
 * (in plain JavaScript, so learner code cannot patch the reference).
 */
export interface SuiteCase {
  /** Export to call. */
  fn: string;
  /** What the case checks, shown when it fails. */
  title: string;
  args: unknown[];
  /** Returns undefined when `value` is right, else what was wrong. */
  verify(value: unknown): string | undefined;
}

export interface Suite {
  id: string;
  exports: string[];
  cases(seed: number): SuiteCase[];
}
