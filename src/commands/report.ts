/**
 * `mlpath report <id>`: the HTML report of an exercise, rebuilt from its run
 * records (`.mlpath/runs/*.json`): loss curves, the metric against its
 * threshold across attempts, and a confusion matrix. `mlpath check` writes
 * it after every check, so the file is always current.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { z } from 'zod';
import type { LoadedExercise } from '../curriculum';
import { UsageError } from '../errors';
import { exerciseResultSchema } from '../grader/result';
import { renderReport, type Attempt } from '../reporters/html';
import { resolveTarget } from './target';

export interface ReportOptions {
  cwd: string;
  id?: string;
}

export interface ReportResult {
  exercise: string;
  /** Absolute path of the HTML file. */
  file: string;
  attempts: number;
}

/** The most attempts a report draws; older ones stay in `.mlpath/runs/`. */
export const MAX_ATTEMPTS = 100;

const recordSchema = z.object({
  createdAt: z.string(),
  result: exerciseResultSchema.passthrough(),
  curve: z.array(z.record(z.unknown())).default([]),
  confusion: z.array(z.array(z.number())).optional(),
  classNames: z.array(z.string()).optional(),
}).passthrough();

export function reportFile(root: string, key: string): string {
  return path.join(root, '.mlpath', 'reports', `${key.replace(/\//g, '-')}.html`);
}

/** NaN and Infinity become null in JSON; a chart can only draw finite numbers. */
function numericSteps(curve: Record<string, unknown>[]): Record<string, number>[] {
  return curve.map((step) => {
    const clean: Record<string, number> = {};
    for (const [k, v] of Object.entries(step)) if (typeof v === 'number' && Number.isFinite(v)) clean[k] = v;
    return clean;
  });
}

/** Every readable run record of one exercise, oldest first. Unreadable files are skipped. */
export function readAttempts(root: string, key: string): Attempt[] {
  const dir = path.join(root, '.mlpath', 'runs');
  if (!fs.existsSync(dir)) return [];
  const suffix = `-${key.replace(/\//g, '-')}.json`;
  const attempts: Attempt[] = [];
  for (const name of fs.readdirSync(dir)) {
    if (!name.endsWith(suffix)) continue;
    let parsed;
    try {
      parsed = recordSchema.safeParse(JSON.parse(fs.readFileSync(path.join(dir, name), 'utf8')));
    } catch {
      continue;
    }
    if (!parsed.success || parsed.data.result.exercise !== key) continue;
    const r = parsed.data;
    attempts.push({
      createdAt: r.createdAt,
      status: r.result.status,
      metrics: r.result.metrics,
      seed: r.result.seed,
      seeds: r.result.seeds,
      seedRule: r.result.seedRule,
      baselineLabel: r.result.baselineLabel,
      backend: r.result.backend,
      durationMs: r.result.durationMs,
      error: r.result.error,
      curve: numericSteps(r.curve),
      confusion: r.confusion,
      classNames: r.classNames,
      diagnoses: r.result.diagnoses,
    });
  }
  return attempts.sort((a, b) => a.createdAt.localeCompare(b.createdAt)).slice(-MAX_ATTEMPTS);
}

/** Writes the report of one exercise from its run records and returns its path. */
export function writeExerciseReport(root: string, ex: LoadedExercise, now = new Date()): string {
  const file = reportFile(root, ex.key);
  const html = renderReport({
    exercise: { key: ex.key, title: ex.title, summary: ex.summary },
    attempts: readAttempts(root, ex.key),
    generatedAt: now.toISOString(),
  });
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, html);
  fs.renameSync(tmp, file);
  return file;
}

/**
 * For `mlpath check`: a report that cannot be written (a full disk, a
 * read-only folder) must not turn a graded check into a crash.
 */
export function writeReportQuietly(root: string, ex: LoadedExercise): string | undefined {
  try {
    return writeExerciseReport(root, ex);
  } catch {
    return undefined;
  }
}

export async function run(opts: ReportOptions): Promise<ReportResult> {
  const { ws, exercise } = resolveTarget({ cwd: opts.cwd, id: opts.id, verb: 'report', fallbackToNext: true });
  const attempts = readAttempts(ws.root, exercise.key).length;
  if (attempts === 0) {
    throw new UsageError(`${exercise.key} has not been checked yet, so there is nothing to report`, `\`mlpath check ${exercise.key}\` writes the report`);
  }
  return { exercise: exercise.key, file: writeExerciseReport(ws.root, exercise), attempts };
}
