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
    expect(at(schema, 'required')).toEqual(
      expect.arrayContaining(['formatVersion', 'id', 'version', 'title', 'months']),
    );
    expect(at(schema, 'additionalProperties')).toBe(false);
    // One exercise shape per kind, each with that kind's options and no others.
    const kinds = at(schema, 'properties', 'months', 'items', 'properties', 'exercises', 'items').anyOf as JsonObject[];
    const kindNames = kinds.map((k) => at(k, 'properties', 'kind', 'const'));
    expect(kindNames).toEqual(['train', 'functions', 'service', 'tracking']);
    for (const exercise of kinds) {
      expect(at(exercise, 'required')).toEqual(['id', 'title', 'kind']);
      expect(at(exercise, 'additionalProperties')).toBe(false);
      expect(at(exercise, 'properties', 'options', 'additionalProperties')).toBe(false);
    }
    const [train, functions, , tracking] = kinds;
    const trainOptions = Object.keys(at(train, 'properties', 'options', 'properties'));
    expect(trainOptions).toEqual(['lesson', 'selection', 'fixedModel', 'relevantMin']);
    expect(Object.keys(at(functions, 'properties', 'options', 'properties'))).toEqual(['suite']);
    expect(at(tracking, 'properties', 'options', 'properties', 'valMetric', 'enum')).toContain('accuracy');
    expect(at(train, 'properties', 'budget', 'properties', 'memoryMb', 'maximum')).toBe(16384);
    const metric = at(train, 'properties', 'metrics', 'items');
    expect(at(metric, 'properties', 'name', 'enum')).toContain('ndcg_at_k');

    const undescribed: string[] = [];
    const walk = (node: unknown, where: string): void => {
      const props = (node as JsonObject | undefined)?.properties as Record<string, JsonObject> | undefined;
      for (const [name, prop] of Object.entries(props ?? {})) {
        if (typeof prop.description !== 'string') undescribed.push(`${where}.${name}`);
        walk(prop, `${where}.${name}`);
        walk(prop.items, `${where}.${name}[]`);
        walk(prop.additionalProperties, `${where}.${name}{}`);
      }
      const members = (node as JsonObject | undefined)?.anyOf as JsonObject[] | undefined;
      members?.forEach((member, i) => walk(member, `${where}|${i}`));
    };
    walk(schema, '$');
    expect(undescribed).toEqual([]);
  });
});
