/**
 * `mlpath` with no arguments in a terminal: a menu of what to do next.
 * Continue with the next exercise, check one, a hint, progress, watch, quit.
 * Outside a workspace it offers to create one and then carries on inside it.
 */
import * as readline from 'node:readline';
import type { StatusResult } from '../commands/status';
import { MlpathError } from '../errors';
import { findWorkspaceRoot } from '../workspace';
import { makeOut, type Out } from './output';

type Prompts = typeof import('@inquirer/prompts');
type SelectConfig<T> = Parameters<typeof import('@inquirer/prompts').select<T>>[0];

/**
 * A select that `q` or Esc leaves (undefined): the top menu quits, a
 * sub-menu goes back. The keys are read beside the prompt's own reader.
 */
async function choose<T>(prompts: Prompts, config: SelectConfig<T>): Promise<T | undefined> {
  const leave = new AbortController();
  const onKey = (_text: string, key?: { name?: string; ctrl?: boolean; meta?: boolean }): void => {
    if (key && (key.name === 'escape' || (key.name === 'q' && !key.ctrl && !key.meta))) leave.abort();
  };
  readline.emitKeypressEvents(process.stdin);
  process.stdin.on('keypress', onKey);
  try {
    return await prompts.select<T>(config, { signal: leave.signal });
  } catch (err) {
    if (leave.signal.aborted) return undefined;
    throw err;
  } finally {
    process.stdin.off('keypress', onKey);
  }
}

async function createWorkspace(prompts: Prompts, out: Out): Promise<string | undefined> {
  out.print('Welcome to mlpath. There is no mlpath workspace in this folder yet.');
  const create = await prompts.confirm({ message: 'Create one now?', default: true });
  if (!create) {
    out.print('next: `mlpath start <folder>` when you are ready, or `mlpath --help`');
    return undefined;
  }
  const { startWizard } = await import('./wizard');
  const answers = await startWizard({ cwd: process.cwd(), color: out.color, print: (t) => out.print(t) });
  if (!answers.proceed) {
    out.print('Nothing was written.\nnext: `mlpath start` when you are ready');
    return undefined;
  }
  const { run } = await import('../commands/start');
  const { formatStart } = await import('../reporters/status');
  const result = await run({ cwd: process.cwd(), dir: answers.dir, track: answers.track });
  out.print(formatStart(result, out.color, process.cwd()));
  return result.root;
}

function exerciseChoices(s: StatusResult): { name: string; value: string; short: string }[] {
  return s.months
    .flatMap((m) => m.exercises)
    .filter((e) => e.inWorkspace && e.state !== 'planned')
    .map((e) => {
      const mark = e.state === 'passed' ? '✔' : e.state === 'attempted' ? '…' : ' ';
      return {
        name: `${mark} ${e.key}  ${e.title}${e.state === 'not started' ? '' : ` (${e.state})`}`,
        value: e.key,
        short: e.key,
      };
    });
}

async function pickExercise(prompts: Prompts, s: StatusResult, message: string): Promise<string | undefined> {
  const choices = exerciseChoices(s);
  if (choices.length === 0) return undefined;
  if (choices.length === 1) return choices[0].value;
  return choose(prompts, { message: `${message} (q: back)`, choices, default: s.next?.key, pageSize: 12 });
}

async function showHint(key: string, out: Out): Promise<void> {
  const { run } = await import('../commands/hint');
  const { formatHint } = await import('../reporters/status');
  out.print(formatHint(await run({ cwd: process.cwd(), id: key }), out.color));
}

async function check(key: string): Promise<void> {
  const { checkCli } = await import('./check');
  await checkCli([key], {});
}

async function watch(key: string): Promise<void> {
  const { watchCli } = await import('./watch');
  await watchCli(key, {});
}

