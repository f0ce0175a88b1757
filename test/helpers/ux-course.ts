/**
 * A tiny course for the learner-experience tests, written to a temporary
 * folder: one iris exercise that trains in about a second and logs a real
 * loss curve, so watch, hints, reports and charts can be tested without
 * MNIST's ten seconds per check.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { runCli, tempDir } from './cli';

export const EXERCISE = 'm1/iris';

const CURRICULUM = `formatVersion: 1
id: ux-fixture
version: "1.0.0"
title: UX fixture course
tracks:
  - id: nlp
    title: Language
    description: words in, labels out
  - id: tabular
    title: Tabular
    description: rows and columns
defaultTrack: nlp
months:
  - id: m1
    title: "Month 1: Flowers"
    readings:
      - title: Iris
        url: https://example.com/iris
    exercises:
      - id: iris
        title: Iris with a small network
        summary: Tell three kinds of iris apart from four measurements.
        kind: train
        entry: train.ts
        template: exercises/iris
        solution: solutions/iris
        dataset:
          id: iris
          split: { seed: 5, test: 0.3, val: 0.15 }
        task: classification
        metrics:
          - name: accuracy
            min: 0.8
        budget: { seconds: 20, memoryMb: 512 }
        hints:
          - "Hint one: look at the shapes."
          - "Hint two: one dense softmax layer is enough."
          - "Hint three: adam with a learning rate of 0.1 for 30 epochs."
      - id: later
        title: Something for later
        kind: train
        status: planned
`;

export const STARTER = `import type { TrainContext, Predictor } from 'mlpath';

// Starter: an untrained model.
export default async function train(ctx: TrainContext): Promise<Predictor> {
  const model = ctx.tf.sequential();
  model.add(ctx.tf.layers.dense({ inputShape: [4], units: 3, activation: 'softmax', kernelInitializer: 'zeros' }));
  return model;
}
`;

export const PASSING = `import type { TrainContext, Predictor } from 'mlpath';

export default async function train(ctx: TrainContext): Promise<Predictor> {
  const { tf, data } = ctx;
  const model = tf.sequential();
  model.add(tf.layers.dense({ inputShape: [4], units: 3, activation: 'softmax', kernelInitializer: tf.initializers.glorotUniform({ seed: ctx.seed }) }));
  model.compile({ optimizer: tf.train.adam(0.1), loss: 'categoricalCrossentropy', metrics: ['accuracy'] });
  const y = tf.oneHot(data.yTrain.toInt(), 3);
  const validationData = data.xVal && data.yVal ? [data.xVal, tf.oneHot(data.yVal.toInt(), 3)] as [typeof y, typeof y] : undefined;
  await model.fit(data.xTrain, y, {
    epochs: 30, batchSize: 32, shuffle: false, validationData, verbose: 0,
    callbacks: { onEpochEnd: async (epoch, logs) => ctx.log({ epoch: epoch + 1, loss: logs?.loss, valAccuracy: logs?.val_acc }) },
  });
  return model;
}
`;

export const SYNTAX_ERROR = `import type { TrainContext, Predictor } from 'mlpath';

export default async function train(ctx: TrainContext): Promise<Predictor> {
  return { predict: (x) => ctx.tf.zeros([x.shape[0]]) ;
}
`;

/** Spins forever without yielding: only a kill stops it. */
export const HANGS = `import type { TrainContext, Predictor } from 'mlpath';

export default async function train(ctx: TrainContext): Promise<Predictor> {
  let spins = 0;
  for (;;) spins++;
  return { predict: (x) => ctx.tf.zeros([x.shape[0]]) };
}
`;

/** Writes the course and returns the path of its curriculum file. */
export function writeCourse(dir = tempDir('mlpath-ux-course-')): string {
  fs.mkdirSync(path.join(dir, 'exercises', 'iris'), { recursive: true });
  fs.mkdirSync(path.join(dir, 'solutions', 'iris'), { recursive: true });
  fs.writeFileSync(path.join(dir, 'curriculum.yaml'), CURRICULUM);
  fs.writeFileSync(path.join(dir, 'exercises', 'iris', 'train.ts'), STARTER);
  fs.writeFileSync(
    path.join(dir, 'exercises', 'iris', 'README.md'),
    '# m1/iris\n\nTrain a classifier for three kinds of iris.\n',
  );
  fs.writeFileSync(path.join(dir, 'solutions', 'iris', 'train.ts'), PASSING);
  return path.join(dir, 'curriculum.yaml');
}

/** A fresh workspace of the UX course, made by the built CLI. */
export function makeUxWorkspace(): string {
  const ws = path.join(tempDir('mlpath-ux-'), 'ws');
  const r = runCli(['start', ws, '--yes', '--curriculum', writeCourse()], process.cwd());
  if (r.code !== 0) throw new Error(`mlpath start failed: ${r.stderr}`);
  return ws;
}

export function entryOf(ws: string): string {
  return path.join(ws, 'm1', 'iris', 'train.ts');
}

/** Saves the entry file the way an editor does: a new mtime even if the size is the same. */
export function save(ws: string, content: string): void {
  fs.writeFileSync(entryOf(ws), content);
}

/**
 * Processes still running inside `dir` (their working directory is in it):
 * graded children run with the exercise folder as their cwd, so any left
 * here after a session ended are orphans. Linux only; elsewhere, empty.
 */
export function processesIn(dir: string): string[] {
  if (process.platform !== 'linux') return [];
  const found: string[] = [];
  for (const pid of fs.readdirSync('/proc').filter((p) => /^\d+$/.test(p))) {
    try {
      const cwd = fs.readlinkSync(`/proc/${pid}/cwd`);
      const args = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
      // A learner process runs in a private snapshot; its last argument names the submission it grades.
      const label = args.includes(
        path.join(path.dirname(require.resolve('../../package.json')), 'dist', 'grader', 'child.cjs'),
      )
        ? args[args.length - 2]
        : undefined;
      const within = (p: string | undefined): boolean => p !== undefined && (p === dir || p.startsWith(`${dir}/`));
      if (within(cwd) || within(label)) found.push(`${pid} ${args.join(' ')}`);
    } catch {
      // gone, or not ours to look at
    }
  }
  return found;
}
