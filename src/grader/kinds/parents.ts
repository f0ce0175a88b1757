/**
 * The parent side of every grading kind, for grade.ts. Each is imported when
 * an exercise of its kind is graded, so a check loads only the kind it needs.
 */
import type { ParentKind } from './common';
import type { GradedKind } from './kind';

export const PARENT_KINDS: Record<GradedKind, () => Promise<ParentKind>> = {
  train: async () => (await import('./train/parent')).trainKind,
  functions: async () => (await import('./functions/parent')).functionsKind,
  tracking: async () => (await import('./tracking/parent')).trackingKind,
  service: async () => (await import('./service/parent')).serviceKind,
};