/** The next exercise, what to read and edit, and what to do about it. */
async function continueWith(prompts: Prompts, s: StatusResult, out: Out): Promise<void> {
  const next = s.next!;
  const ex = s.months.flatMap((m) => m.exercises).find((e) => e.key === next.key)!;
  const { bestText } = await import('../reporters/status');
  const standing =
    ex.state === 'not started'
      ? 'not checked yet'
      : `${ex.attempts} attempt${ex.attempts === 1 ? '' : 's'}${ex.best ? `, ${bestText(ex)}` : ''}`;
  out.print(
    [
      `${next.key}: ${next.title}`,
      `  1. read   ${next.key}/README.md`,
      `  2. edit   ${next.key}/${next.entry ?? ''}`,
      '  3. check it, or watch it to re-check on every save',
      `  ${standing}; hints seen ${ex.hints.seen} of ${ex.hints.total}`,
      '',
    ].join('\n'),
  );
  const action = await choose(prompts, {
    message: `What now for ${next.key}? (q: back)`,
    choices: [
      { name: 'Check it now', value: 'check' },
      { name: 'Watch it (re-check on every save; q to come back)', value: 'watch' },
      { name: `Show a hint (${Math.min(ex.hints.seen + 1, ex.hints.total)} of ${ex.hints.total})`, value: 'hint' },
      { name: 'Back to the menu', value: 'back' },
    ],
  });
  if (action === 'check') await check(next.key);
  else if (action === 'watch') await watch(next.key);
  else if (action === 'hint') await showHint(next.key, out);
}

export async function menu(): Promise<number> {
  const prompts = await import('@inquirer/prompts');
  const out = makeOut();
  if (!findWorkspaceRoot(process.cwd())) {
    const root = await createWorkspace(prompts, out);
    if (!root) return 0;
    // Carry on in the new workspace; the learner's shell still needs the `cd` printed above.
    process.chdir(root);
    out.print('');
  }
  const { run: status } = await import('../commands/status');
  const { formatStatus, progressBar } = await import('../reporters/status');
  for (;;) {
    const s = await status({ cwd: process.cwd() });
    const passed = s.months.reduce((a, m) => a + m.passed, 0);
    const total = s.months.reduce((a, m) => a + m.total, 0);
    out.print(`mlpath  ${progressBar(passed, total, out.color)}  ${passed}/${total} exercises passed`);
    const choice = await choose(prompts, {
      message: `${s.next ? `Next up: ${s.next.key} (${s.next.title})` : 'Every exercise has passed. Well done.'} (q: quit)`,
      choices: [
        ...(s.next ? [{ name: `Continue with ${s.next.key}`, value: 'continue' }] : []),
        { name: 'Check an exercise', value: 'check' },
        { name: 'Get a hint', value: 'hint' },
        { name: 'Show progress', value: 'status' },
        { name: 'Watch an exercise (re-check on every save)', value: 'watch' },
        { name: 'Quit', value: 'quit' },
      ],
      pageSize: 8,
    });
    if (choice === 'quit' || choice === undefined) {
      out.print(
        s.next
          ? `next: \`mlpath check ${s.next.key}\` when you have edited it, or just \`mlpath\``
          : 'next: `mlpath status` shows your results',
      );
      return 0;
    }
    try {
      if (choice === 'continue') {
        await continueWith(prompts, s, out);
      } else if (choice === 'status') {
        out.print(formatStatus(s, out.color));
      } else {
        const key = await pickExercise(
          prompts,
          s,
          choice === 'check'
            ? 'Check which exercise?'
            : choice === 'hint'
              ? 'A hint for which exercise?'
              : 'Watch which exercise?',
        );
        if (key === undefined && !exerciseChoices(s).length)
          out.print('This workspace has no exercises yet: `mlpath start` adds them.');
        else if (key === undefined) continue;
        else if (choice === 'check') await check(key);
        else if (choice === 'hint') await showHint(key, out);
        else await watch(key);
      }
    } catch (err) {
      // A problem with one action (an exercise folder missing, say) is reported and the menu goes on.
      if (!(err instanceof MlpathError)) throw err;
      out.error(`mlpath: ${err.message}`);
      if (err.hint) out.error(`  next: ${err.hint}`);
    }
    out.print('');
  }
}
