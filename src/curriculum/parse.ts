/**
 * Parses and validates a curriculum file in three steps (schema, normalise,
 * cross-field rules) and reports every problem at once as
 * `file:line field: message`. Loaded lazily by ./loader: a cached curriculum
 * needs none of this.
 */
import { createHash } from 'node:crypto';
import * as path from 'node:path';
import { isAlias, isMap, isScalar, isSeq, LineCounter, parseDocument, type Document, type Node } from 'yaml';
import type { ZodIssue } from 'zod';
import { CurriculumError, type CurriculumIssue } from '../errors';
import type { Curriculum, LoadedExercise } from './types';
import { checkRules, didYouMean, formatPath, type DataPath } from './rules';
import { curriculumSchema, EXERCISE_KINDS, exerciseSchema } from './schema';

/** Schema, normalisation and cross-field rules: every problem at once. */
export function parseCurriculum(absolute: string, bytes: Buffer): Curriculum {
  const lineCounter = new LineCounter();
  const doc = parseDocument(bytes.toString('utf8'), { lineCounter, prettyErrors: false });

  const issue = (p: DataPath, message: string): CurriculumIssue => ({
    file: absolute,
    line: lineOf(doc, lineCounter, p),
    field: formatPath(p),
    message,
  });

  if (doc.errors.length > 0) {
    throw new CurriculumError(
      doc.errors.map((e) => ({
        file: absolute,
        line: lineCounter.linePos(e.pos[0]).line,
        field: 'yaml',
        message: e.message,
      })),
    );
  }
  if (doc.contents === null) {
    throw new CurriculumError([
      issue([], 'the file is empty; a curriculum needs formatVersion, id, version, title and months'),
    ]);
  }

  let raw: unknown;
  try {
    raw = doc.toJS();
  } catch (err) {
    // yaml refuses documents whose aliases expand exponentially.
    throw new CurriculumError([issue([], (err as Error).message)]);
  }
  const parsed = curriculumSchema.safeParse(raw);
  if (!parsed.success) {
    // Cross-field rules need typed data, so they wait until the schema passes.
    const issues = parsed.error.issues.flatMap((i) => fromZod(i, raw).map(([p, m]) => issue(p, m)));
    throw new CurriculumError(sortByLine(issues));
  }

  const data = parsed.data;
  const dir = path.dirname(absolute);
  const ruleIssues = checkRules(data, dir);
  if (ruleIssues.length > 0) {
    throw new CurriculumError(sortByLine(ruleIssues.map((r) => issue(r.path, r.message))));
  }

  const exercises: LoadedExercise[] = data.months.flatMap((month) =>
    month.exercises.map((exercise) => ({
      ...exercise,
      key: `${month.id}/${exercise.id}`,
      monthId: month.id,
      templateDir: exercise.template === undefined ? undefined : path.resolve(dir, exercise.template),
      solutionDir: exercise.solution === undefined ? undefined : path.resolve(dir, exercise.solution),
    })),
  );
  return { ...data, file: absolute, dir, exercises, hash: createHash('sha256').update(bytes).digest('hex') };
}

/** One zod issue as one or more (path, message) pairs; `raw` is the data parsed, for what the issue leaves out. */
function fromZod(issue: ZodIssue, raw: unknown): Array<[DataPath, string]> {
  if (issue.code === 'unrecognized_keys') {
    const known = knownKeys(issue.path, raw);
    return issue.keys.map((key) => {
      const hint = didYouMean(key, known) || otherKind(issue.path, key, raw);
      return [[...issue.path, key], `unknown field '${key}'${hint}`];
    });
  }
  if (issue.code === 'invalid_type' && issue.received === 'undefined') {
    return [[issue.path, `missing required field '${issue.path[issue.path.length - 1]}'`]];
  }
  if (issue.code === 'invalid_union_discriminator') {
    // Only exercises are unions; zod reports at their discriminator, `kind`.
    const at = issue.path;
    const kind = valueAt(raw, at);
    if (kind === undefined) return [[at, `missing required field 'kind' (one of ${EXERCISE_KINDS.join(', ')})`]];
    const typed = typeof kind === 'string' ? kind : JSON.stringify(kind);
    const kinds = EXERCISE_KINDS.join(', ');
    return [[at, `unknown kind '${typed}'${didYouMean(typed, EXERCISE_KINDS)} (mlpath grades ${kinds})`]];
  }
  if (issue.code === 'invalid_enum_value') {
    const typed = String(issue.received);
    const options = issue.options.map(String);
    return [[issue.path, `'${typed}' is not one of ${options.join(', ')}${didYouMean(typed, options)}`]];
  }
  return [[issue.path, issue.message]];
}

