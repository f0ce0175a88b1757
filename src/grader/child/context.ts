/**
 * What the harness hands each kind's child side (grader/kinds/<kind>/child.ts):
 * the TensorFlow.js instances, the learner's exports and the channel. Kept
 * apart from harness.ts, which imports every kind, so a kind's child side
 * imports this and not the harness.
 */
import type { ChildMessage, LearnerError, ParentMessage } from '../protocol';

type Tf = typeof import('@tensorflow/tfjs');
/** A child message as a kind writes it; the harness adds the run's token. */
export type Outgoing = ChildMessage extends infer M ? (M extends { token: string } ? Omit<M, 'token'> : never) : never;

export interface HarnessContext {
  tf: Tf;
  learnerTf: Tf;
  exports: Record<string, unknown>;
  seed: number;
  budgetSeconds: number;
  payload: unknown;
  sourceRoot: string;
  send(msg: Outgoing): void;
  next(): Promise<ParentMessage>;
  fail(error: LearnerError): never;
  describe(thrown: unknown): LearnerError;
  /** Throws the first forbidden-API use, even one learner code caught. */
  assertClean(): void;
}

/** A kind's child side: runs the learner's code and answers the grader's requests until `done`. */
export type ChildKind = (ctx: HarnessContext) => Promise<void>;
