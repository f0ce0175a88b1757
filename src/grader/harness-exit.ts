/**
 * The child's exit code when the harness itself failed, not learner code; stderr says why (`mlpath harness: ...`).
 * Its own module, free of zod: the child imports it, and only the parent validates messages (protocol.ts).
 */
export const HARNESS_FAILED = 71;
