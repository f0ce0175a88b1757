/**
 * The grading kinds: the curriculum's kinds that mlpath can grade. Each has a
 * parent side (kinds/<kind>/parent.ts, in the grader) and a child side
 * (kinds/<kind>/child.ts, in the sandboxed child); parents.ts and children.ts
 * list them, typed by this union so that neither list can miss one.
 */
import type { ExerciseKind } from '../../curriculum/schema';

export const GRADED_KINDS = ['train', 'functions', 'tracking', 'service'] as const satisfies readonly ExerciseKind[];
export type GradedKind = (typeof GRADED_KINDS)[number];

export function isGradedKind(kind: unknown): kind is GradedKind {
  return typeof kind === 'string' && (GRADED_KINDS as readonly string[]).includes(kind);
}
