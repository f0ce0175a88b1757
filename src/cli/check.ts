/**
 * The CLI face of `mlpath check`: live progress (an ora spinner on a TTY,
 * sparse lines otherwise), then the reporters. Returns the exit code.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { CheckEvent, CheckOptions } from '../commands/check';
import { makeOut } from './output';

export interface CheckCliOptions {
  json?: string | boolean;
  junit?: string;
  seed?: string;
  backend?: string;
  timeout?: string;
  holdout?: string;
  all?: boolean;
  quiet?: boolean;
}

function describeStep(step: Record<string, number>): string {
  return Object.entries(step)
    .map(([k, v]) => `${k} ${Number.isInteger(v) ? v : v.toPrecision(4)}`)
    .join('  ');
}

function parseNumber(flag: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isFinite(n)) {
    const { UsageError } = require('../errors') as typeof import('../errors');
    throw new UsageError(`${flag} expects a number, got '${value}'`);
  }
  return n;
}

export async function checkCli(ids: string[], o: CheckCliOptions): Promise<number> {
  const jsonToStdout = o.json === true;
  const out = makeOut({ quiet: o.quiet || jsonToStdout, jsonToStdout });
  const { run } = await import('../commands/check');
  const { formatResult, formatSummary } = await import('../reporters/terminal');
  const ora = out.tty && !out.quiet ? (await import('ora')).default : undefined;
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
        out.info(`  ${describeStep(e.step)}`);
      }
    } else if (e.type === 'done') {
      spinner?.stop();
      spinner = undefined;
      if (!jsonToStdout) {
        out.print(formatResult(e.outcome.result, { color: out.color, cwd: process.cwd(), frames: e.outcome.details.frames, curve: e.outcome.details.curve }));
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
    onEvent,
  };
  let report;
  try {
    report = await run(opts);
  } finally {
    spinner?.stop();
  }
  if (report.backendNote) out.info(report.backendNote);
  for (const w of report.warnings) out.info(`warning: ${w}`);
  if (report.results.length > 1 && !jsonToStdout) out.print(formatSummary(report.results, out.color));
  const { formatJson } = await import('../reporters/json');
  if (jsonToStdout) process.stdout.write(formatJson(report.results));
  else if (typeof o.json === 'string') fs.writeFileSync(path.resolve(o.json), formatJson(report.results));
  if (o.junit) {
    const { formatJunit } = await import('../reporters/junit');
    fs.writeFileSync(path.resolve(o.junit), formatJunit(report.results));
  }
  if (process.env.GITHUB_ACTIONS === 'true') {
    const { formatStepSummary, formatAnnotations } = await import('../reporters/github');
    if (process.env.GITHUB_STEP_SUMMARY) fs.appendFileSync(process.env.GITHUB_STEP_SUMMARY, formatStepSummary(report.results));
    for (const a of formatAnnotations(report.results, process.cwd())) process.stderr.write(`${a}\n`);
  }
  return report.passed === report.results.length ? 0 : 1;
}
