/**
 * `mlpath status`: progress per month and exercise, the best metric against
 * its threshold, the month's readings, and the next exercise. Loads no
 * TensorFlow.js.
 */
import type { LoadedExercise, Reading } from '../curriculum';
import { exerciseProgress, loadProgress } from '../progress/store';
import { requireWorkspace } from '../workspace';
import { availableExercises, loadWorkspaceCurriculum } from '../workspace/curriculum';

export type ExerciseState = 'passed' | 'attempted' | 'not started' | 'planned';

export interface ExerciseStatus {
  key: string;
  title: string;
  state: ExerciseState;
  attempts: number;
  best?: { name: string; value: number | null; min?: number; max?: number; passed: boolean };
  inWorkspace: boolean;
  /** Entry file the learner edits, relative to the exercise folder. */
  entry?: string;
  hints: { seen: number; total: number };
}

export interface MonthStatus {
  id: string;
  title: string;
  passed: number;
  total: number;
  readings: Reading[];
  exercises: ExerciseStatus[];
}

export interface StatusResult {
  root: string;
  curriculum: string;
  track?: string;
  months: MonthStatus[];
  next?: { key: string; title: string; command: string; entry?: string };
  warnings: string[];
}

export interface StatusOptions {
  cwd: string;
}

export async function run(opts: StatusOptions): Promise<StatusResult> {
  const ws = requireWorkspace(opts.cwd);
  const { curriculum, mismatch } = loadWorkspaceCurriculum(ws);
  const loaded = loadProgress(ws.root);
  const warnings = mismatch ? [mismatch] : [];
  if (loaded.recoveredFrom)
    warnings.push(`progress file was unreadable and was moved aside to ${loaded.recoveredFrom}`);
  const available = new Set(availableExercises(curriculum, ws.config.track).map((e) => e.key));
  const months: MonthStatus[] = curriculum.months.map((m) => {
    const exercises = curriculum.exercises
      .filter((e) => e.monthId === m.id && (!e.track || e.track === ws.config.track))
      .map((e) => exerciseStatus(e, available.has(e.key), exerciseProgress(loaded.progress, e.key)));
    return {
      id: m.id,
      title: m.title,
      passed: exercises.filter((e) => e.state === 'passed').length,
      total: exercises.filter((e) => e.state !== 'planned').length,
      readings: m.readings,
      exercises,
    };
  });
  const nextEx = months.flatMap((m) => m.exercises).find((e) => e.inWorkspace && e.state !== 'passed');
  return {
    root: ws.root,
    curriculum: `${curriculum.title} (${curriculum.id} ${curriculum.version})`,
    track: ws.config.track,
    months,
    next: nextEx
      ? { key: nextEx.key, title: nextEx.title, command: `mlpath check ${nextEx.key}`, entry: nextEx.entry }
      : undefined,
    warnings,
  };
}

function exerciseStatus(
  ex: LoadedExercise,
  inWorkspace: boolean,
  p: ReturnType<typeof exerciseProgress>,
): ExerciseStatus {
  const state: ExerciseState =
    ex.status === 'planned' ? 'planned' : p.passed ? 'passed' : p.attempts > 0 ? 'attempted' : 'not started';
  const spec = ex.metrics[0];
  const best = spec ? p.best.find((b) => b.name === spec.name) : undefined;
  return {
    key: ex.key,
    title: ex.title,
    state,
    attempts: p.attempts,
    best: best && spec ? { ...best, min: spec.min, max: spec.max } : undefined,
    inWorkspace,
    entry: ex.entry,
    hints: { seen: Math.min(p.hintsSeen, ex.hints.length), total: ex.hints.length },
  };
}
