/**
 * The commander program and the one place errors become exit codes
 * (0 ok, 1 a check failed, 2 usage or configuration error). Every action
 * imports its command lazily, so `mlpath status` never loads TensorFlow.js.
 */
import { Command, CommanderError, Option } from 'commander';
import { MlpathError, UsageError } from '../errors';
import { mlpathVersion } from '../version';
import type { CheckCliOptions } from './check';
import { registerInstructorCommands } from './instructor';
import { interactive, makeOut } from './output';

function backendOption(): Option {
  return new Option(
    '--backend <name>',
    'TensorFlow.js backend (default: tensorflow, else wasm, else cpu; or MLPATH_BACKEND)',
  ).choices(['tensorflow', 'wasm', 'cpu']);
}

/** `--quiet` is a program option, so it works before or after the command name. */
function globalQuiet(cmd: Command): boolean {
  return !!cmd.optsWithGlobals<{ quiet?: boolean }>().quiet;
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
    .version(mlpathVersion(), '-V, --version')
    .option('-q, --quiet', 'results and errors only: no progress, pictures or advice')
    .configureHelp({ showGlobalOptions: true })
    .showSuggestionAfterError(true)
    .addHelpText(
      'after',
      `
Start here:
  mlpath start my-path     create a workspace with one folder per exercise
  cd my-path && mlpath     a menu: continue, check, hint, progress, watch
  mlpath watch             re-check the exercise you work on at every save
  mlpath check month2/mnist

Output is plain when it is not a terminal or NO_COLOR is set.

Exit codes: 0 ok, 1 a check failed, 2 usage or configuration error.`,
    );

  program
    .command('start [dir]')
    .description(
      'create or update a workspace (never overwrites a file you changed); asks a few questions in a terminal',
    )
    .option('-y, --yes', 'accept the defaults, ask nothing')
    .option('--track <id>', 'domain track for month 3 (nlp, tabular, recsys)')
    .option('--curriculum <file>', "use an instructor's curriculum file instead of the built-in one")
    .action(
      async (dir: string | undefined, o: { yes?: boolean; track?: string; curriculum?: string }, cmd: Command) => {
        const quiet = globalQuiet(cmd);
        const out = makeOut({ quiet });
        const { formatBackend, formatStart } = await import('../reporters/status');
        const { nativeFix, probeBackends } = await import('../backend/probe');
        let answers: { dir?: string; track?: string } = { dir, track: o.track };
        if (!o.yes && interactive()) {
          const { startWizard } = await import('./wizard');
          const wizard = await startWizard({
            cwd: process.cwd(),
            dir,
            track: o.track,
            curriculum: o.curriculum,
            color: out.color,
            print: (t) => out.print(t),
          });
          if (!wizard.proceed) {
            out.print('Nothing was written.\nnext: `mlpath start` when you are ready');
            return;
          }
          answers = wizard;
        } else if (!quiet) {
          out.print(formatBackend(probeBackends(), nativeFix(), out.color, false));
        }
        const { run } = await import('../commands/start');
        const result = await run({
          cwd: process.cwd(),
          dir: answers.dir,
          track: answers.track,
          curriculum: o.curriculum,
        });
        out.print(quiet ? result.root : formatStart(result, out.color, process.cwd()));
      },
    );

  program
    .command('status')
    .alias('list')
    .description('progress per month and exercise, best metric against its threshold, and what to do next')
    .option('--json', 'print the status as JSON')
    .action(async (o: { json?: boolean }, cmd: Command) => {
      const out = makeOut();
      const { run } = await import('../commands/status');
      const result = await run({ cwd: process.cwd() });
      if (o.json) process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
      else out.print((await import('../reporters/status')).formatStatus(result, out.color, globalQuiet(cmd)));
    });

  program
    .command('next')
    .description('the first exercise not yet passed, and the command to check it (--quiet: just its id)')
    .action(async (_o: unknown, cmd: Command) => {
      const out = makeOut();
      const { run } = await import('../commands/status');
      const result = await run({ cwd: process.cwd() });
      if (globalQuiet(cmd)) {
        if (result.next) out.print(result.next.key);
      } else {
        out.print((await import('../reporters/status')).formatNext(result, out.color));
      }
    });

  program
    .command('check [ids...]')
    .description('grade exercises on held-out data (ids like month2/mnist; inside an exercise folder, no id needed)')
    .option('--all', 'check every exercise of the workspace')
    .option(
      '--json [file]',
      'write the results as JSON (to stdout when no file is given: then nothing else goes to stdout)',
    )
    .option('--junit <file>', 'write JUnit XML, one testcase per exercise')
    .option('--seed <n>', "training seed passed to your code as ctx.seed (default: the exercise's seeds)")
    .addOption(backendOption())
    .option('--timeout <seconds>', "time budget per run, overriding the exercise's")
    .option(
      '--holdout <path>',
      "grade on an instructor's held-out data instead of the built-in test split: a folder keyed by exercise id, a bundle, or one file (or MLPATH_HOLDOUT)",
    )
    .option(
      '--curriculum <file>',
      'grade against this curriculum file, not the one mlpath.json names (or MLPATH_CURRICULUM; use it in CI)',
    )
    .option(
      '--curriculum-sha256 <hex>',
      'the SHA-256 the curriculum must have; any other makes every result an error (or MLPATH_CURRICULUM_SHA256)',
    )
    .option('--gradescope <file>', "write Gradescope's results.json")
    .option(
      '--jobs <n>',
      'grader children to keep busy at once: above 1, --all grades exercises side by side, each result printed as it ends (`mlpath grade` uses it; default 1)',
    )
    .option(
      '--no-record',
      'write nothing into the workspace: no progress, attempt record or report (`mlpath grade` uses it)',
    )
    .action(async (ids: string[], o: Omit<CheckCliOptions, 'quiet'>, cmd: Command) => {
      const { checkCli } = await import('./check');
      setExit(await checkCli(ids, { ...o, quiet: globalQuiet(cmd) }));
    });

  program
    .command('hint [id]')
    .description(
      'the next hint for an exercise, one level at a time (default: the exercise you are in, else the next one)',
    )
    .option('--all', 'show every hint level')
    .action(async (id: string | undefined, o: { all?: boolean }, cmd: Command) => {
      const out = makeOut();
      const { run } = await import('../commands/hint');
      const result = await run({ cwd: process.cwd(), id, all: o.all });
      if (globalQuiet(cmd)) out.print(result.shown.map((h) => h.text).join('\n'));
      else out.print((await import('../reporters/status')).formatHint(result, out.color));
    });

  program
    .command('solution [id]')
    .description('the reference solution of an exercise, once your own has passed')
    .action(async (id: string | undefined, _o: unknown, cmd: Command) => {
      const out = makeOut();
      const { run } = await import('../commands/solution');
      const result = await run({ cwd: process.cwd(), id });
      if (globalQuiet(cmd)) out.print(result.files.map((f) => f.content).join('\n'));
      else out.print((await import('../reporters/status')).formatSolution(result, out.color));
    });

  program
    .command('watch [id]')
    .description('re-check an exercise on every save of its files; keys: h hint, r re-run, q quit')
    .option('--poll', 'scan for changes on a timer, for WSL or network drives where change events do not arrive')
    .option('--timeout <seconds>', "time budget per run, overriding the exercise's")
    .option('--seed <n>', 'training seed passed to your code as ctx.seed')
    .addOption(backendOption())
    .action(
      async (
        id: string | undefined,
        o: { poll?: boolean; timeout?: string; seed?: string; backend?: string },
        cmd: Command,
      ) => {
        const { watchCli } = await import('./watch');
        setExit(await watchCli(id, { ...o, quiet: globalQuiet(cmd) }));
      },
    );

  program
    .command('reset [ids...]')
    .description('restore the starter files of exercises, after backing yours up under .mlpath/backups/')
    .option('--all', 'reset every exercise of the workspace')
    .option('-y, --yes', 'do not ask before replacing your files (asked only in a terminal)')
    .action(async (ids: string[], o: { all?: boolean; yes?: boolean }, cmd: Command) => {
      const out = makeOut({ quiet: globalQuiet(cmd) });
      const { run } = await import('../commands/reset');
      const ask = !o.yes && interactive();
      const confirm = async (changing: string[]): Promise<boolean> => {
        const { confirm: prompt } = await import('@inquirer/prompts');
        const shown = changing.slice(0, 5).join(', ') + (changing.length > 5 ? ` and ${changing.length - 5} more` : '');
        return prompt({
          message: `Replace your ${shown} with the starter? (a copy goes to .mlpath/backups/ first)`,
          default: false,
        });
      };
      const result = await run({ cwd: process.cwd(), ids, all: o.all, confirm: ask ? confirm : undefined });
      if (result.declined) {
        out.info('nothing was reset');
        return;
      }
      if (!out.quiet) out.print((await import('../reporters/status')).formatReset(result, out.color, process.cwd()));
    });

  program
    .command('report [id]')
    .description('path of the HTML report of an exercise: loss curves, metric history, confusion matrix')
    .option('--open', 'open it in the default browser')
    .action(async (id: string | undefined, o: { open?: boolean }, cmd: Command) => {
      const out = makeOut({ quiet: globalQuiet(cmd) });
      const { run } = await import('../commands/report');
      const result = await run({ cwd: process.cwd(), id });
      out.print(result.file);
      if (o.open) {
        const { openFile } = await import('./open');
        const opened = await openFile(result.file);
        if (opened.ok) out.info(`opened with ${opened.command}`);
        else out.error(`could not open a browser (${opened.reason}); open the file above yourself`);
      }
      out.info(`next: \`mlpath check ${result.exercise}\` adds an attempt to it`);
    });

  program
    .command('runs')
    .description('list and compare the tracked runs (MLflow file store) of your exercises')
    .option('--exercise <id>', "only this exercise's runs, e.g. month4/tracking")
    .option('--sort <metric>', "order by a metric's latest value, highest first (-metric: lowest first)")
    .option('--limit <n>', 'at most this many runs per experiment (default 20)')
    .option('--json', 'print the runs as JSON')
    .action(async (o: { exercise?: string; sort?: string; limit?: string; json?: boolean }) => {
      const out = makeOut();
      const { run } = await import('../commands/runs');
      const result = await run({
        cwd: process.cwd(),
        exercise: o.exercise,
        sort: o.sort,
        limit: o.limit === undefined ? undefined : Number(o.limit),
      });
      if (o.json) process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
      else out.print((await import('../reporters/runs')).formatRuns(result, out.color));
    });

  program
    .command('validate [file]')
    .description('validate a curriculum file (default: the built-in curriculum)')
    .option('--solutions', 'also grade every starter (must fail) and reference solution (must pass)')
    .option('--only <ids>', 'with --solutions: only these exercises (comma-separated ids)')
    .option('--rows <file>', "with --solutions: also write every exercise's row (values, margins, problems) as JSON")
    .action(async (file: string | undefined, o: { solutions?: boolean; only?: string; rows?: string }) => {
      const out = makeOut();
      if (o.solutions) {
        const { validateSolutions } = await import('./instructor');
        setExit(await validateSolutions(file, { only: o.only?.split(',').filter(Boolean), rows: o.rows }));
        return;
      }
      if (o.only || o.rows)
        throw new UsageError(
          '--only and --rows go with --solutions',
          `\`mlpath validate --solutions${file ? ` ${file}` : ''} --only <ids>\``,
        );
      const { run } = await import('../commands/validate');
      const r = await run({ cwd: process.cwd(), file });
      out.print(`✔ ${r.file}: valid (${r.months} months, ${r.exercises} exercises, ${r.ready} built)`);
    });

  program
    .command('doctor')
    .description(
      'environment report: Node, TensorFlow.js backend (and how to get the native one), dataset cache, workspace',
    )
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
      for (const d of rows)
        out.print(
          `${d.id.padEnd(24)} ${d.task.padEnd(15)} ${d.size.padEnd(22)} ${d.cached ? 'cached ' : '       '} ${d.title}`,
        );
    });
  data
    .command('info <id>')
    .description('source, license, shapes and cache state of one dataset')
    .action(async (id: string) => {
      const out = makeOut();
      const { info } = await import('../commands/data');
      const d = await info(id);
      for (const [k, v] of Object.entries(d))
        out.print(`${k.padEnd(14)} ${Array.isArray(v) ? v.join(', ') : String(v)}`);
    });
  registerInstructorCommands(program, setExit);
  return program;
}

/**
 * A reader that goes away (`mlpath data list | head -3`) closes the pipe:
 * the rest of the output is dropped without a word and the command finishes
 * its work (a check still records its attempt).
 */
export function quietOnClosedPipes(streams: NodeJS.WriteStream[] = [process.stdout, process.stderr]): void {
  for (const stream of streams) {
    stream.on('error', (err: NodeJS.ErrnoException) => {
      if (err.code !== 'EPIPE') throw err;
      stream.write = () => true;
    });
  }
}

export async function main(argv: string[]): Promise<void> {
  quietOnClosedPipes();
  // `mlpath -v`, as most tools answer it, is `--version`.
  if (argv.length === 3 && argv[2] === '-v') argv = [...argv.slice(0, 2), '--version'];
  let exitCode = 0;
  const program = buildProgram((code) => {
    exitCode = code;
  });
  try {
    if (argv.length <= 2) {
      if (interactive()) {
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
    if (err.code === 'commander.helpDisplayed' || err.code === 'commander.version' || err.code === 'commander.help')
      return 0;
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
