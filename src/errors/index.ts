/**
 * The error hierarchy. Every error mlpath raises on purpose is one of these;
 * the CLI maps them to exit codes in one place (src/cli/main.ts).
 * This module imports nothing.
 */

export class MlpathError extends Error {
  /** Process exit code the CLI uses for this error. */
  readonly exitCode: number = 1;
  /** The next command worth running, shown under the message. */
  readonly hint?: string;

  constructor(message: string, hint?: string) {
    super(message);
    this.name = new.target.name;
    this.hint = hint;
  }
}

/** Bad arguments, unknown ids, unavailable backends: exit 2. */
export class UsageError extends MlpathError {
  override readonly exitCode = 2;
}

/** One problem found in a curriculum file. */
export interface CurriculumIssue {
  file: string;
  line?: number;
  field: string;
  message: string;
}

/** An invalid curriculum (or a workspace pointing at one): exit 2. */
export class CurriculumError extends MlpathError {
  override readonly exitCode = 2;
  readonly issues: CurriculumIssue[];

  constructor(issues: CurriculumIssue[], hint?: string) {
    super(issues.map(formatIssue).join('\n'), hint);
    this.issues = issues;
  }
}

export function formatIssue(issue: CurriculumIssue): string {
  const where = issue.line ? `${issue.file}:${issue.line}` : issue.file;
  return `${where}: ${issue.field}: ${issue.message}`;
}

/** No mlpath.json found walking up from the current directory: exit 2. */
export class WorkspaceError extends MlpathError {
  override readonly exitCode = 2;
}

/** A dataset could not be loaded or a holdout file is malformed: exit 2. */
export class DatasetError extends MlpathError {
  override readonly exitCode = 2;
}

/** mlpath itself failed while grading (not the learner's code): exit 1. */
export class GradingError extends MlpathError {
  override readonly exitCode = 1;
}
