/**
 * JSON Schema of the curriculum format, generated from the zod schema so the
 * two cannot drift apart. schema/curriculum.schema.json is this output,
 * committed so editors can autocomplete curriculum files; a unit test keeps it
 * in sync (regenerate with `node scripts/gen-schema.js` after a build).
 */
import { zodToJsonSchema } from 'zod-to-json-schema';
import { curriculumSchema } from './schema';

export function curriculumJsonSchema(): object {
  // The two packages' zod type declarations differ under node10 resolution;
  // the runtime objects are the same zod v3 schemas.
  const toJson = zodToJsonSchema as unknown as (schema: unknown, options: object) => object;
  const generated = toJson(curriculumSchema, { target: 'jsonSchema7', $refStrategy: 'none' });
  const { $schema, ...rest } = generated as Record<string, unknown>;
  return {
    $schema,
    title: 'mlpath curriculum',
    description: 'A learning path for `mlpath`: months of exercises graded on held-out data (formatVersion 1).',
    ...rest,
  };
}

/** The exact text of schema/curriculum.schema.json. */
export function curriculumJsonSchemaText(): string {
  return `${JSON.stringify(curriculumJsonSchema(), null, 2)}\n`;
}
