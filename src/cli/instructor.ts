/**
 * The instructor's verbs: `grade` (a class), `ci init`, `new exercise` and
 * `validate --solutions`. Kept apart from main.ts so the learner's commands
 * stay easy to read; the same lazy-import rule applies.
 */
import type { Command } from 'commander';
import { makeOut } from './output';

function bar(done: number, total: number, width = 24): string {
  const filled = Math.round((done / Math.max(1, total)) * width);
  return `[${'#'.repeat(filled)}${'-'.repeat(width - filled)}]`;
}

export function registerInstructorCommands(program: Command, setExit: (code: number) => void): void {
  program
    .command('grade <workspaces...>')
    .description('grade many learner workspaces in parallel, each isolated, into a CSV / JSON / Gradescope files')
    .option('-j, --jobs <n>', 'workspaces graded at once (default: cores, bounded by free memory)')
    .option('--csv <file>', 'one row per workspace, written as each finishes')
    .option('--json <file>', 'every result of every workspace')
    .option('--gradescope <dir>', 'a Gradescope results.json per workspace in this folder')
    .option('--curriculum <file>', 'the instructor\'s curriculum (wins over the one named in each mlpath.json)')
    .option('--holdout <file>', 'held-out data learners have never seen (or MLPATH_HOLDOUT)')
    .option('--backend <name>', 'TensorFlow.js backend for every check')
    .action(async (workspaces: string[], o: { jobs?: string; csv?: string; json?: string; gradescope?: string; curriculum?: string; holdout?: string; backend?: string }) => {
      const out = makeOut();
      const { run } = await import('../commands/grade');
      const jobs = o.jobs === undefined ? undefined : Number(o.jobs);
      const result = await run({
        cwd: process.cwd(),
        workspaces,
        jobs,
        csv: o.csv,
        json: o.json,
        gradescope: o.gradescope,
        curriculum: o.curriculum,
        holdout: o.holdout,
        backend: o.backend,
        onProgress: (done, total, last) => {
          const passed = last.results.filter((r) => r.status === 'passed').length;
          const what = last.failure ? `not graded: ${last.failure}` : `${passed}/${last.results.length} passed`;
          out.info(`${bar(done, total)} ${done}/${total}  ${last.workspace}: ${what}`);
        },
      });
      const notGraded = result.grades.filter((g) => g.failure).length;
      out.print(`Graded ${result.grades.length - notGraded}/${result.grades.length} workspaces with ${result.jobs} job(s) in ${(result.durationMs / 1000).toFixed(1)} s${o.csv ? `; grades in ${o.csv}` : ''}`);
      setExit(notGraded ? 1 : 0);
    });

  const ci = program.command('ci').description('continuous-integration setup for a course repository');
  ci.command('init')
    .description('write a GitHub Actions workflow (and a GitHub Classroom variant) that grades this workspace')
    .option('--provider <name>', 'CI provider', 'github')
    .option('--no-classroom', 'skip the GitHub Classroom autograding workflow')
    .action(async (o: { provider: string; classroom: boolean }) => {
      const out = makeOut();
      const { init } = await import('../commands/ci');
      const r = await init({ cwd: process.cwd(), provider: o.provider, classroom: o.classroom });
      out.print(`✔ wrote ${r.workflows.join(', ')} and package.json in ${r.root}`);
      if (r.files.kept.length) out.print(`  kept (you changed them): ${r.files.kept.join(', ')}`);
      out.print('  next: `npm install` (records package-lock.json), commit, push; the workflow prints the backend it got');
    });

  const create = program.command('new').description('create course content');
  create
    .command('exercise <id>')
    .description('add an exercise skeleton (YAML entry, README, starter, solution) to a curriculum')
    .requiredOption('--curriculum <file>', 'the curriculum file to add it to')
    .option('--title <title>', 'one-line title')
    .action(async (id: string, o: { curriculum: string; title?: string }) => {
      const out = makeOut();
      const { run } = await import('../commands/new-exercise');
      const r = await run({ cwd: process.cwd(), key: id, file: o.curriculum, title: o.title });
      out.print(`✔ added ${r.key} to ${r.file} (status: planned)`);
      for (const f of r.created) out.print(`  wrote ${f}`);
      out.print(`  next: fill in the README, starter and solution, then \`mlpath validate --solutions ${o.curriculum}\``);
    });
}

/** `validate --solutions`: every starter fails, every reference passes on every seed; margins shown. */
export async function validateSolutions(file: string | undefined): Promise<number> {
  const out = makeOut();
  const { run } = await import('../commands/verify');
  const { formatVerifyRow, formatVerifySummary } = await import('../reporters/verify');
  const result = await run({ cwd: process.cwd(), file, onRow: (row) => out.print(formatVerifyRow(row)) });
  out.print(formatVerifySummary(result));
  return result.verified === result.rows.length ? 0 : 1;
}
