/**
 * Text for `mlpath status`, `next`, `hint`, `solution`, `reset`, `doctor`
 * and `start`: formatting only. Every message ends with the next command
 * worth running, so a learner is never left wondering what to do.
 */
import * as path from 'node:path';
import chalk from 'chalk';
import type { BackendProbe } from '../backend/probe';
import type { DoctorResult } from '../commands/doctor';
import type { HintResult } from '../commands/hint';
import type { ResetResult } from '../commands/reset';
import type { SolutionResult } from '../commands/solution';
import type { StartResult } from '../commands/start';
import type { ExerciseStatus, StatusResult } from '../commands/status';
import { fold } from './wrap';

type Chalk = chalk.Chalk;

function palette(color: boolean): Chalk {
  return new chalk.Instance({ level: color ? 1 : 0 });
}

/** The width `status` fits: a terminal's default. */
export const STATUS_COLUMNS = 80;

export function nextLine(c: Chalk, text: string): string {
  return `${c.cyan('next:')} ${text}`;
}

export function progressBar(done: number, total: number, color: boolean, width = 12): string {
  const c = palette(color);
  const filled = total ? Math.round((done / total) * width) : 0;
  return color
    ? `${c.green('█'.repeat(filled))}${c.dim('░'.repeat(width - filled))}`
    : `[${'#'.repeat(filled)}${'-'.repeat(width - filled)}]`;
}

function fmt(v: number): string {
  return Math.abs(v) >= 1e5 || (v !== 0 && Math.abs(v) < 1e-3) ? v.toExponential(3) : v.toFixed(4);
}

export function bestText(e: ExerciseStatus): string {
  if (!e.best || e.best.value === null) return '';
  const need = e.best.min !== undefined ? `>= ${e.best.min}` : e.best.max !== undefined ? `<= ${e.best.max}` : '';
  return `best ${e.best.name} ${fmt(e.best.value)}${need ? ` (needs ${need})` : ''}`;
}

/** What to do about the next exercise, in one line. */
export function nextAdvice(s: StatusResult): string {
  if (!s.next)
    return 'every exercise in this workspace has passed: `mlpath start` adds new ones when the curriculum grows';
  const file = s.next.entry ? `${s.next.key}/${s.next.entry}` : `${s.next.key}/`;
  return `edit ${file} (${s.next.key}/README.md explains the task), then \`${s.next.command}\``;
}

/** `quiet`: the months and exercises only, without readings and advice. */
export function formatStatus(s: StatusResult, color: boolean, quiet = false): string {
  const c = palette(color);
  const lines = [`${c.bold(s.curriculum)}${s.track ? c.dim(`  track: ${s.track}`) : ''}`, ''];
  const width = Math.max(...s.months.map((m) => m.title.length));
  const keyWidth = Math.max(
    0,
    ...s.months.flatMap((m) => m.exercises.filter((e) => e.state !== 'planned').map((e) => e.key.length)),
  );
  // Everything fits 80 columns: key, title and state on one line, the record and readings below.
  const titleWidth = Math.max(
    12,
    Math.min(
      STATUS_COLUMNS - 2 - 2 - keyWidth - 2 - 2 - 11,
      Math.max(
        0,
        ...s.months.flatMap((m) => m.exercises.filter((e) => e.state !== 'planned').map((e) => e.title.length)),
      ),
    ),
  );
  const nextMonth = s.next ? s.months.find((m) => m.exercises.some((e) => e.key === s.next!.key)) : undefined;
  for (const m of s.months) {
    const counts = m.total ? `${m.passed}/${m.total} passed` : c.dim('coming later');
    lines.push(`${c.bold(m.title.padEnd(width))}  ${progressBar(m.passed, m.total, color)}  ${counts}`);
    for (const e of m.exercises.filter((x) => x.state !== 'planned')) {
      const icon = e.state === 'passed' ? c.green('✔') : e.state === 'attempted' ? c.yellow('…') : c.dim('·');
      const state =
        e.state === 'passed'
          ? c.green('passed')
          : e.state === 'attempted'
            ? c.yellow('attempted')
            : c.dim('not started');
      const title = e.title.length > titleWidth ? `${e.title.slice(0, titleWidth - 1)}…` : e.title.padEnd(titleWidth);
      const extra = [
        bestText(e),
        e.attempts ? `${e.attempts} attempt${e.attempts > 1 ? 's' : ''}` : '',
        e.hints.seen ? `hints ${e.hints.seen}/${e.hints.total}` : '',
      ]
        .filter(Boolean)
        .join(' · ');
      const arrow = s.next?.key === e.key ? c.cyan(' <- next') : '';
      lines.push(`  ${icon} ${e.key.padEnd(keyWidth)}  ${title}  ${state}${extra ? '' : arrow}`.trimEnd());
      if (extra) lines.push(`      ${c.dim(extra)}${arrow}`);
    }
    const planned = m.exercises.filter((x) => x.state === 'planned');
    if (planned.length) lines.push(c.dim(`    later: ${planned.map((e) => e.key.split('/').pop()).join(', ')}`));
    if (!quiet && m === nextMonth && m.readings.length) {
      lines.push(c.dim('    readings:'));
      for (const r of m.readings) lines.push(c.dim(`      ${r.title}`), c.dim(`        <${r.url}>`));
    }
  }
  if (quiet) return lines.join('\n');
  lines.push('');
  for (const w of s.warnings) lines.push(c.yellow(fold(`warning: ${w}`, STATUS_COLUMNS)));
  if (s.next) lines.push(`Next exercise: ${c.bold(s.next.key)}, ${s.next.title}`);
  // The next line stays whole: it ends with a command to copy.
  lines.push(nextLine(c, nextAdvice(s)));
  return lines.join('\n');
}

