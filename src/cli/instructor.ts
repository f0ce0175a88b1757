/**
 * The instructor's verbs: `grade` (a class), `ci init` / `ci classroom`,
 * `holdout make` / `pack`, `gradescope package` / `run`, `new exercise` and
 * `validate --solutions`. Kept apart from main.ts so the learner's commands
 * stay easy to read; the same lazy-import rule applies.
 */
import type { GradeOptions } from '../commands/grade';
import type { Command } from 'commander';
import { makeOut } from './output';

/** A configuration error of `grade` still lands in the JUnit file CI reads (cli/problem.ts). */
async function reportingProblems<T>(files: { junit?: string }, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (err) {
    const { MlpathError } = await import('../errors');
    if (err instanceof MlpathError) await (await import('./problem')).reportProblem(err, files);
    throw err;
  }
}

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
    .option('--junit <file>', 'JUnit XML, one testsuite per workspace')
    .option('--curriculum <file>', "the instructor's curriculum (wins over the one named in each mlpath.json)")
    .option(
      '--holdout <path>',
      'held-out data learners have never seen: a folder keyed by exercise id, a bundle or one file (or MLPATH_HOLDOUT)',
    )
    .option('--backend <name>', 'TensorFlow.js backend for every check')
    .option(
      '--student-prefix <text>',
      'strip this from folder names to make student ids (Classroom names repositories <assignment>-<login>)',
    )
    .action(
      async (
        workspaces: string[],
        o: Omit<GradeOptions, 'cwd' | 'workspaces' | 'jobs' | 'onProgress'> & { jobs?: string },
      ) => {
        const out = makeOut();
        const { run } = await import('../commands/grade');
        const jobs = o.jobs === undefined ? undefined : Number(o.jobs);
        const result = await reportingProblems({ junit: o.junit }, () =>
          run({
            cwd: process.cwd(),
            workspaces,
            jobs,
            csv: o.csv,
            json: o.json,
            gradescope: o.gradescope,
            junit: o.junit,
            curriculum: o.curriculum,
            holdout: o.holdout,
            backend: o.backend,
            studentPrefix: o.studentPrefix,
            onProgress: (done, total, last) => {
              const passed = last.results.filter((r) => r.status === 'passed').length;
              const what = last.failure ? `not graded: ${last.failure}` : `${passed}/${last.results.length} passed`;
              out.info(`${bar(done, total)} ${done}/${total}  ${last.workspace}: ${what}`);
            },
          }),
        );
        const notGraded = result.grades.filter((g) => g.failure).length;
        out.print(
          `Graded ${result.grades.length - notGraded}/${result.grades.length} workspaces with ${result.jobs} job(s) in ${(result.durationMs / 1000).toFixed(1)} s${o.csv ? `; grades in ${o.csv}` : ''}`,
        );
        setExit(notGraded ? 1 : 0);
      },
    );

  const ci = program.command('ci').description("continuous integration for a course's template repository");
  ci.command('init')
    .description(
      'make this workspace the template repository learners receive: course copy, vendored mlpath, package.json, a GitHub Classroom (or plain Actions) workflow',
    )
    .option('--provider <name>', 'CI provider', 'github')
    .option('--no-classroom', 'a plain GitHub Actions workflow instead of GitHub Classroom autograding')
    .option('--curriculum <file>', "the instructor's curriculum to publish (default: the one mlpath.json names)")
    .option(
      '--mlpath <spec>',
      'install mlpath from this git URL (with a tag) or tarball URL instead of a vendored tarball',
    )
    .action(async (o: { provider: string; classroom: boolean; curriculum?: string; mlpath?: string }) => {
      const out = makeOut();
      const { init } = await import('../commands/ci');
      const r = await init({
        cwd: process.cwd(),
        provider: o.provider,
        classroom: o.classroom,
        curriculum: o.curriculum,
        mlpath: o.mlpath,
      });
      out.print(`✔ wrote ${r.workflows.join(', ')} and package.json in ${r.root}`);
      if (r.course)
        out.print(`  course copy: ${r.course.file} (sha256 ${r.course.sha256.slice(0, 12)}, enforced by the workflow)`);
      else out.print('  curriculum: the one installed with mlpath');
      out.print(`  mlpath: ${r.vendored ?? o.mlpath} (no registry lookup of the name)`);
      if (o.classroom) out.print(`  Classroom runners: ${r.runners.join(',')}`);
      if (r.files.kept.length) out.print(`  kept (you changed them): ${r.files.kept.join(', ')}`);
      out.print(
        '  next: `npm install` (writes package-lock.json, which the workflow needs), then commit everything and push',
      );
    });
  ci.command('classroom <results>')
    .description(
      'turn `mlpath check --json` results into GitHub Classroom reporter results, one per exercise level ($GITHUB_OUTPUT)',
    )
    .requiredOption('--runners <ids>', 'the runner ids the reporter step lists, comma-separated')
    .option('--curriculum <file>', 'the curriculum the check graded with (or MLPATH_CURRICULUM)')
    .option('--output <file>', 'write the outputs here instead of $GITHUB_OUTPUT')
    .action(async (results: string, o: { runners: string; curriculum?: string; output?: string }) => {
      const out = makeOut();
      const { classroom } = await import('../commands/ci');
      const r = await classroom({
        cwd: process.cwd(),
        results,
        runners: o.runners,
        curriculum: o.curriculum,
        output: o.output,
      });
      let points = 0;
      let max = 0;
      for (const [id, result] of r.results) {
        points += result.tests.reduce((a, t) => a + t.score, 0);
        max += result.max_score;
        out.print(`${id}: ${result.status} ${result.tests[0].score}/${result.max_score}  ${result.tests[0].name}`);
      }
      out.print(
        `Points ${points}/${max}${r.output ? ` (outputs in ${r.output})` : ' (no $GITHUB_OUTPUT: nothing written)'}`,
      );
      if (r.problems.length) {
        const { problemAnnotation } = await import('../reporters/github');
        for (const p of r.problems) {
          out.error(`mlpath: ${p}`);
          if (process.env.GITHUB_ACTIONS === 'true') process.stderr.write(`${problemAnnotation(p)}\n`);
        }
        setExit(1);
      }
    });

  const holdout = program
    .command('holdout')
    .description('instructor holdouts: test rows learners have never seen, one file per exercise');
  holdout
    .command('make <exercise>')
    .description(
      "write <out>/<month>/<exercise>.csv from your own CSV (--from) or from the exercise's dataset, checked as grading reads it",
    )
    .option('--curriculum <file>', 'the course (or MLPATH_CURRICULUM; default: the built-in curriculum)')
    .option(
      '--from <csv>',
      'your rows: a CSV with a header; columns found by feature name (`mlpath data info <dataset>`)',
    )
    .option('--label <column>', 'the column of --from that holds the label (default: `label`, else the last)')
    .option('--rows <n>', 'keep at most this many rows, a seeded sample')
    .option('--seed <n>', 'seed of that sample', '1')
    .option('--out <dir>', 'the holdout folder', 'holdouts')
    .action(
      async (
        exercise: string,
        o: { curriculum?: string; from?: string; label?: string; rows?: string; seed: string; out: string },
      ) => {
        const out = makeOut();
        const { make } = await import('../commands/holdout');
        const { parseNumber } = await import('./check');
        const r = await make({
          cwd: process.cwd(),
          exercise,
          curriculum: o.curriculum,
          from: o.from,
          label: o.label,
          rows: parseNumber('--rows', o.rows),
          seed: parseNumber('--seed', o.seed),
          out: o.out,
        });
        out.print(`✔ ${r.file}: ${r.rows} rows for ${r.exercise} (dataset ${r.dataset}), from ${r.source}`);
        if (r.ignored.length) out.print(`  columns not used: ${r.ignored.join(', ')}`);
        for (const w of r.warnings) out.error(`warning: ${w}`);
        out.print(
          `  next: \`mlpath check --all --holdout ${o.out}\` or \`mlpath grade ... --holdout ${o.out}\`; \`mlpath holdout pack ${o.out}\` makes one file for a CI secret`,
        );
      },
    );
  holdout
    .command('pack <folder>')
    .description('a holdout folder as one bundle file (--holdout reads it too), e.g. for a CI secret')
    .option('--out <file>', 'the bundle (default: <folder>.json)')
    .action(async (folder: string, o: { out?: string }) => {
      const out = makeOut();
      const { pack, SECRET_LIMIT_BYTES } = await import('../commands/holdout');
      const r = await pack({ cwd: process.cwd(), folder, out: o.out });
      out.print(`✔ ${r.file}: ${r.exercises.length} holdout(s) (${r.exercises.join(', ')}), ${r.bytes} bytes`);
      if (r.bytes > SECRET_LIMIT_BYTES)
        out.error(
          `warning: over ${SECRET_LIMIT_BYTES / 1024} KB, the size GitHub allows a secret: grade with it in \`mlpath grade\` or Gradescope instead`,
        );
    });

  const gradescope = program.command('gradescope').description('Gradescope programming assignments');
  gradescope
    .command('package')
    .description(
      'write the autograder zip: setup.sh, run_autograder, the course (no solutions), vendored mlpath, your holdouts',
    )
    .requiredOption('--curriculum <file>', 'the course')
    .option('--exercise <id...>', 'the exercises this assignment grades (default: every built exercise)')
    .option('--holdout <path>', 'a holdout folder keyed by exercise id, a bundle, or one file')
    .option(
      '--visibility <when>',
      'when students see results: visible, after_due_date, after_published, hidden',
      'visible',
    )
    .option(
      '--mlpath <spec>',
      'install mlpath from this git URL (with a tag) or tarball URL instead of a vendored tarball',
    )
    .option('--out <file>', 'the zip', 'autograder.zip')
    .action(
      async (o: {
        curriculum: string;
        exercise?: string[];
        holdout?: string;
        visibility: string;
        mlpath?: string;
        out: string;
      }) => {
        const out = makeOut();
        const { packageAutograder } = await import('../commands/gradescope');
        const r = await packageAutograder({
          cwd: process.cwd(),
          curriculum: o.curriculum,
          exercises: o.exercise,
          holdout: o.holdout,
          visibility: o.visibility,
          mlpath: o.mlpath,
          out: o.out,
        });
        out.print(
          `✔ ${r.file}: ${r.entries.length} files, ${(r.bytes / 1024).toFixed(0)} KB, grades ${r.exercises.join(', ')}`,
        );
        out.print(
          '  next: upload it as the autograder of a Gradescope programming assignment ("Configure Autograder"), then "Test Autograder" with a solution',
        );
      },
    );
  gradescope
    .command('run <submission>')
    .description('grade one upload (what run_autograder calls); always writes results.json')
    .requiredOption('--results <file>', 'where results.json goes')
    .requiredOption('--curriculum <file>', 'the course copy')
    .option('--curriculum-sha256 <hex>', 'the SHA-256 the course copy must have')
    .option('--exercise <id...>', 'the exercises this assignment grades')
    .option('--holdout <path>', 'holdouts')
    .option('--visibility <when>', 'visibility of the results', 'visible')
    .option('--backend <name>', 'TensorFlow.js backend')
    .action(
      async (
        submission: string,
        o: {
          results: string;
          curriculum: string;
          curriculumSha256?: string;
          exercise?: string[];
          holdout?: string;
          visibility: string;
          backend?: string;
        },
      ) => {
        const out = makeOut();
        const { runAutograder } = await import('../commands/gradescope');
        const r = await runAutograder({
          cwd: process.cwd(),
          submission,
          results: o.results,
          curriculum: o.curriculum,
          curriculumSha256: o.curriculumSha256,
          exercises: o.exercise,
          holdout: o.holdout,
          visibility: o.visibility,
          backend: o.backend,
        });
        for (const n of [...r.notes, ...r.log]) out.print(n);
        out.print(
          r.failure
            ? `not graded: ${r.failure}`
            : `score ${r.score}; graded ${r.graded.join(', ') || 'nothing'}; results in ${r.results}`,
        );
      },
    );

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
      out.print(
        `  next: fill in the README, starter and solution, then \`mlpath validate --solutions ${o.curriculum}\``,
      );
    });
}

/** `validate --solutions`: every starter fails, every reference passes on every seed; margins shown. */
export async function validateSolutions(
  file: string | undefined,
  opts: { only?: string[]; rows?: string } = {},
): Promise<number> {
  const out = makeOut();
  const { run } = await import('../commands/verify');
  const { formatVerifyRow, formatVerifySummary } = await import('../reporters/verify');
  const result = await run({
    cwd: process.cwd(),
    file,
    only: opts.only,
    rowsFile: opts.rows,
    onRow: (row) => out.print(formatVerifyRow(row)),
  });
  out.print(formatVerifySummary(result));
  return result.verified === result.rows.length ? 0 : 1;
}
