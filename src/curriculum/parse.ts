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
import type { Curriculum, LoadedExercise } from './loader';
import { checkRules, formatPath, type DataPath } from './rules';
import { closest, editDistance } from './find';
import { curriculumSchema } from './schema';

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
      doc.errors.map((e) => ({ file: absolute, line: lineCounter.linePos(e.pos[0]).line, field: 'yaml', message: e.message })),
    );
  }
  if (doc.contents === null) {
    throw new CurriculumError([issue([], 'the file is empty; a curriculum needs formatVersion, id, version, title and months')]);
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
    throw new CurriculumError(sortByLine(parsed.error.issues.flatMap((i) => fromZod(i).map(([p, m]) => issue(p, m)))));
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


/** One zod issue as one or more (path, message) pairs. */
function fromZod(issue: ZodIssue): Array<[DataPath, string]> {
  if (issue.code === 'unrecognized_keys') {
    const known = knownKeys(issue.path);
    return issue.keys.map((key) => {
      // A guess far from what was typed is noise, not help.
      const near = closest(key, known, 1)[0];
      const guess = near !== undefined && editDistance(key, near) <= Math.max(2, Math.floor(key.length / 3)) ? near : undefined;
      return [[...issue.path, key], `unknown field '${key}'${guess ? `; did you mean '${guess}'?` : ''}`];
    });
  }
  if (issue.code === 'invalid_type' && issue.received === 'undefined') {
    return [[issue.path, `missing required field '${issue.path[issue.path.length - 1]}'`]];
  }
  return [[issue.path, issue.message]];
}

/** Field names the schema allows at a data path, for "did you mean" on typos. */
function knownKeys(at: DataPath): string[] {
  let schema: unknown = curriculumSchema;
  for (const segment of at) {
    schema = unwrap(schema);
    const def = (schema as { _def?: { typeName?: string; type?: unknown } })._def;
    if (def?.typeName === 'ZodArray' && typeof segment === 'number') schema = def.type;
    else if (def?.typeName === 'ZodObject' && typeof segment === 'string') {
      schema = (schema as { shape: Record<string, unknown> }).shape[segment];
    } else return [];
  }
  schema = unwrap(schema);
  const shape = (schema as { shape?: Record<string, unknown> })?.shape;
  return shape ? Object.keys(shape) : [];
}

function unwrap(schema: unknown): unknown {
  let current = schema as { _def?: { typeName?: string; innerType?: unknown } } | undefined;
  while (current?._def && ['ZodDefault', 'ZodOptional', 'ZodNullable'].includes(current._def.typeName ?? '')) {
    current = current._def.innerType as typeof current;
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
