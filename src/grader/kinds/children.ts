/**
 * The child side of every grading kind, for the harness. Only child modules
 * are imported here: this file is bundled into dist/grader/child.cjs, and the
 * parent sides would bring the dataset loaders with them.
 */
import type { ChildKind } from '../child/context';
import { runFunctionsKind } from './functions/child';
import { GRADED_KINDS, isGradedKind, type GradedKind } from './kind';
import { runServiceKind } from './service/child';
import { runTrackingKind } from './tracking/child';
import { runTrainKind } from './train/child';

const CHILD_KINDS: Record<GradedKind, ChildKind> = {
  train: runTrainKind,
  functions: runFunctionsKind,
  tracking: runTrackingKind,
  service: runServiceKind,
};

/**
 * The child side of `kind`. The kind comes over the channel, so it is checked
 * here as well as typed: a grader and harness out of step must fail loudly,
 * never grade an exercise as the wrong kind.
 */
export function childKind(kind: unknown): ChildKind {
  if (!isGradedKind(kind)) {
    const shown = typeof kind === 'string' ? `'${kind.slice(0, 40)}'` : typeof kind;
    throw new Error(`unknown grading kind ${shown}: this harness grades ${GRADED_KINDS.join(', ')}`);
  }
  return CHILD_KINDS[kind];
}
