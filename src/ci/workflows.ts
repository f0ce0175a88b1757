/**
 * Files `mlpath ci init` writes into a course's template repository:
 *
 * - `.github/workflows/classroom.yml`: GitHub Classroom autograding. One
 *   `mlpath check --all` grades everything once; `mlpath ci classroom` turns
 *   its results into one reporter result per exercise level (ci/classroom.ts),
 *   so partial credit reaches the Classroom grade.
 * - `.github/workflows/mlpath.yml`: the same grading without Classroom, for a
 *   course on plain GitHub Actions. A repository gets one of the two, so a
 *   push is graded once.
 * - `package.json`: mlpath from a pinned source that no registry entry can
 *   stand in for (the vendored tarball by default), and tfjs-node as an
 *   optional dependency: npm runs its install script, which downloads
 *   libtensorflow; where that fails the install goes on and mlpath uses wasm.
 *
 * The curriculum that grades is the course copy in the repository, named
 * with `--curriculum` and held to the SHA-256 it had when the template was
 * made (`--curriculum-sha256`): an edited copy makes every result an error.
 */
import { stringify } from 'yaml';
import type { LoadedExercise } from '../curriculum';
import { runnersArgument, type ClassroomRunner } from './classroom';

/**
 * Node.js for the runner: an LTS line. Node 20 reached end of life in April
 * 2026; 24 is supported until April 2028.
 */
export const NODE_LTS = '24';

export const RESULTS_JSON = 'mlpath-results.json';
export const RESULTS_JUNIT = 'mlpath-junit.xml';
/** The secret whose contents (`mlpath holdout pack` output) become the holdout file. */
export const HOLDOUT_SECRET = 'MLPATH_HOLDOUTS';

export interface CourseFilesOptions {
  /** The dependency spec of mlpath in package.json, e.g. `file:vendor/mlpath-0.1.0.tgz`. */
  mlpathSpec: string;
  tfjsNodeVersion: string;
  nodeVersion?: string;
  /** The course copy in the repository (relative, `/`-separated) and its SHA-256; absent: the curriculum installed with mlpath. */
  curriculum?: { file: string; sha256: string };
}

const HEADER =
  '# Written by `mlpath ci init`. Re-run it after changing the course; it never overwrites a file you changed.\n';

function curriculumFlags(opts: CourseFilesOptions): string {
  return opts.curriculum ? ` --curriculum ${opts.curriculum.file} --curriculum-sha256 ${opts.curriculum.sha256}` : '';
}

/** Minutes for the whole job: every exercise's budget on every seed, plus install and start-up. */
export function jobMinutes(exercises: LoadedExercise[]): number {
  const seconds = exercises.reduce((a, e) => a + e.budget.seconds * Math.max(1, e.seeds.length) + 30, 0);
  return Math.ceil(seconds / 60) + 15;
}

function setupSteps(opts: CourseFilesOptions): Record<string, unknown>[] {
  return [
    { uses: 'actions/checkout@v4' },
    { uses: 'actions/setup-node@v4', with: { 'node-version': opts.nodeVersion ?? NODE_LTS, cache: 'npm' } },
    {
      name: 'Install mlpath and TensorFlow.js (tfjs-node where its install script can fetch libtensorflow, else wasm)',
      id: 'install',
      run: 'npm ci --no-audit --no-fund',
    },
    {
      name: 'Restore the dataset cache',
      id: 'data-cache',
      uses: 'actions/cache/restore@v4',
      with: {
        path: '~/.cache/mlpath',
        key: "mlpath-data-${{ runner.os }}-${{ hashFiles('package-lock.json') }}",
        'restore-keys': 'mlpath-data-${{ runner.os }}-',
      },
    },
    { name: 'Backend in use', run: 'npx --no -- mlpath doctor' },
    {
      name: 'Grade every exercise',
      id: 'grade',
      // `npx --no` never fetches a package (mlpath comes from package.json's pinned source or not at all); `--` keeps npm from reading mlpath's flags.
      run: [
        `set -- --all --json ${RESULTS_JSON} --junit ${RESULTS_JUNIT}${curriculumFlags(opts)}`,
        `if [ -n "$${HOLDOUT_SECRET}" ]; then`,
        `  printf '%s' "$${HOLDOUT_SECRET}" > "$RUNNER_TEMP/mlpath-holdouts.json"`,
        '  set -- "$@" --holdout "$RUNNER_TEMP/mlpath-holdouts.json"',
        'fi',
        'npx --no -- mlpath check "$@"',
        '',
      ].join('\n'),
      env: { [HOLDOUT_SECRET]: `\${{ secrets.${HOLDOUT_SECRET} }}` },
    },
  ];
}

