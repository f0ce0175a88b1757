/**
 * `mlpath hint [id] [--all]`: tiered hints, from a nudge to nearly the
 * answer. Each call reveals the next level and records it in progress
 * (`hintsSeen`), so the learner never has to remember where they were;
 * `--all` shows every level.
 */
import { exerciseProgress, loadProgress, updateProgress } from '../progress/store';
import { resolveTarget } from './target';

export interface HintOptions {
  cwd: string;
  /** `month2/mnist`; default: the exercise folder the learner stands in, else the next exercise. */
  id?: string;
  all?: boolean;
}

export const hintDefaults = { all: false } as const;

export interface Hint {
  level: number;
  text: string;
}

export interface HintResult {
  exercise: string;
  title: string;
  /** Number of hint levels the exercise has. */
  total: number;
  /** The hints shown by this call. */
  shown: Hint[];
  /** Levels seen so far, this call included. */
  seen: number;
  /** True when this call showed the last level (again). */
  last: boolean;
  passed: boolean;
  hasSolution: boolean;
}

export async function run(opts: HintOptions): Promise<HintResult> {
  const { ws, exercise } = resolveTarget({ cwd: opts.cwd, id: opts.id, verb: 'hint', fallbackToNext: true });
  const loaded = loadProgress(ws.root);
  const entry = exerciseProgress(loaded.progress, exercise.key);
  const total = exercise.hints.length;
  const all = opts.all ?? hintDefaults.all;
  const level = all ? total : Math.min(entry.hintsSeen + 1, total);
  const shown = all
    ? exercise.hints.map((text, i) => ({ level: i + 1, text }))
    : level > 0
      ? [{ level, text: exercise.hints[level - 1] }]
      : [];
  if (level > entry.hintsSeen) {
    entry.hintsSeen = level;
    updateProgress(ws.root, (progress) => {
      const latest = exerciseProgress(progress, exercise.key);
      latest.hintsSeen = Math.max(latest.hintsSeen, level);
      progress.exercises[exercise.key] = latest;
    });
  }
  return {
    exercise: exercise.key,
    title: exercise.title,
    total,
    shown,
    seen: entry.hintsSeen,
    last: total > 0 && level === total,
    passed: entry.passed,
    hasSolution: !!exercise.solutionDir,
  };
}