export function formatNext(s: StatusResult, color: boolean): string {
  const c = palette(color);
  if (!s.next)
    return `${c.green('✔')} Every exercise in this workspace has passed.\n${nextLine(c, '`mlpath status` shows your results')}`;
  return [`${c.bold(s.next.key)}: ${s.next.title}`, nextLine(c, nextAdvice(s))].join('\n');
}

export function formatHint(h: HintResult, color: boolean): string {
  const c = palette(color);
  if (h.total === 0) return `${h.exercise} has no hints.\n${nextLine(c, `\`mlpath check ${h.exercise}\``)}`;
  const lines: string[] = [];
  for (const hint of h.shown) {
    lines.push(`${c.yellow(`Hint ${hint.level} of ${h.total}`)} ${c.dim(`(${h.exercise})`)}`);
    lines.push(`  ${hint.text}`, '');
  }
  let next: string;
  if (h.passed && h.hasSolution)
    next = `\`mlpath solution ${h.exercise}\` shows the reference solution to compare with yours`;
  else if (!h.last && h.shown.length === 1)
    next = `try it with \`mlpath check ${h.exercise}\`; still stuck? \`mlpath hint ${h.exercise}\` shows hint ${h.shown[0].level + 1}`;
  else
    next = `that was the last hint: \`mlpath check ${h.exercise}\`${h.hasSolution ? `, and once it passes \`mlpath solution ${h.exercise}\` shows the reference` : ''}`;
  lines.push(nextLine(c, next));
  return lines.join('\n');
}

export function formatSolution(s: SolutionResult, color: boolean): string {
  const c = palette(color);
  const lines = [`${c.bold(`Reference solution of ${s.exercise}`)}: ${s.title}`, ''];
  for (const f of s.files) {
    lines.push(c.cyan(`--- ${f.path} ---`), f.content.replace(/\s+$/, ''), '');
  }
  lines.push(nextLine(c, 'compare it with yours, then `mlpath next`'));
  return lines.join('\n');
}

export function formatReset(r: ResetResult, color: boolean, cwd: string): string {
  const c = palette(color);
  const lines: string[] = [];
  for (const e of r.exercises) {
    if (e.restored.length === 0) lines.push(`${c.green('✔')} ${e.exercise}: already the starter, nothing to restore`);
    else lines.push(`${c.green('✔')} ${e.exercise}: restored ${e.restored.map((f) => path.basename(f)).join(', ')}`);
  }
  if (r.backupDir) lines.push(`  your previous files are in ${c.bold(path.relative(cwd, r.backupDir) || r.backupDir)}`);
  const first = r.exercises[0]?.exercise;
  lines.push(nextLine(c, first ? `\`mlpath check ${first}\` shows where the starter stands` : '`mlpath status`'));
  return lines.join('\n');
}

