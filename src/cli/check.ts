/**
 * The CLI face of `mlpath check`: live progress (an ora spinner on a TTY,
 * sparse lines otherwise), then the reporters: the result, a picture of
 * training and where the HTML report is. Returns the exit code.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { CheckEvent, CheckOptions } from '../commands/check';
import { UsageError } from '../errors';
import type { GradeOutcome } from '../grader/result';
import { trainingPicture } from '../reporters/chart';
import { formatResult, formatSummary } from '../reporters/terminal';
import { foldLines } from '../reporters/wrap';
import { makeOut } from './output';

export interface RenderOptions {
  color: boolean;
  cwd: string;
  /** Leave out the training picture and the report line. */
  quiet?: boolean;
  /** Path of the HTML report written for this check. */
  report?: string;
  /** Fold prose to this width (a terminal's). */
  columns?: number;
}

/**
 * One checked exercise for the terminal: the result, then the loss curve and
 * metrics against their thresholds, then the report path; the result's
 * closing `next:` line stays last.
 */
export function renderOutcome(outcome: GradeOutcome, opts: RenderOptions): string {
  const text = formatResult(outcome.result, {
    color: opts.color,
    cwd: opts.cwd,
    frames: outcome.details.frames,
    curve: outcome.details.curve,
    columns: opts.columns,
  });
  if (opts.quiet) return text;
  const extra: string[] = [];
  const picture = trainingPicture(
    outcome.details.curve,
    outcome.result.status === 'error' ? [] : outcome.result.metrics,
    { color: opts.color, columns: opts.columns },
  );
  if (picture.length) extra.push('', ...picture);
  if (opts.report) {
    const rel = path.relative(opts.cwd, opts.report) || opts.report;
    const line = `report: ${rel}  (\`mlpath report ${outcome.result.exercise} --open\`)`;
    extra.push(...(opts.columns ? foldLines(line, opts.columns, '  ', '    ') : [`  ${line}`]));
  }
  if (extra.length === 0) return text;
  const cut = text.lastIndexOf('\n');
  return cut < 0 ? [text, ...extra].join('\n') : [text.slice(0, cut), ...extra, text.slice(cut + 1)].join('\n');
}

export interface CheckCliOptions {
  json?: string | boolean;
  junit?: string;
  seed?: string;
  backend?: string;
  timeout?: string;
  holdout?: string;
  curriculum?: string;
  /** `--curriculum-sha256`: the curriculum must have this SHA-256, or every result is an error. */
  curriculumSha256?: string;
  gradescope?: string;
  all?: boolean;
  quiet?: boolean;
  /** False with --no-record. */
  record?: boolean;
  jobs?: string;
}

export function describeStep(step: Record<string, number>): string {
  return Object.entries(step)
    .map(([k, v]) => `${k} ${Number.isInteger(v) ? v : v.toPrecision(4)}`)
    .join('  ');
}

export function parseNumber(flag: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isFinite(n)) {
    throw new UsageError(`${flag} expects a number, got '${value}'`);
  }
  return n;
}

/** Configuration errors reach every report file and, under GitHub Actions, an annotation and the step summary (cli/problem.ts). */
export async function checkCli(ids: string[], o: CheckCliOptions): Promise<number> {
  try {
    return await checkAndReport(ids, o);
  } catch (err) {
    const { MlpathError } = await import('../errors');
    if (err instanceof MlpathError)
      await (await import('./problem')).reportProblem(err, { json: o.json, junit: o.junit, gradescope: o.gradescope });
    throw err;
  }
}

