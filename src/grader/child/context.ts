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
  /**
   * Throws the first forbidden-API use, even one learner code caught, or a refusal when graded code has replaced
   * a built-in or a kernel; call as each call of graded code returns, before the grader reads what it returned.
   */
  assertClean(): void;
  /**
   * assertClean once every callback graded code queued has run: as a call of graded code returns, the promise
   * callbacks (and due timers) it left run first, then the check. A callback queued to run a few hops after the
   * check would otherwise swap a built-in V8 keeps writable (Array.prototype[Symbol.iterator], sort) while the
   * grader's code goes on, and put it back at the next call, unseen (review 23). Use it wherever graded code
   * returns and the grader's own code continues.
   */
  settle(): Promise<void>;
}

/** A kind's child side: runs the learner's code and answers the grader's requests until `done`. */
export type ChildKind = (ctx: HarnessContext) => Promise<void>;

/**
 * Why a module without a default export cannot be graded, noticing a named export the learner meant as the entry
 * (`export async function train` without `default`). The parent adds the file's path.
 */
export function noDefaultExport(exports: Record<string, unknown>, name: string, contextType: string): string {
  const wanted = `export default async function ${name}(ctx: ${contextType})`;
  const named = Object.keys(exports).filter((k) => k !== 'default' && typeof exports[k] === 'function');
  if (named.includes(name) || named.length === 1) {
    const found = named.includes(name) ? name : named[0];
    return `has no default export, but it has a named export \`${found}\`: mlpath calls the default export, so it must be \`export default async function ${found}(ctx: ${contextType})\` (add \`default\` after \`export\`)`;
  }
  return `has no default export${named.length ? ` (its named exports: ${named.slice(0, 5).join(', ')})` : ''}: add \`${wanted} { ... }\``;
}
