/**
 * The HTML report file of one exercise (`.mlpath/reports/<id>.html`),
 * redrawn from its attempt records: `mlpath check` writes it after every
 * graded check and `mlpath report` on demand. The drawing is `html.ts`.
 */
import * as path from 'node:path';
import { writeFileAtomic } from '../atomic-write';
import type { LoadedExercise } from '../curriculum';
import { readAttemptRecords, type AttemptRecord } from '../progress/attempts';
import { renderReport, type Attempt } from './html';

/** The most attempts a report draws; older records stay on disk. */
export const MAX_ATTEMPTS = 100;

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

/**
 * The error's file as the terminal names it: relative to the workspace, with
 * forward slashes (`month1/tensors/tensors.ts`), so the report reads the same
 * on every machine and a moved workspace still reads right.
 */
function workspaceFile(root: string, file: string | undefined): string | undefined {
  if (!file) return undefined;
  const rel = path.isAbsolute(file) ? path.relative(root, file) : file;
  return rel.split(path.sep).join('/');
}

function toAttempt(root: string, r: AttemptRecord): Attempt {
  return {
    createdAt: r.createdAt,
    status: r.result.status,
    metrics: r.result.metrics,
    seed: r.result.seed,
    seeds: r.result.seeds,
    seedRule: r.result.seedRule,
    baselineLabel: r.result.baselineLabel,
    backend: r.result.backend,
    durationMs: r.result.durationMs,
    error: r.result.error && { ...r.result.error, file: workspaceFile(root, r.result.error.file) },
    curve: numericSteps(r.curve),
    confusion: r.confusion,
    classNames: r.classNames,
    diagnoses: r.result.diagnoses,
    findings: r.result.findings,
  };
}

/** The attempts a report draws: the latest MAX_ATTEMPTS records of the exercise, oldest first. */
export function reportAttempts(root: string, key: string): Attempt[] {
  return readAttemptRecords(root, key)
    .slice(-MAX_ATTEMPTS)
    .map((r) => toAttempt(root, r));
}

/** Writes the report of one exercise from its attempt records and returns its path. */
export function writeExerciseReport(root: string, ex: LoadedExercise, now = new Date()): string {
  const file = reportFile(root, ex.key);
  writeFileAtomic(
    file,
    renderReport({
      exercise: { key: ex.key, title: ex.title, summary: ex.summary, kind: ex.kind },
      attempts: reportAttempts(root, ex.key),
      generatedAt: now.toISOString(),
    }),
  );
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
