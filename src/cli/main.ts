/**
 * The commander program and the one place errors become exit codes
 * (0 ok, 1 a check failed, 2 usage or configuration error). Every action
 * imports its command lazily, so `mlpath status` never loads TensorFlow.js.
 */
import { Command, CommanderError, Option } from 'commander';
import { MlpathError } from '../errors';
import { makeOut } from './output';

function version(): string {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return (require('../../package.json') as { version: string }).version;
}

export function buildProgram(setExit: (code: number) => void): Command {
  const program = new Command();
  // Before any subcommand is added, so they inherit it: commander must throw,
  // not exit, so usage errors map to exit code 2 in one place.
  program.exitOverride();
  program.configureOutput({ writeErr: (s) => process.stderr.write(s) });
  program
    .name('mlpath')
    .description('A tutor that takes software engineers into machine learning: exercises graded on held-out data.')
    .version(version(), '-V, --version')
    .showSuggestionAfterError(true)
    .addHelpText('after', `
Start here:
  mlpath start my-path     create a workspace with one folder per exercise
  cd my-path && mlpath next
  mlpath check month2/mnist

Exit codes: 0 ok, 1 a check failed, 2 usage or configuration error.`);

  program
    .command('start [dir]')
    .description('create or update a workspace (never overwrites a file you changed)')
    .option('-y, --yes', 'accept the defaults, ask nothing')
    .option('--track <id>', 'domain track for month 3 (nlp, tabular, recsys)')
    .option('--curriculum <file>', 'use an instructor\'s curriculum file instead of the built-in one')
    .action(async (dir: string | undefined, o: { yes?: boolean; track?: string; curriculum?: string }) => {
      const out = makeOut();
      let answers: { dir?: string; track?: string } = { dir, track: o.track };
      if (!o.yes && process.stdin.isTTY && process.stdout.isTTY) {
        const { startWizard } = await import('./wizard');
        answers = await startWizard({ dir, track: o.track, curriculum: o.curriculum });
      }
      const { run } = await import('../commands/start');
      const { formatStart } = await import('../reporters/status');
      const result = await run({ cwd: process.cwd(), dir: answers.dir, track: answers.track, curriculum: o.curriculum });
      out.print(formatStart(result, out.color));
    });

  program
    .command('status')
    .alias('list')
    .description('progress per month and exercise, and what to do next')
    .option('--json', 'print the status as JSON')
    .action(async (o: { json?: boolean }) => {
      const out = makeOut();
      const { run } = await import('../commands/status');
      const result = await run({ cwd: process.cwd() });
      if (o.json) process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
      else out.print((await import('../reporters/status')).formatStatus(result, out.color));
    });

  program
    .command('next')
    .description('the first exercise not yet passed, and the command to check it')
    .action(async () => {
      const out = makeOut();
      const { run } = await import('../commands/status');
      const result = await run({ cwd: process.cwd() });
      if (result.next) out.print(`${result.next.key}: ${result.next.title}\n  edit ${result.next.key}/ (README.md explains the task)\n  ${result.next.command}`);
      else out.print('Every exercise in this workspace has passed. `mlpath status` shows your results.');
    });

  program
    .command('check [ids...]')
    .description('grade exercises on held-out data (ids like month2/mnist; inside an exercise folder, no id needed)')
    .option('--all', 'check every exercise of the workspace')
    .option('--json [file]', 'write the results as JSON (to stdout when no file is given: then nothing else goes to stdout)')
    .option('--junit <file>', 'write JUnit XML, one testcase per exercise')
    .option('--seed <n>', 'training seed passed to your code as ctx.seed (default: the exercise\'s seeds)')
    .addOption(new Option('--backend <name>', 'TensorFlow.js backend (default: tensorflow, else wasm, else cpu; or MLPATH_BACKEND)').choices(['tensorflow', 'wasm', 'cpu']))
    .option('--timeout <seconds>', 'time budget per run, overriding the exercise\'s')
    .option('--holdout <file>', 'grade on an instructor\'s held-out file instead of the built-in test split (or MLPATH_HOLDOUT)')
    .option('-q, --quiet', 'no progress output')
    .action(async (ids: string[], o) => {
      const { checkCli } = await import('./check');
      setExit(await checkCli(ids, o));
    });

  program
    .command('validate [file]')
    .description('validate a curriculum file (default: the built-in curriculum)')
    .action(async (file: string | undefined) => {
      const out = makeOut();
      const { run } = await import('../commands/validate');
      const r = await run({ cwd: process.cwd(), file });
      out.print(`✔ ${r.file}: valid (${r.months} months, ${r.exercises} exercises, ${r.ready} built)`);
    });

  program
    .command('doctor')
    .description('environment report: Node, TensorFlow.js backend (and how to get the native one), dataset cache, workspace')
    .action(async () => {
      const out = makeOut();
      const { run } = await import('../commands/doctor');
      out.print((await import('../reporters/status')).formatDoctor(await run({ cwd: process.cwd() }), out.color));
    });

  const data = program.command('data').description('datasets mlpath ships or can download');
  data
    .command('list')
    .description('every dataset, its source and whether it is cached')
    .action(async () => {
      const out = makeOut();
      const { list } = await import('../commands/data');
      const rows = await list();
      for (const d of rows) out.print(`${d.id.padEnd(24)} ${d.task.padEnd(15)} ${d.size.padEnd(22)} ${d.cached ? 'cached ' : '       '} ${d.title}`);
    });
  data
    .command('info <id>')
    .description('source, license, shapes and cache state of one dataset')
    .action(async (id: string) => {
      const out = makeOut();
      const { info } = await import('../commands/data');
      const d = await info(id);
      for (const [k, v] of Object.entries(d)) out.print(`${k.padEnd(14)} ${Array.isArray(v) ? v.join(', ') : String(v)}`);
    });
  return program;
}

export async function main(argv: string[]): Promise<void> {
  let exitCode = 0;
  const program = buildProgram((code) => {
    exitCode = code;
  });
  try {
    if (argv.length <= 2) {
      if (process.stdin.isTTY && process.stdout.isTTY) {
        const { menu } = await import('./menu');
        exitCode = await menu();
      } else {
        program.outputHelp();
      }
    } else {
      await program.parseAsync(argv);
    }
  } catch (err) {
    exitCode = handleError(err);
  }
  process.exitCode = exitCode;
}

function handleError(err: unknown): number {
  if (err instanceof CommanderError) {
    if (err.code === 'commander.helpDisplayed' || err.code === 'commander.version' || err.code === 'commander.help') return 0;
    return 2;
  }
  const out = makeOut();
  if (err instanceof MlpathError) {
    out.error(`mlpath: ${err.message}`);
    if (err.hint) out.error(`  next: ${err.hint}`);
    return err.exitCode;
  }
  if (err && typeof err === 'object' && (err as { name?: string }).name === 'ExitPromptError') {
    return 130;
  }
  out.error(`mlpath: internal error: ${err instanceof Error ? err.message : String(err)}`);
  if (process.env.MLPATH_DEBUG && err instanceof Error) out.error(err.stack ?? '');
  else out.error('  next: run again with MLPATH_DEBUG=1 for details, and report it');
  return 1;
}
