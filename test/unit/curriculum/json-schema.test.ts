import * as fs from 'node:fs';
import * as path from 'node:path';
import { curriculumJsonSchema, curriculumJsonSchemaText } from '../../../src/curriculum/json-schema';

const committed = path.resolve(__dirname, '../../../schema/curriculum.schema.json');

type JsonObject = { [key: string]: unknown };
const at = (schema: unknown, ...keys: string[]): JsonObject =>
  keys.reduce((node, key) => (node as JsonObject)[key], schema) as JsonObject;

describe('curriculum JSON Schema', () => {
  it('is committed exactly as generated (regenerate: npm run build && node scripts/gen-schema.js)', () => {
    expect(fs.readFileSync(committed, 'utf8')).toBe(curriculumJsonSchemaText());
  });

  it('carries the zod constraints and descriptions editors need', () => {
    const schema = curriculumJsonSchema();
    expect(at(schema, 'required')).toEqual(expect.arrayContaining(['formatVersion', 'id', 'version', 'title', 'months']));
    expect(at(schema, 'additionalProperties')).toBe(false);
    const exercise = at(schema, 'properties', 'months', 'items', 'properties', 'exercises', 'items');
    expect(at(exercise, 'required')).toEqual(['id', 'title', 'kind']);
    expect(at(exercise, 'properties', 'kind', 'enum')).toContain('train');
    const metric = at(exercise, 'properties', 'metrics', 'items');
    expect(at(metric, 'properties', 'name', 'enum')).toContain('ndcg_at_k');

    const undescribed: string[] = [];
    const walk = (node: unknown, where: string): void => {
      const props = (node as JsonObject | undefined)?.properties as Record<string, JsonObject> | undefined;
      for (const [name, prop] of Object.entries(props ?? {})) {
        if (typeof prop.description !== 'string') undescribed.push(`${where}.${name}`);
        walk(prop, `${where}.${name}`);
        walk(prop.items, `${where}.${name}[]`);
      }
    };
    walk(schema, '$');
    expect(undescribed).toEqual([]);
  });
});
