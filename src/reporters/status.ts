/** Text for `mlpath status`, `next`, `doctor` and `start`: formatting only. */
import chalk from 'chalk';
import type { DoctorResult } from '../commands/doctor';
import type { StartResult } from '../commands/start';
import type { StatusResult } from '../commands/status';

function bar(done: number, total: number, width = 12): string {
  const filled = total ? Math.round((done / total) * width) : 0;
  return `[${'#'.repeat(filled)}${'-'.repeat(width - filled)}]`;
}

export function formatStatus(s: StatusResult, color: boolean): string {
  const c = new chalk.Instance({ level: color ? 1 : 0 });
  const lines = [c.bold(s.curriculum) + (s.track ? c.dim(`  track: ${s.track}`) : ''), ''];
  for (const m of s.months) {
    lines.push(`${c.bold(m.title)}  ${bar(m.passed, m.total)} ${m.passed}/${m.total}`);
    for (const e of m.exercises) {
      const icon = e.state === 'passed' ? c.green('✔') : e.state === 'attempted' ? c.yellow('…') : e.state === 'planned' ? c.dim('·') : ' ';
      const label = e.state === 'planned' ? c.dim(`${e.key}  ${e.title} (coming later)`) : `${e.key}  ${e.title}`;
      let best = '';
      if (e.best && e.best.value !== null) {
        const thr = e.best.min !== undefined ? `>= ${e.best.min}` : e.best.max !== undefined ? `<= ${e.best.max}` : '';
        best = c.dim(`  best ${e.best.name} ${e.best.value.toFixed(4)} (${thr})`);
      }
      const attempts = e.attempts ? c.dim(`  ${e.attempts} attempt${e.attempts > 1 ? 's' : ''}`) : '';
      lines.push(`  ${icon} ${label}${best}${attempts}${e.inWorkspace || e.state === 'planned' ? '' : c.dim('  (not in workspace: mlpath start)')}`);
    }
    if (m.readings.length) lines.push(c.dim(`    readings: ${m.readings.map((r) => `${r.title} <${r.url}>`).join('; ')}`));
    lines.push('');
  }
  for (const w of s.warnings) lines.push(c.yellow(`warning: ${w}`));
  lines.push(s.next ? `Next: ${c.bold(s.next.key)} (${s.next.title}): ${c.cyan(s.next.command)}` : c.green('Every exercise in this workspace has passed.'));
  return lines.join('\n');
}

export function formatDoctor(d: DoctorResult, color: boolean): string {
  const c = new chalk.Instance({ level: color ? 1 : 0 });
  const lines: string[] = [];
  for (const check of d.checks) {
    lines.push(`${check.ok ? c.green('✔') : c.yellow('!')} ${check.name}: ${check.detail}`);
    if (check.fix) lines.push(`    ${c.cyan('fix:')} ${check.fix}`);
  }
  lines.push('', 'backends, in order of preference:');
  for (const b of d.backends) lines.push(`  ${b.available ? c.green('available  ') : c.dim('unavailable')} ${b.name}${b.available ? '' : c.dim(`  (${b.reason})`)}`);
  return lines.join('\n');
}

export function formatStart(r: StartResult, color: boolean): string {
  const c = new chalk.Instance({ level: color ? 1 : 0 });
  const f = r.files;
  const lines = [
    `${c.green('✔')} ${r.created ? 'Created' : 'Updated'} workspace ${c.bold(r.root)} (${r.curriculum.title} ${r.curriculum.version}${r.track ? `, track ${r.track}` : ''})`,
    `  ${f.created.length} file(s) written, ${f.updated.length} refreshed, ${f.kept.length} kept because you changed them, ${f.unchanged.length} already up to date`,
    `  ${r.exercises.length} exercises: ${r.exercises.join(', ')}`,
  ];
  if (f.kept.length) lines.push(c.dim(`  kept: ${f.kept.slice(0, 8).join(', ')}${f.kept.length > 8 ? ', ...' : ''}`));
  if (r.next) {
    lines.push('', 'Next:', `  cd ${r.root}`, `  open ${r.next.key}/README.md`, `  mlpath check ${r.next.key}`);
  }
  return lines.join('\n');
}