/** Which backend training will use and, when the native one is missing, how to get it. */
export function formatBackend(probes: BackendProbe[], fix: string, color: boolean, verbose: boolean): string {
  const c = palette(color);
  const active = probes.find((p) => p.available);
  const native = probes.find((p) => p.name === 'tensorflow');
  if (!active) return `${c.red('✘')} no TensorFlow.js backend is available: run \`mlpath doctor\``;
  if (active.name === 'tensorflow')
    return `${c.green('✔')} TensorFlow.js backend: tensorflow (native libtensorflow, the fast one)`;
  const head = `${c.yellow('!')} TensorFlow.js backend: ${active.name}. Every exercise trains fine on it; the native backend is faster for larger models.`;
  if (!verbose) return `${head} ${c.dim('`mlpath doctor` explains how to get it.')}`;
  return [
    head,
    c.dim(`  (${native?.reason ?? 'native backend unavailable'})`),
    ...fix.split('\n').map((l) => c.dim(`  ${l}`)),
  ].join('\n');
}

export function formatDoctor(d: DoctorResult, color: boolean): string {
  const c = palette(color);
  const lines: string[] = [];
  for (const check of d.checks) {
    lines.push(`${check.ok ? c.green('✔') : c.yellow('!')} ${check.name}: ${check.detail}`);
    if (check.fix) lines.push(`    ${c.cyan('fix:')} ${check.fix}`);
  }
  lines.push('', 'backends, in order of preference:');
  for (const b of d.backends)
    lines.push(
      `  ${b.available ? c.green('available  ') : c.dim('unavailable')} ${b.name}${b.available ? '' : c.dim(`  (${b.reason})`)}`,
    );
  return lines.join('\n');
}

export function formatStart(r: StartResult, color: boolean, cwd: string): string {
  const c = palette(color);
  const f = r.files;
  const rel = path.relative(cwd, r.root);
  const lines = [
    `${c.green('✔')} ${r.created ? 'Created' : 'Updated'} workspace ${c.bold(r.root)} (${r.curriculum.title} ${r.curriculum.version}${r.track ? `, track ${r.track}` : ''})`,
    `  ${f.created.length} file(s) written, ${f.updated.length} refreshed, ${f.kept.length} kept because you changed them, ${f.unchanged.length} already up to date`,
    `  ${r.exercises.length} exercise${r.exercises.length === 1 ? '' : 's'}: ${r.exercises.join(', ')}`,
  ];
  if (f.kept.length) lines.push(c.dim(`  kept: ${f.kept.slice(0, 8).join(', ')}${f.kept.length > 8 ? ', ...' : ''}`));
  if (r.next) {
    const cd = rel === '' ? undefined : rel.startsWith('..') || path.isAbsolute(rel) ? r.root : rel;
    const file = r.next.entry ? `${r.next.key}/${r.next.entry}` : `${r.next.key}/`;
    const steps: [string, string][] = [];
    if (cd) steps.push([`cd ${cd.includes(' ') ? JSON.stringify(cd) : cd}`, '']);
    steps.push(
      ['mlpath', 'a menu: continue, check, hint, progress, watch'],
      [`$EDITOR ${file}`, `the task is in ${r.next.key}/README.md`],
      [`mlpath watch ${r.next.key}`, 're-checks on every save'],
    );
    const w = Math.max(...steps.map(([cmd]) => cmd.length));
    lines.push('', 'Next:');
    for (const [cmd, why] of steps) lines.push(`  ${c.cyan(cmd.padEnd(w))}${why ? `   ${c.dim(why)}` : ''}`.trimEnd());
    lines.push(nextLine(c, `\`mlpath check ${r.next.key}\` when you want a grade`));
  } else {
    lines.push(nextLine(c, '`mlpath status`'));
  }
  return lines.join('\n');
}
