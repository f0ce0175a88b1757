/**
 * Which exercise a verb (hint, solution, reset, watch, report) is about: the
 * id given, else the exercise folder the learner stands in, else (for verbs
 * where it makes sense) the next exercise not yet passed.
 */
import * as path from 'node:path';
import { findExercise, type Curriculum, type LoadedExercise } from '../curriculum';
import { UsageError } from '../errors';
import { exerciseProgress, loadProgress } from '../progress/store';
import { requireWorkspace, type Workspace } from '../workspace';
import { availableExercises, loadWorkspaceCurriculum } from '../workspace/curriculum';

export interface Target {
  ws: Workspace;
  curriculum: Curriculum;
  exercise: LoadedExercise;
  /** Exercises this workspace holds (built, of its track), in path order. */
  available: LoadedExercise[];
}

export interface TargetOptions {
  cwd: string;
  id?: string;
  /** The verb, for messages: `mlpath <verb> month2/mnist`. */
  verb: string;
  /** Without an id or an exercise folder, use the first exercise not yet passed. */
  fallbackToNext?: boolean;
}

export function normalizeId(id: string): string {
  return id.replace(/\\/g, '/').replace(/^\.\//, '').replace(/\/+$/, '');
}

/** The exercise a folder belongs to, when it is an exercise folder or inside one. */
export function exerciseAt(ws: Workspace, cwd: string, exercises: LoadedExercise[]): LoadedExercise | undefined {
  const rel = path.relative(ws.root, path.resolve(cwd)).split(path.sep).join('/');
  return exercises.find((ex) => rel === ex.key || rel.startsWith(`${ex.key}/`));
}

/** Looks an id up (closest ids on a typo) and makes sure the exercise is built. */
export function builtExercise(curriculum: Curriculum, id: string): LoadedExercise {
  const ex = findExercise(curriculum, normalizeId(id));
  if (ex.status !== 'ready') {
    throw new UsageError(
      `${ex.key} is not built yet: it is planned for a later release of this curriculum`,
      '`mlpath status` lists the exercises you can do now',
    );
  }
  return ex;
}

/** Looks an id up and makes sure this workspace can work on it. */
export function availableExercise(
  curriculum: Curriculum,
  available: LoadedExercise[],
  id: string,
  track: string | undefined,
): LoadedExercise {
  const ex = builtExercise(curriculum, id);
  if (!available.includes(ex)) {
    throw new UsageError(
      `${ex.key} belongs to the ${ex.track} track; this workspace follows ${track ? `the ${track} track` : 'no track'}`,
      `\`mlpath start --track ${ex.track}\` adds it`,
    );
  }
  return ex;
}

export function resolveTargetIn(ws: Workspace, curriculum: Curriculum, opts: TargetOptions): Target {
  const available = availableExercises(curriculum, ws.config.track);
  const base = { ws, curriculum, available };
  if (opts.id) return { ...base, exercise: availableExercise(curriculum, available, opts.id, ws.config.track) };
  const here = exerciseAt(ws, opts.cwd, available);
  if (here) return { ...base, exercise: here };
  if (opts.fallbackToNext) {
    const { progress } = loadProgress(ws.root);
    const next = available.find((ex) => !exerciseProgress(progress, ex.key).passed) ?? available[available.length - 1];
    if (next) return { ...base, exercise: next };
  }
  const example = available[0]?.key ?? 'month2/mnist';
  throw new UsageError(
    `which exercise? e.g. \`mlpath ${opts.verb} ${example}\``,
    '`mlpath status` lists the exercises of this workspace',
  );
}

export function resolveTarget(opts: TargetOptions): Target {
  const ws = requireWorkspace(opts.cwd);
  const { curriculum } = loadWorkspaceCurriculum(ws);
  return resolveTargetIn(ws, curriculum, opts);
}
