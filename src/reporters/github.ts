/**
 * Under GitHub Actions: a Markdown summary for `$GITHUB_STEP_SUMMARY` and
 * `::error` workflow commands that annotate the learner's file and line.
 */
import * as path from 'node:path';
import { countStatuses, type ExerciseResult } from '../grader/result';

function cell(s: string): string {
  return s.replace(/\|/g, '\\|').replace(/\n/g, ' ');
}

export function formatStepSummary(results: ExerciseResult[]): string {
  const { passed } = countStatuses(results);
  const points = results.reduce((a, r) => a + (r.points ?? 0), 0);
  const maxPoints = results.reduce((a, r) => a + (r.maxPoints ?? 0), 0);
  const lines = [
    `## mlpath: ${passed}/${results.length} exercises passed, Points ${points}/${maxPoints}`,
    '',
    '| exercise | status | metrics | backend | time |',
    '| --- | --- | --- | --- | --- |',
  ];
  for (const r of results) {
    const icon = r.status === 'passed' ? '✅' : r.status === 'failed' ? '❌' : '⚠️';
    const metrics = r.error
      ? `${r.error.kind}: ${r.error.message.split('\n')[0].slice(0, 200)}`
      : r.metrics
          .map(
            (m) =>
              `${m.name} ${m.value === null ? 'n/a' : m.value.toFixed(4)} (${m.min !== undefined ? `≥ ${m.min}` : `≤ ${m.max}`})`,
          )
          .join(', ');
    lines.push(
      `| ${cell(r.exercise)} | ${icon} ${r.status} | ${cell(metrics)} | ${r.backend} | ${(r.durationMs / 1000).toFixed(1)} s |`,
    );
  }
  return `${lines.join('\n')}\n`;
}

function escapeData(s: string): string {
  return s.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
}

function escapeProperty(s: string): string {
  return escapeData(s).replace(/:/g, '%3A').replace(/,/g, '%2C');
}

export function formatAnnotations(results: ExerciseResult[], cwd: string): string[] {
  const out: string[] = [];
  for (const r of results) {
    if (r.status === 'passed') continue;
    const props: string[] = [];
    if (r.error?.file) props.push(`file=${escapeProperty(path.relative(cwd, r.error.file))}`);
    if (r.error?.line) props.push(`line=${r.error.line}`);
    props.push(`title=${escapeProperty(`${r.exercise} ${r.status}`)}`);
    const message = r.error
      ? `${r.error.kind}: ${r.error.message}`
      : r.metrics
          .filter((m) => !m.passed)
          .map((m) => `${m.name} ${m.value?.toFixed(4)} misses its threshold`)
          .join('; ');
    out.push(`::error ${props.join(',')}::${escapeData(message)}`);
  }
  return out;
}

/** Nothing was graded (a configuration error): the step summary says why and what to do. */
export function formatProblemSummary(problem: string, next?: string): string {
  return [
    `## mlpath: not graded`,
    '',
    problem
      .split('\n')
      .map((l) => `> ${l}`)
      .join('\n'),
    '',
    ...(next ? [`Next: ${next}`, ''] : []),
  ].join('\n');
}

/** The same as an `::error` workflow command, which GitHub shows on the run and the commit. */
export function problemAnnotation(problem: string): string {
  return `::error title=${escapeProperty('mlpath: not graded')}::${escapeData(problem)}`;
}