function valueAt(raw: unknown, at: DataPath): unknown {
  let value = raw;
  for (const segment of at) value = (value as Record<string | number, unknown> | null | undefined)?.[segment];
  return value;
}

/** For an exercise option another kind takes: say which kind it belongs to. */
function otherKind(at: DataPath, key: string, raw: unknown): string {
  if (at[at.length - 1] !== 'options') return '';
  const kinds = exerciseSchema.options
    .filter((option) => Object.keys(unwrap(option.shape.options)?.shape ?? {}).includes(key))
    .map((option) => option.shape.kind.value);
  const own = valueAt(raw, [...at.slice(0, -1), 'kind']);
  return kinds.length ? `: it is an option of ${kinds.join(', ')} exercises, and this one is '${String(own)}'` : '';
}

interface ZodLike {
  _def?: {
    typeName?: string;
    innerType?: unknown;
    schema?: unknown;
    type?: unknown;
    valueType?: unknown;
    discriminator?: string;
  };
  shape?: Record<string, unknown>;
  optionsMap?: Map<unknown, unknown>;
}

/** Field names the schema allows at a data path, for "did you mean" on typos; the data picks a union's member. */
function knownKeys(at: DataPath, raw: unknown): string[] {
  let schema = pick(unwrap(curriculumSchema), raw);
  let value = raw;
  for (const segment of at) {
    const def = schema?._def;
    value = valueAt(value, [segment]);
    if (def?.typeName === 'ZodArray' && typeof segment === 'number') schema = def.type as ZodLike;
    else if (def?.typeName === 'ZodRecord' && typeof segment === 'string') schema = def.valueType as ZodLike;
    else if (def?.typeName === 'ZodObject' && typeof segment === 'string') schema = schema?.shape?.[segment] as ZodLike;
    else return [];
    schema = pick(unwrap(schema), value);
  }
  return Object.keys(schema?.shape ?? {});
}

/** The member of a discriminated union that `value` names; any other schema as it is. */
function pick(schema: ZodLike | undefined, value: unknown): ZodLike | undefined {
  const def = schema?._def;
  if (def?.typeName !== 'ZodDiscriminatedUnion' || !def.discriminator) return schema;
  return unwrap(schema?.optionsMap?.get(valueAt(value, [def.discriminator])));
}

function unwrap(schema: unknown): ZodLike | undefined {
  let current = schema as ZodLike | undefined;
  const wrappers = ['ZodDefault', 'ZodOptional', 'ZodNullable', 'ZodEffects'];
  while (current?._def && wrappers.includes(current._def.typeName ?? '')) {
    current = (current._def.innerType ?? current._def.schema) as ZodLike;
  }
  return current;
}

/**
 * Line of the node at `p`, or of its nearest ancestor that exists (a missing
 * field is reported where its object starts). Map entries point at the key,
 * so a nested block value is reported on the line that names it.
 */
function lineOf(doc: Document, lineCounter: LineCounter, p: DataPath): number | undefined {
  const lineAt = (offset: number | undefined): number | undefined =>
    offset === undefined ? undefined : lineCounter.linePos(offset).line;
  let node: unknown = doc.contents;
  let line = lineAt((node as Node | null)?.range?.[0]);
  for (const segment of p) {
    if (isAlias(node)) node = node.resolve(doc);
    if (isMap(node)) {
      const pair = node.items.find((item) => isScalar(item.key) && String(item.key.value) === String(segment));
      if (!pair) break;
      line = lineAt((pair.key as Node).range?.[0]) ?? line;
      node = pair.value;
    } else if (isSeq(node) && typeof segment === 'number') {
      const item = node.items[segment] as Node | undefined;
      if (!item) break;
      line = lineAt(item.range?.[0]) ?? line;
      node = item;
    } else {
      break;
    }
  }
  return line;
}

function sortByLine(issues: CurriculumIssue[]): CurriculumIssue[] {
  return [...issues].sort((a, b) => (a.line ?? Number.MAX_SAFE_INTEGER) - (b.line ?? Number.MAX_SAFE_INTEGER));
}