async function checkAndReport(ids: string[], o: CheckCliOptions): Promise<number> {
  const jsonToStdout = o.json === true;
  const out = makeOut({ quiet: o.quiet || jsonToStdout, jsonToStdout });
  const { run } = await import('../commands/check');
  const jobs = parseNumber('--jobs', o.jobs);
  if (jobs !== undefined && !(Number.isInteger(jobs) && jobs >= 1))
    throw new UsageError(`--jobs must be a positive integer, got ${o.jobs}`);
  // One spinner follows one exercise: with several side by side, plain lines name theirs.
  const ora = out.tty && !out.quiet && (jobs ?? 1) === 1 ? (await import('ora')).default : undefined;
  let spinner: import('ora').Ora | undefined;
  let lastLine = 0;
  let current = '';
  const onEvent = (e: CheckEvent): void => {
    if (e.type === 'start') {
      current = e.exercise;
      const label = `${e.exercise}${e.total > 1 ? ` (${e.index + 1}/${e.total})` : ''}`;
      if (ora) spinner = ora({ text: `${label}: starting`, stream: process.stderr }).start();
      else out.info(`checking ${label}...`);
    } else if (e.type === 'phase') {
      if (spinner) spinner.text = `${current}: ${e.phase}`;
    } else if (e.type === 'log') {
      const text = `${current}: ${describeStep(e.step)}`;
      if (spinner) spinner.text = text;
      else if (Date.now() - lastLine > 2000) {
        lastLine = Date.now();
        out.info((jobs ?? 1) > 1 ? `  ${e.exercise}: ${describeStep(e.step)}` : `  ${describeStep(e.step)}`);
      }
    } else if (e.type === 'done') {
      spinner?.stop();
      spinner = undefined;
      if (!jsonToStdout) {
        out.print(
          renderOutcome(e.outcome, {
            color: out.color,
            cwd: process.cwd(),
            quiet: out.quiet,
            report: e.report,
            columns: out.columns,
          }),
        );
      }
    }
  };
  const opts: CheckOptions = {
    cwd: process.cwd(),
    ids,
    all: o.all,
    seed: parseNumber('--seed', o.seed),
    backend: o.backend,
    timeout: parseNumber('--timeout', o.timeout),
    holdout: o.holdout,
    curriculum: o.curriculum,
    curriculumSha256: o.curriculumSha256,
    record: o.record,
    jobs,
    onEvent,
  };
  // Ctrl-C or a closed terminal cancels through the path watch mode uses,
  // so the graded child is killed instead of being left running.
  const interrupt = new AbortController();
  const signals: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];
  const onSignal = (): void => interrupt.abort();
  for (const s of signals) process.on(s, onSignal);
  opts.signal = interrupt.signal;
  let report;
  try {
    report = await run(opts);
  } finally {
    spinner?.stop();
    for (const s of signals) process.off(s, onSignal);
  }
  if (report.cancelled) {
    out.error('check interrupted: nothing was recorded');
    const again = ids.length ? ` ${ids.join(' ')}` : o.all ? ' --all' : '';
    out.error(`next: \`mlpath check${again}\` when you are ready`);
    return 130;
  }
  if (report.backendNote) out.info(report.backendNote);
  // Warnings go to stderr even with --json or --quiet: a changed curriculum must not pass unnoticed in CI.
  for (const w of report.warnings) out.error(`warning: ${w}`);
  if (report.results.length > 1 && !jsonToStdout) out.print(formatSummary(report.results, out.color));
  const { formatJson } = await import('../reporters/json');
  if (jsonToStdout) process.stdout.write(formatJson(report.results));
  else if (typeof o.json === 'string') fs.writeFileSync(path.resolve(o.json), formatJson(report.results));
  if (o.gradescope) {
    const { formatGradescope } = await import('../reporters/gradebook');
    fs.writeFileSync(path.resolve(o.gradescope), formatGradescope(report.results));
  }
  if (o.junit) {
    const { formatJunit } = await import('../reporters/junit');
    fs.writeFileSync(path.resolve(o.junit), formatJunit(report.results));
  }
  if (process.env.GITHUB_ACTIONS === 'true') {
    const { formatStepSummary, formatAnnotations } = await import('../reporters/github');
    if (process.env.GITHUB_STEP_SUMMARY)
      fs.appendFileSync(process.env.GITHUB_STEP_SUMMARY, formatStepSummary(report.results));
    for (const a of formatAnnotations(report.results, process.cwd())) process.stderr.write(`${a}\n`);
  }
  return report.passed === report.results.length ? 0 : 1;
}
