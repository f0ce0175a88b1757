/**
 * One kind-specific block of an exercise's `options` (`options.lesson`,
 * `options.selection`, `options.fixedModel`), parsed by its own schema; a
 * bad value is a GradingError naming the exercise and the field.
 */
import type { z } from 'zod';
import { GradingError } from '../errors';

/** An exercise's key and its options as written: any kind's, or a test's. */
export interface WithOptions {
  key: string;
  options?: object;
}

/** The parsed block, or undefined when the exercise does not set it. */
export function exerciseOption<S extends z.ZodTypeAny>(
  ex: WithOptions,
  name: string,
  schema: S,
): z.infer<S> | undefined {
  const raw = (ex.options as Record<string, unknown> | undefined)?.[name];
  if (raw === undefined) return undefined;
  const parsed = schema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new GradingError(`${ex.key}: options.${name}.${issue.path.join('.')}: ${issue.message}`);
  }
  return parsed.data as z.infer<S>;
}
