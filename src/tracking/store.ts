/**
 * The write side of MLflow's file store (layout in ./layout.ts): creates
 * experiments and runs and logs params, metrics and tags as MLflow's own
 * FileStore would, synchronously, so a crash mid-training leaves every value
 * logged so far on disk. Runs in the grader's child process, whose only
 * writable folder is the exercise's `mlruns/`.
 */
import { randomBytes, randomInt } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { writeFileAtomic } from '../atomic-write';
import { UsageError } from '../errors';
import {
  appendToUri,
  DEFAULT_EXPERIMENT_ID,
  DEFAULT_EXPERIMENT_NAME,
  experimentMetaYaml,
  keyProblem,
  META_FILE,
  metricLine,
  relativeStoreUri,
  RUN_NAME_TAG,
  runMetaYaml,
  TRASH_FOLDER,
  type ExperimentInfo,
  type RunInfo,
  type RunStatusName,
} from './layout';
import { listExperiments } from './reader';

/** Longest param value MLflow accepts (6000 characters since MLflow 2.4). */
export const MAX_PARAM_LENGTH = 6000;

const ADJECTIVES = [
  'bold',
  'calm',
  'clever',
  'eager',
  'gentle',
  'honest',
  'keen',
  'lucky',
  'merry',
  'nimble',
  'polite',
  'quiet',
  'rare',
  'sharp',
  'sunny',
  'tidy',
  'vast',
  'warm',
  'wise',
  'zesty',
];
const NOUNS = [
  'ant',
  'bear',
  'crane',
  'deer',
  'eel',
  'finch',
  'gnu',
  'hare',
  'ibis',
  'jay',
  'koala',
  'lynx',
  'mole',
  'newt',
  'owl',
  'panda',
  'quail',
  'robin',
  'seal',
  'toad',
];

/** A run name like MLflow's generated ones (`clever-owl-123`). */
export function randomRunName(): string {
  return `${ADJECTIVES[randomInt(ADJECTIVES.length)]}-${NOUNS[randomInt(NOUNS.length)]}-${randomInt(1000)}`;
}

/** An 18-digit random integer without a leading zero, like MLflow 2.x's _generate_unique_integer_id. */
export function experimentId(): string {
  let id = String(randomInt(1, 10));
  while (id.length < 18) id += String(randomInt(10));
  return id;
}

function checkKey(what: string, key: string): void {
  const problem = keyProblem(key);
  if (problem) throw new UsageError(`${what} name ${JSON.stringify(key)} ${problem}`);
}

export class FileStore {
  readonly root: string;

  constructor(
    root: string,
    private readonly clock: () => number = Date.now,
  ) {
    this.root = path.resolve(root);
  }

  /** Creates the root as MLflow does on first use: the Default experiment and the trash folder. */
  ensure(): void {
    fs.mkdirSync(this.root, { recursive: true });
    if (!fs.existsSync(path.join(this.root, DEFAULT_EXPERIMENT_ID, META_FILE))) {
      this.writeExperiment(DEFAULT_EXPERIMENT_ID, DEFAULT_EXPERIMENT_NAME);
    }
    fs.mkdirSync(path.join(this.root, TRASH_FOLDER), { recursive: true });
  }

  private writeExperiment(id: string, name: string): ExperimentInfo {
    const now = this.clock();
    const info: ExperimentInfo = {
      experimentId: id,
      name,
      artifactLocation: appendToUri(relativeStoreUri(this.root), id),
      lifecycleStage: 'active',
      creationTime: now,
      lastUpdateTime: now,
    };
    const dir = path.join(this.root, id);
    fs.mkdirSync(dir, { recursive: true });
    writeFileAtomic(path.join(dir, META_FILE), experimentMetaYaml(info));
    return info;
  }

  /** The active experiment of that name, created when missing. */
  experiment(name: string): ExperimentInfo {
    this.ensure();
    const found = listExperiments(this.root).find((e) => e.name === name && e.lifecycleStage === 'active');
    if (found) return found;
    let id: string;
    do id = experimentId();
    while (fs.existsSync(path.join(this.root, id)));
    return this.writeExperiment(id, name);
  }

  private runDir(info: RunInfo): string {
    return path.join(this.root, info.experimentId, info.runId);
  }

  /** The run's `artifacts/` folder, where logged models go (see MODEL_ARTIFACT). */
  artifactsDir(info: Pick<RunInfo, 'experimentId' | 'runId'>): string {
    return path.join(this.root, info.experimentId, info.runId, 'artifacts');
  }

  createRun(
    experiment: ExperimentInfo,
    opts: { runName?: string; userId: string; tags?: Record<string, string> },
  ): RunInfo {
    const runId = randomBytes(16).toString('hex');
    const info: RunInfo = {
      runId,
      experimentId: experiment.experimentId,
      runName: opts.runName ?? randomRunName(),
      userId: opts.userId,
      status: 'RUNNING',
      startTime: this.clock(),
      endTime: null,
      artifactUri: appendToUri(experiment.artifactLocation, runId, 'artifacts'),
      lifecycleStage: 'active',
    };
    const dir = this.runDir(info);
    fs.mkdirSync(dir, { recursive: true });
    writeFileAtomic(path.join(dir, META_FILE), runMetaYaml(info, { withDeletedTime: true }));
    for (const sub of ['metrics', 'params', 'artifacts']) fs.mkdirSync(path.join(dir, sub), { recursive: true });
    this.setTag(info, RUN_NAME_TAG, info.runName);
    for (const [k, v] of Object.entries(opts.tags ?? {})) this.setTag(info, k, v);
    return info;
  }

  /** Params are immutable in MLflow: logging a key again with another value is an error. */
  logParam(info: RunInfo, key: string, value: string): void {
    checkKey('param', key);
    if (value.length > MAX_PARAM_LENGTH)
      throw new UsageError(`param ${key} is ${value.length} characters long; MLflow keeps at most ${MAX_PARAM_LENGTH}`);
    const file = path.join(this.runDir(info), 'params', key);
    if (fs.existsSync(file)) {
      const current = fs.readFileSync(file, 'utf8');
      if (current !== value) {
        throw new UsageError(
          `param ${key} was already logged as '${current}' for run ${info.runName}; params cannot change (start a new run for a new value)`,
        );
      }
      return;
    }
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, value);
  }

  logMetric(info: RunInfo, key: string, value: number, step: number, timestamp = this.clock()): void {
    checkKey('metric', key);
    if (typeof value !== 'number') throw new UsageError(`metric ${key} must be a number, got ${typeof value}`);
    if (!Number.isInteger(step))
      throw new UsageError(`the step of metric ${key} must be an integer (e.g. the epoch), got ${step}`);
    const file = path.join(this.runDir(info), 'metrics', key);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.appendFileSync(file, metricLine(timestamp, value, step));
  }

  setTag(info: RunInfo, key: string, value: string): void {
    checkKey('tag', key);
    const file = path.join(this.runDir(info), 'tags', key);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, value);
  }

  /** MLflow's update_run_info: rewrites meta.yaml (without deleted_time). */
  endRun(info: RunInfo, status: RunStatusName): RunInfo {
    const updated: RunInfo = { ...info, status, endTime: this.clock() };
    writeFileAtomic(path.join(this.runDir(info), META_FILE), runMetaYaml(updated));
    return updated;
  }
}
