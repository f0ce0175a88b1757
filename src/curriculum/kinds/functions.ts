/** Options of a `functions` exercise, read by grader/kinds/functions.ts. */
import { z } from 'zod';

export const functionsOptionsSchema = z
  .object({
    suite: z
      .string()
      .min(1)
      .optional()
      .describe('Grading suite that calls the exports (src/grader/suites); defaults to the exercise id.'),
  })
  .strict();
export type FunctionsOptions = z.infer<typeof functionsOptionsSchema>;

/** The suite that grades a functions exercise: its own, or the one named like the exercise. */
export function suiteIdOf(ex: { id: string; options?: object }): string {
  return (ex.options as FunctionsOptions | undefined)?.suite ?? ex.id;
}
