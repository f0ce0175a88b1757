/** `--junit <file>`: one testcase per exercise, metrics in the failure message. */
import type { ExerciseResult } from '../grader/result';

function esc(s: string): string {
  return s
    .replace(/[\u0000-\u0008\u000B\u000C\u000E-\u001F]/g, '')
    .replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

function metricsLine(r: ExerciseResult): string {
  return r.metrics
    .map((m) => `${m.name}=${m.value === null ? 'n/a' : m.value.toFixed(4)}${m.min !== undefined ? ` (min ${m.min})` : ''}${m.max !== undefined ? ` (max ${m.max})` : ''} ${m.passed ? 'pass' : 'miss'}`)
    .join('; ');
}

export function formatJunit(results: ExerciseResult[], suiteName = 'mlpath'): string {
  const failures = results.filter((r) => r.status === 'failed').length;
  const errors = results.filter((r) => r.status === 'error').length;
  const time = results.reduce((a, r) => a + r.durationMs, 0) / 1000;
  const cases = results.map((r) => {
    const [month] = r.exercise.split('/');
    const open = `    <testcase classname="${esc(`${suiteName}.${month}`)}" name="${esc(r.exercise)}" time="${(r.durationMs / 1000).toFixed(3)}">`;
    let body = '';
    if (r.status === 'failed') {
      body = `\n      <failure message="${esc(metricsLine(r))}" type="threshold">${esc(metricsLine(r))}</failure>`;
    } else if (r.status === 'error' && r.error) {
      const where = r.error.file ? `${r.error.file}${r.error.line ? `:${r.error.line}` : ''}: ` : '';
      body = `\n      <error message="${esc(`${r.error.kind}: ${r.error.message.split('\n')[0]}`)}" type="${esc(r.error.kind)}">${esc(where + r.error.message)}</error>`;
    }
    const out = r.output ? `\n      <system-out>${esc(r.output.slice(-8000))}</system-out>` : '';
    const props = r.metrics.length
      ? `\n      <properties>${r.metrics.map((m) => `<property name="${esc(m.name)}" value="${m.value ?? ''}"/>`).join('')}</properties>`
      : '';
    return `${open}${props}${body}${out}\n    </testcase>`;
  });
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="${esc(suiteName)}" tests="${results.length}" failures="${failures}" errors="${errors}" time="${time.toFixed(3)}">`,
    `  <testsuite name="${esc(suiteName)}" tests="${results.length}" failures="${failures}" errors="${errors}" time="${time.toFixed(3)}">`,
    ...cases,
    '  </testsuite>',
    '</testsuites>',
    '',
  ].join('\n');
}
