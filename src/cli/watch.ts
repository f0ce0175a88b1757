/**
 * The terminal face of `mlpath watch`: a cleared screen with the latest
 * result after every save, and one-key commands (h hint, r re-run, q quit).
 * Without a terminal it prints results one after another and reads the same
 * letters from stdin lines. Signals end the session the same way q does, so
 * a closed terminal never leaves a training process behind.
 */
import * as path from 'node:path';
import chalk from 'chalk';
import type { CheckEvent } from '../commands/check';
import type { WatchEvent, WatchSession } from '../commands/watch';
import { MlpathError } from '../errors';
import { describeStep, parseNumber, renderOutcome } from './check';
import { makeOut } from './output';

export interface WatchCliOptions {
  poll?: boolean;
  timeout?: string;
  backend?: string;
  seed?: string;
  quiet?: boolean;
}

const CLEAR = '\x1b[2J\x1b[3J\x1b[H';
const HOME_CLEAR = '\x1b[H\x1b[J';

export async function watchCli(id: string | undefined, o: WatchCliOptions): Promise<number> {
  const out = makeOut({ quiet: o.quiet });
  const screen = !!process.stdout.isTTY;
  const keys = !!process.stdin.isTTY;
  const { start } = await import('../commands/watch');
  const { run: hint } = await import('../commands/hint');
  const { formatHint } = await import('../reporters/status');
  const cwd = process.cwd();

  let header = '';
  let body: string[] = [];
  let live = '';
  let lastDraw = 0;
  let exercise = id ?? '';
  let report: string | undefined;
  const c = new chalk.Instance({ level: out.color ? 1 : 0 });
  const footer = (): string =>
    keys
      ? `${c.cyan('keys:')} h hint · r re-run · q quit   ${c.dim('(watching for saves)')}`
      : 'type h (hint), r (re-run) or q (quit) and Enter   (watching for saves)';
  const draw = (fresh: boolean): void => {
    if (!screen) return;
    lastDraw = Date.now();
    const text = [header, '', ...body, ...(live ? [live] : []), '', footer()].join('\n');
    process.stdout.write(`${fresh ? CLEAR : HOME_CLEAR}${text}\n`);
  };
  const show = (lines: string[], fresh = true): void => {
    body = lines;
    live = '';
    if (screen) draw(fresh);
    else out.print(lines.join('\n'));
  };

  const onProgress = (e: CheckEvent): void => {
    if (e.type === 'done') report = e.report;
    if (e.type === 'phase') live = `  ${e.phase}...`;
    else if (e.type === 'log') live = `  ${describeStep(e.step)}`;
    else return;
    if (screen) {
      if (Date.now() - lastDraw > 100) draw(false);
    } else if (Date.now() - lastDraw > 2000) {
      lastDraw = Date.now();
      out.info(live);
    }
  };

  const onEvent = (e: WatchEvent): void => {
    switch (e.type) {
      case 'watching': {
        exercise = e.exercise;
        const where = path.relative(cwd, e.dir) || '.';
        header = `mlpath watch ${e.exercise}: ${e.files.length} file${e.files.length === 1 ? '' : 's'} in ${where}, ${e.mode === 'poll' ? 'polling for changes' : 'file change events'}`;
        if (!screen) out.print(`${header}\n${footer()}`);
        break;
      }
      case 'checking': {
        const why = e.reason === 'save' ? ` (saved: ${e.changed.join(', ')})` : e.reason === 'rerun' ? ' (re-run)' : '';
        report = undefined;
        show([`checking ${e.exercise}${why}...`]);
        break;
      }
      case 'progress':
        onProgress(e.event);
        break;
      case 'cancelled':
        if (!screen) out.print('  (cancelled: a newer save arrived)');
        break;
      case 'result': {
        const lines: string[] = [];
        for (const w of e.run.warnings) lines.push(`warning: ${w}`);
        const outcome = e.run.outcomes[0];
        if (outcome) {
          const done = `${new Date().toLocaleTimeString()}`;
          lines.push(
            `checked at ${done}`,
            renderOutcome(outcome, { color: out.color, cwd, quiet: o.quiet, report, columns: out.columns }),
          );
          if (outcome.result.status === 'passed')
            lines.push('', 'Passed. Quit with q, then `mlpath next` for the next exercise.');
        }
        show(lines);
        break;
      }
      case 'failed': {
        const err = e.error;
        const lines =
          err instanceof MlpathError
            ? [`mlpath: ${err.message}`, ...(err.hint ? [`  next: ${err.hint}`] : [])]
            : [`mlpath: internal error: ${err instanceof Error ? err.message : String(err)}`];
        show(lines);
        break;
      }
    }
  };

  const session: WatchSession = await start({
    cwd,
    id,
    poll: o.poll,
    timeout: parseNumber('--timeout', o.timeout),
    seed: parseNumber('--seed', o.seed),
    backend: o.backend,
    onEvent,
  });

  await new Promise<void>((resolve) => {
    let stopping = false;
    const stop = (): void => {
      if (stopping) return;
      stopping = true;
      cleanup();
      void session.close().then(resolve, resolve);
    };
    const showHint = async (): Promise<void> => {
      try {
        const h = await hint({ cwd, id: exercise });
        const text = formatHint(h, out.color).split('\n');
        if (screen) {
          body = [...body, '', ...text];
          draw(true);
        } else {
          out.print(text.join('\n'));
        }
      } catch (err) {
        out.error(`mlpath: ${err instanceof Error ? err.message : String(err)}`);
      }
    };
    const onKey = (chunk: Buffer | string): void => {
      for (const ch of chunk.toString()) {
        if (ch === 'q' || ch === 'Q' || ch === '\u0003' || ch === '\u0004') stop();
        else if (ch === 'r' || ch === 'R' || (keys && ch === '\r')) session.rerun();
        else if (ch === 'h' || ch === 'H') void showHint();
      }
    };
    const signals: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];
    const cleanup = (): void => {
      process.stdin.off('data', onKey);
      for (const s of signals) process.off(s, stop);
      if (keys) process.stdin.setRawMode(false);
      process.stdin.pause();
    };
    for (const s of signals) process.on(s, stop);
    if (keys) process.stdin.setRawMode(true);
    process.stdin.on('data', onKey);
    process.stdin.resume();
  });
  out.print(`Stopped watching ${exercise}.`);
  out.print(`next: \`mlpath watch ${exercise}\` to start again, or \`mlpath status\``);
  return 0;
}
