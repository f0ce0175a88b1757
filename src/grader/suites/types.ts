/**
 * A `functions` exercise is graded by a suite: named exports, each called on
 * seeded inputs and compared with a reference computed here in the grader
 * (in plain JavaScript, so learner code cannot patch the reference).
 */
import type { ListingOrder } from '../listing-order';

export interface SuiteCase {
  /** Export to call. */
  fn: string;
  /** What the case checks, shown when it fails. */
  title: string;
  /**
   * Read when the case is sent, after every earlier case was verified: a chained suite (capstone) makes it a
   * getter that hands a stage the output of the one before.
   */
  args: unknown[];
  /** Returns undefined when `value` is right, else what was wrong. */
  verify(value: unknown): string | undefined;
  /** Anything the suite's `score` needs to know about the case (which stream, which window, ...). */
  tag?: unknown;
  /** Folders are listed in this order while the call runs (see listing-order.ts); Node's own order otherwise. */
  listing?: { order: ListingOrder; salt: number };
  /**
   * A harness driver (kinds/functions/drivers.ts) that uses the exports, `fn` among them, instead of a
   * plain call of `fn`: e.g. it builds a graph with the learner's `Value` class and reads its gradients.
   */
  driver?: string;
  /**
   * The value reaches `verify` as `{ returned, gradients }`: what the call returned, and the flat values of every
   * gradient TensorFlow.js's engine computed during it (child/observe.ts), so an answer can be matched with autograd's.
   */
  gradients?: boolean;
}

/** Files a suite builds before the child starts (fixture folders), which the child may read. */
export interface SuiteFixture {
  readRoots: string[];
  /** Whatever the suite's cases need to find the fixtures (paths, expected values). */
  data?: unknown;
  cleanup(): void;
}

/** What one case gave: the learner's value (when the call returned) and what was wrong, if anything. */
export interface CaseOutcome {
  case: SuiteCase;
  value?: unknown;
  problem?: string;
}

export interface Suite {
  id: string;
  exports: string[];
  /** Builds fixtures the cases use; the grader calls `cleanup` whatever happens. */
  prepare?(seed: number): Promise<SuiteFixture>;
  cases(seed: number, fixture?: SuiteFixture): SuiteCase[];
  /**
   * Metric values computed from every case's outcome, by metric name, for
   * suites graded on rates rather than on all cases passing (NaN when a
   * metric cannot be computed). Without it every metric is the fraction of
   * cases passed.
   */
  score?(outcomes: CaseOutcome[]): Record<string, number>;
  /** A few lines on how the outcomes went (e.g. detections per kind of stream), shown with a result that did not pass. */
  describe?(outcomes: CaseOutcome[]): string;
  /**
   * What the learner's own answers show about the lesson's real data (the classes a real classifier mixes
   * up, the score an encoding gets), one line each, shown with the result whatever the verdict: a pass is
   * where the lesson's point can finally be read. Only from cases that verified, so no line repeats a wrong
   * answer as a finding.
   */
  findings?(outcomes: CaseOutcome[]): string[];
}
