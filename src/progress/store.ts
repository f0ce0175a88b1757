/**
 * The learner's progress, in `.mlpath/progress.json`. Versioned so later
 * releases can migrate it; written atomically so a crash never leaves half a
 * file; an unreadable file is moved aside and a fresh one started, because
 * losing a streak is better than a tool that will not start.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { z } from 'zod';
import { writeJsonAtomic } from '../workspace';

export const PROGRESS_VERSION = 1;

const metricBest = z.object({ name: z.string(), value: z.number().nullable(), passed: z.boolean() });

export const exerciseProgressSchema = z.object({
  attempts: z.number().int().nonnegative().default(0),
  passed: z.boolean().default(false),
  firstPassedAt: z.string().optional(),
  lastCheckedAt: z.string().optional(),
  lastStatus: z.enum(['passed', 'failed', 'error']).optional(),
  best: z.array(metricBest).default([]),
  hintsSeen: z.number().int().nonnegative().default(0),
});
export type ExerciseProgress = z.infer<typeof exerciseProgressSchema>;

export const progressSchema = z.object({
  version: z.literal(PROGRESS_VERSION),
  exercises: z.record(exerciseProgressSchema).default({}),
});
export type Progress = z.infer<typeof progressSchema>;

export interface LoadedProgress {
  progress: Progress;
  /** Set when an unreadable file was moved aside. */
  recoveredFrom?: string;
}

export function progressFile(root: string): string {
  return path.join(root, '.mlpath', 'progress.json');
}

export function emptyProgress(): Progress {
  return { version: PROGRESS_VERSION, exercises: {} };
}

export function loadProgress(root: string): LoadedProgress {
  const file = progressFile(root);
  if (!fs.existsSync(file)) return { progress: emptyProgress() };
  try {
    const parsed = progressSchema.parse(JSON.parse(fs.readFileSync(file, 'utf8')));
    return { progress: parsed };
  } catch {
    const backup = `${file}.unreadable-${new Date().toISOString().replace(/[:.]/g, '-')}`;
    fs.renameSync(file, backup);
    return { progress: emptyProgress(), recoveredFrom: backup };
  }
}

export function saveProgress(root: string, progress: Progress): void {
  writeJsonAtomic(progressFile(root), progress);
}

export function exerciseProgress(progress: Progress, key: string): ExerciseProgress {
  return progress.exercises[key] ?? exerciseProgressSchema.parse({});
}

/** Records one check; "best" keeps the better value per metric, by its threshold direction. */
export function recordAttempt(
  progress: Progress,
  key: string,
  status: 'passed' | 'failed' | 'error',
  metrics: { name: string; value: number | null; passed: boolean; max?: number }[],
  now = new Date(),
): ExerciseProgress {
  const entry = exerciseProgress(progress, key);
  entry.attempts += 1;
  entry.lastCheckedAt = now.toISOString();
  entry.lastStatus = status;
  if (status === 'passed' && !entry.passed) {
    entry.passed = true;
    entry.firstPassedAt = now.toISOString();
  }
  for (const m of metrics) {
    if (m.value === null) continue;
    const prev = entry.best.find((b) => b.name === m.name);
    const lowerIsBetter = m.max !== undefined;
    if (!prev || prev.value === null || (lowerIsBetter ? m.value < prev.value : m.value > prev.value)) {
      entry.best = entry.best.filter((b) => b.name !== m.name).concat({ name: m.name, value: m.value, passed: m.passed });
    }
  }
  progress.exercises[key] = entry;
  return entry;
}
