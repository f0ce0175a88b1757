/**
 * `mlpath report <id>`: the HTML report of an exercise, rebuilt from its
 * attempt records (src/progress/attempts.ts): loss curves, the metric
 * against its threshold across attempts, and a confusion matrix. `mlpath
 * check` writes it after every check, so the file is always current.
 */
import { UsageError } from '../errors';
import { reportAttempts, writeExerciseReport } from '../reporters/exercise-report';
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

export async function run(opts: ReportOptions): Promise<ReportResult> {
  const { ws, exercise } = resolveTarget({ cwd: opts.cwd, id: opts.id, verb: 'report', fallbackToNext: true });
  const attempts = reportAttempts(ws.root, exercise.key).length;
  if (attempts === 0) {
    throw new UsageError(
      `${exercise.key} has not been checked yet, so there is nothing to report`,
      `\`mlpath check ${exercise.key}\` writes the report`,
    );
  }
  return { exercise: exercise.key, file: writeExerciseReport(ws.root, exercise), attempts };
}
