/**
 * `mlpath new exercise <month/id>`: add an exercise skeleton to a curriculum
 * (YAML entry, README, starter, reference solution), keeping the file's
 * comments and layout, and leave it `planned` until the author fills it in.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { isMap, isSeq, parseDocument, YAMLMap, YAMLSeq } from 'yaml';
import { UsageError } from '../errors';

export interface NewExerciseOptions {
  cwd: string;
  key: string;
  file: string;
  title?: string;
}

export interface NewExerciseResult {
  file: string;
  key: string;
  created: string[];
}

const STARTER = `import type { TrainContext, Predictor } from 'mlpath';

export default async function train(ctx: TrainContext): Promise<Predictor> {
  const { tf, data } = ctx;
  // TODO: the learner's task goes here.
  return { predict: (x) => tf.zeros([x.shape[0]], 'int32') };
}
`;

const SOLUTION = `import type { TrainContext, Predictor } from 'mlpath';

export default async function train(ctx: TrainContext): Promise<Predictor> {
  const { tf, data } = ctx;
  // TODO: the reference solution, which must pass the check.
  void data;
  return { predict: (x) => tf.zeros([x.shape[0]], 'int32') };
}
`;

function readme(key: string, title: string): string {
  return `# ${key}: ${title}

## What you will learn
TODO: the idea, and why it matters.

## The task
TODO: what to edit, the contract of \`train(ctx)\` and of \`predict(x)\`.

## How it is graded
TODO: dataset, held-out split, metric and threshold; the baseline and a good result.

## Readings
- TODO
`;
}

export async function run(opts: NewExerciseOptions): Promise<NewExerciseResult> {
  const m = /^([a-z0-9][a-z0-9-]*)\/([a-z0-9][a-z0-9-]*)$/.exec(opts.key);
  if (!m)
    throw new UsageError(
      `exercise id '${opts.key}' must look like month1/my-exercise (lowercase letters, digits, dashes)`,
    );
  const [, monthId, id] = m;
  const file = path.resolve(opts.cwd, opts.file);
  if (!fs.existsSync(file)) throw new UsageError(`curriculum file ${file} does not exist`, 'pass --curriculum <file>');
  const doc = parseDocument(fs.readFileSync(file, 'utf8'));
  const months = doc.get('months');
  if (!isSeq(months)) throw new UsageError(`${file} has no months list`, '`mlpath validate` shows what is wrong');
  // A new course starts as `months: []`; its first month is written in block style, like the rest of the file.
  if (months.items.length === 0) months.flow = false;
  let month = months.items.find((item) => isMap(item) && item.get('id') === monthId) as YAMLMap | undefined;
  if (!month) {
    month = doc.createNode({ id: monthId, title: monthId, exercises: [] });
    months.items.push(month);
  }
  let exercises = month.get('exercises');
  if (!isSeq(exercises)) {
    exercises = new YAMLSeq();
    month.set('exercises', exercises);
  }
  const seq = exercises as YAMLSeq;
  if (seq.items.some((item) => isMap(item) && item.get('id') === id))
    throw new UsageError(`${opts.key} already exists in ${file}`);
  const title = opts.title ?? id.replace(/-/g, ' ');
  const templateRel = path.join('exercises', monthId, id);
  const solutionRel = path.join('solutions', monthId, id);
  seq.items.push(
    doc.createNode({
      id,
      title,
      kind: 'train',
      status: 'planned',
      entry: 'train.ts',
      template: templateRel,
      solution: solutionRel,
      dataset: { id: 'iris', split: { seed: 1, test: 0.3 } },
      task: 'classification',
      metrics: [{ name: 'accuracy', min: 0.9 }],
      budget: { seconds: 60 },
      hints: ['TODO: a nudge', 'TODO: a direction', 'TODO: nearly the answer'],
    }),
  );
  const dir = path.dirname(file);
  const created: string[] = [];
  const write = (rel: string, content: string): void => {
    const target = path.join(dir, rel);
    if (fs.existsSync(target)) return;
    fs.mkdirSync(path.dirname(target), { recursive: true });
    fs.writeFileSync(target, content);
    created.push(rel);
  };
  write(path.join(templateRel, 'README.md'), readme(opts.key, title));
  write(path.join(templateRel, 'train.ts'), STARTER);
  write(path.join(solutionRel, 'train.ts'), SOLUTION);
  fs.writeFileSync(file, doc.toString());
  return { file, key: opts.key, created };
}
