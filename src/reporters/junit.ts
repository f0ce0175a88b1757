/**
 * `--junit <file>`: JUnit XML in the shape of the common schema (Apache
 * Ant's, as published in windyroad/JUnit-Schema, which CI services and
 * junit parsers follow), so every consumer reads it:
 *
 *   <testsuites>                      no attributes
 *     <testsuite name package id timestamp hostname tests failures errors skipped time>
 *       <properties>                  required; metric values go here, one property each
 *       <testcase name classname time>  at most one <failure> or <error>, nothing else
 *       <system-out>                  required; learner output, per exercise
 *       <system-err>                  required
 *
 * One testsuite per graded workspace, one testcase per exercise.
 */
import * as os from 'node:os';
import type { ExerciseResult } from '../grader/result';
import { errorText } from './terminal';

function esc(s: string): string {
  return s
    .replace(/[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/g, '')
    .replace(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g, '')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;');
}

function metricsLine(r: ExerciseResult): string {
  return r.metrics
    .map(
      (m) =>
        `${m.name}=${m.value === null ? 'n/a' : m.value.toFixed(4)}${m.min !== undefined ? ` (min ${m.min})` : ''}${m.max !== undefined ? ` (max ${m.max})` : ''} ${m.passed ? 'pass' : 'miss'}`,
    )
    .join('; ');
}

function seconds(ms: number): string {
  return (Math.max(0, ms) / 1000).toFixed(3);
}

/** The schema's timestamp: local date and time to the second, no zone. */
function timestamp(date: Date): string {
  const p = (n: number): string => String(n).padStart(2, '0');
  return `${date.getFullYear()}-${p(date.getMonth() + 1)}-${p(date.getDate())}T${p(date.getHours())}:${p(date.getMinutes())}:${p(date.getSeconds())}`;
}

export interface JunitSuite {
  /** The workspace (or learner) these results belong to. */
  name: string;
  results: ExerciseResult[];
  /** The workspace could not be graded at all: one errored testcase says why. */
  failure?: string;
  /** Exercises expected in the suite: one without a result becomes an error. */
  expected?: string[];
}

export interface JunitOptions {
  /** The testsuite's `package` and the prefix of each classname. */
  packageName?: string;
  when?: Date;
  hostname?: string;
}

function testcase(r: ExerciseResult, pkg: string): string {
  const [month] = r.exercise.split('/');
  const open = `    <testcase name="${esc(r.exercise)}" classname="${esc(`${pkg}.${month}`)}" time="${seconds(r.durationMs)}"`;
  if (r.status === 'failed') {
    const points =
      r.points !== undefined ? `; ${r.points}/${r.maxPoints ?? 0} points${r.tier ? ` (${r.tier})` : ''}` : '';
    return `${open}>\n      <failure message="${esc(metricsLine(r) + points)}" type="threshold">${esc(metricsLine(r) + points)}</failure>\n    </testcase>`;
  }
  if (r.status === 'error') {
    const kind = r.error?.kind ?? 'error';
    // The location is written as the terminal writes it: `month1/linear-regression/train.ts:51:19`.
    const message = r.error ? errorText(r, process.cwd()) : 'no result';
    return `${open}>\n      <error message="${esc(`${kind}: ${message.split('\n')[0]}`)}" type="${esc(kind)}">${esc(message)}</error>\n    </testcase>`;
  }
  return `${open}/>`;
}

function errorCase(name: string, pkg: string, type: string, message: string): string {
  return `    <testcase name="${esc(name)}" classname="${esc(pkg)}" time="0.000">\n      <error message="${esc(message.split('\n')[0])}" type="${esc(type)}">${esc(message)}</error>\n    </testcase>`;
}

function suite(s: JunitSuite, id: number, opts: Required<JunitOptions>): string {
  const pkg = opts.packageName;
  const got = new Set(s.results.map((r) => r.exercise));
  const missing = s.failure ? [] : (s.expected ?? []).filter((e) => !got.has(e));
  const cases = s.results.map((r) => testcase(r, pkg));
  if (s.failure) cases.push(errorCase('not graded', pkg, 'not-graded', `not graded: ${s.failure}`));
  for (const e of missing)
    cases.push(
      errorCase(e, `${pkg}.${e.split('/')[0]}`, 'missing', `${e}: no result (the exercise is not in this workspace)`),
    );
  const tests = cases.length;
  const failures = s.results.filter((r) => r.status === 'failed').length;
  const errors = s.results.filter((r) => r.status === 'error').length + (s.failure ? 1 : 0) + missing.length;
  const time = seconds(s.results.reduce((a, r) => a + r.durationMs, 0));
  const props = s.results.flatMap((r) => [
    ...(r.points !== undefined
      ? [`      <property name="${esc(`${r.exercise} points`)}" value="${r.points}/${r.maxPoints ?? 0}"/>`]
      : []),
    ...r.metrics.map(
      (m) =>
        `      <property name="${esc(`${r.exercise} ${m.name}${m.k !== undefined ? `@${m.k}` : ''}`)}" value="${m.value ?? ''}"/>`,
    ),
  ]);
  const curriculum = s.results.find((r) => r.curriculum)?.curriculum;
  if (curriculum)
    props.unshift(
      `      <property name="curriculum" value="${esc(`${curriculum.id} ${curriculum.version} sha256:${curriculum.sha256}`)}"/>`,
    );
  const outputs = s.results
    .filter((r) => r.output)
    .map((r) => `--- ${r.exercise} ---\n${r.output!.slice(-8000)}`)
    .join('\n');
  return [
    `  <testsuite name="${esc(s.name || 'mlpath')}" package="${esc(pkg)}" id="${id}" timestamp="${timestamp(opts.when)}" hostname="${esc(opts.hostname)}" tests="${tests}" failures="${failures}" errors="${errors}" skipped="0" time="${time}">`,
    props.length ? `    <properties>\n${props.join('\n')}\n    </properties>` : '    <properties/>',
    ...cases,
    `    <system-out>${esc(outputs)}</system-out>`,
    '    <system-err/>',
    '  </testsuite>',
  ].join('\n');
}

function resolve(opts: JunitOptions): Required<JunitOptions> {
  return {
    packageName: opts.packageName ?? 'mlpath',
    when: opts.when ?? new Date(),
    hostname: opts.hostname || os.hostname() || 'localhost',
  };
}

/** Several workspaces (`mlpath grade --junit`): one testsuite each. */
export function formatJunitSuites(suites: JunitSuite[], opts: JunitOptions = {}): string {
  const o = resolve(opts);
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    '<testsuites>',
    ...suites.map((s, i) => suite(s, i, o)),
    '</testsuites>',
    '',
  ].join('\n');
}

/** One workspace (`mlpath check --junit`). */
export function formatJunit(results: ExerciseResult[], suiteName = 'mlpath', opts: JunitOptions = {}): string {
  return formatJunitSuites([{ name: suiteName, results }], opts);
}

/** Nothing was graded (a configuration error): one errored testcase that says why, so CI shows it. */
export function formatJunitProblem(problem: string, suiteName = 'mlpath', opts: JunitOptions = {}): string {
  return formatJunitSuites([{ name: suiteName, results: [], failure: problem }], opts);
}
