/**
 * A configuration error (bad curriculum, missing holdout, a learner-named
 * curriculum in CI, ...) stops a check before anything is graded. CI must
 * still see it where it looks for results: every report file asked for is
 * written with the problem, and under GitHub Actions it becomes an
 * `::error` annotation and a step summary. The CLI then exits 2 as usual.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { MlpathError } from '../errors';

export interface ReportFiles {
  /** `--json <file>` (stdout JSON is left alone: `mlpath grade` reads stderr for the reason). */
  json?: string | boolean;
  junit?: string;
  gradescope?: string;
}

function write(file: string, text: string): void {
  try {
    fs.writeFileSync(path.resolve(file), text);
  } catch {
    // The report file itself cannot be written: the message still reaches stderr.
  }
}

export async function reportProblem(err: MlpathError, files: ReportFiles): Promise<void> {
  const problem = err.message;
  if (typeof files.json === 'string')
    write(files.json, `${JSON.stringify({ results: [], passed: 0, failed: 0, errors: 0, problem }, null, 2)}\n`);
  if (files.junit) write(files.junit, (await import('../reporters/junit')).formatJunitProblem(problem));
  if (files.gradescope)
    write(files.gradescope, (await import('../reporters/gradebook')).formatGradescope([], { failure: problem }));
  if (process.env.GITHUB_ACTIONS === 'true') {
    const { formatProblemSummary, problemAnnotation } = await import('../reporters/github');
    if (process.env.GITHUB_STEP_SUMMARY) {
      try {
        fs.appendFileSync(process.env.GITHUB_STEP_SUMMARY, formatProblemSummary(problem, err.hint));
      } catch {
        // As above: stderr still has it.
      }
    }
    process.stderr.write(`${problemAnnotation(problem)}\n`);
  }
}