function closingSteps(): Record<string, unknown>[] {
  return [
    {
      // Saved even when grading failed: the datasets were parsed all the same.
      name: 'Save the dataset cache',
      if: "always() && steps.data-cache.outcome == 'success' && steps.data-cache.outputs.cache-hit != 'true'",
      uses: 'actions/cache/save@v4',
      with: { path: '~/.cache/mlpath', key: '${{ steps.data-cache.outputs.cache-primary-key }}' },
    },
    {
      name: 'Upload reports',
      if: 'always()',
      uses: 'actions/upload-artifact@v4',
      with: {
        name: 'mlpath-reports',
        path: `${RESULTS_JSON}\n${RESULTS_JUNIT}\n.mlpath/reports/\n.mlpath/runs/\n`,
        'if-no-files-found': 'ignore',
      },
    },
  ];
}

function render(workflow: Record<string, unknown>): string {
  return (
    HEADER +
    stringify(workflow, { lineWidth: 0 }).replace(
      /^(\s+)(push|pull_request|repository_dispatch|workflow_dispatch): null$/gm,
      '$1$2:',
    )
  );
}

export function gradingWorkflow(opts: CourseFilesOptions, exercises: LoadedExercise[]): string {
  return render({
    name: 'mlpath grading',
    on: { push: null, pull_request: null, workflow_dispatch: null },
    permissions: { contents: 'read' },
    jobs: {
      grade: {
        'runs-on': 'ubuntu-latest',
        'timeout-minutes': jobMinutes(exercises),
        steps: [...setupSteps(opts), ...closingSteps()],
      },
    },
  });
}

export function classroomWorkflow(
  opts: CourseFilesOptions,
  exercises: LoadedExercise[],
  runners: ClassroomRunner[],
): string {
  const ids = runners.map((r) => r.id).join(',');
  const env: Record<string, string> = {};
  for (const r of runners) env[`${r.id.toUpperCase()}_RESULTS`] = `\${{ steps.mlpath.outputs.${r.id} }}`;
  const steps = [
    ...setupSteps(opts),
    {
      name: 'Results for the Classroom reporter, one per exercise level (partial credit included)',
      id: 'mlpath',
      if: "always() && steps.install.outcome == 'success'",
      run: `npx --no -- mlpath ci classroom ${RESULTS_JSON} --runners ${runnersArgument(runners)}${opts.curriculum ? ` --curriculum ${opts.curriculum.file}` : ''}`,
    },
    ...closingSteps(),
    {
      name: 'Autograding Reporter',
      if: 'always()',
      uses: 'classroom-resources/autograding-grading-reporter@v1',
      env,
      with: { runners: ids },
    },
  ];
  return render({
    name: 'Autograding Tests',
    on: { push: null, repository_dispatch: null, workflow_dispatch: null },
    permissions: { checks: 'write', actions: 'read', contents: 'read' },
    jobs: {
      'run-autograding-tests': {
        'runs-on': 'ubuntu-latest',
        'timeout-minutes': jobMinutes(exercises),
        if: "github.actor != 'github-classroom[bot]'",
        steps,
      },
    },
  });
}

/**
 * A dependency spec that npm resolves without looking `mlpath` up in a
 * registry: a tarball or folder (`file:`), a git URL, or a tarball URL.
 */
export function pinnedSpecProblem(spec: string): string | undefined {
  if (/^(file:|git\+|git:|github:|gitlab:|bitbucket:|https?:\/\/)/.test(spec)) return undefined;
  return `'${spec}' would be looked up in the npm registry under the name mlpath, which this course must not depend on: give a git URL with a tag (git+https://.../mlpath.git#v1.2.3), a tarball URL, or leave --mlpath out to vendor the installed mlpath`;
}

export function coursePackageJson(name: string, opts: CourseFilesOptions, existing?: Record<string, unknown>): string {
  const pkg: Record<string, unknown> = { name, private: true, ...(existing ?? {}) };
  const dev = { ...((existing?.devDependencies as Record<string, string>) ?? {}) };
  // Earlier versions made tfjs-node a devDependency, where a failed install script fails `npm ci`.
  delete dev['@tensorflow/tfjs-node'];
  dev.mlpath = opts.mlpathSpec;
  pkg.devDependencies = dev;
  pkg.optionalDependencies = {
    ...(existing?.optionalDependencies ?? {}),
    '@tensorflow/tfjs-node': `^${opts.tfjsNodeVersion}`,
  };
  // npm runs tfjs-node's install script either way; the approval silences its warning and keeps working if npm starts to enforce it.
  pkg.allowScripts = { ...(existing?.allowScripts ?? {}), '@tensorflow/tfjs-node': true };
  pkg.scripts = { ...(existing?.scripts ?? {}), grade: `mlpath check --all${curriculumFlags(opts)}` };
  pkg.engines = { ...(existing?.engines ?? {}), node: '>=20' };
  return `${JSON.stringify(pkg, null, 2)}\n`;
}
