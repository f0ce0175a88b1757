/**
 * Files `mlpath ci init` writes into a course repository: a GitHub Actions
 * workflow that grades every exercise with the native backend, a GitHub
 * Classroom autograding variant (one step per exercise, with points), and a
 * package.json that makes mlpath and tfjs-node direct dependencies so npm
 * runs tfjs-node's install script (npm 11 skips transitive ones).
 */
import { stringify } from 'yaml';
import type { Curriculum, LoadedExercise } from '../curriculum';

export interface CourseFilesOptions {
  mlpathVersion: string;
  tfjsNodeVersion: string;
  nodeVersion?: string;
  curriculumArg?: string;
}

const HEADER = '# Written by `mlpath ci init`. Edit freely: mlpath never overwrites a file you changed.\n';

function checkCommand(opts: CourseFilesOptions, rest: string): string {
  return `npx mlpath check ${rest}${opts.curriculumArg ? ` --curriculum ${opts.curriculumArg}` : ''}`;
}

export function gradingWorkflow(opts: CourseFilesOptions): string {
  const workflow = {
    name: 'mlpath grading',
    on: { push: null, pull_request: null, workflow_dispatch: null },
    permissions: { contents: 'read' },
    jobs: {
      grade: {
        'runs-on': 'ubuntu-latest',
        'timeout-minutes': 60,
        steps: [
          { uses: 'actions/checkout@v4' },
          { uses: 'actions/setup-node@v4', with: { 'node-version': opts.nodeVersion ?? '20', cache: 'npm' } },
          { name: 'Install (tfjs-node builds its native binding here)', run: 'npm ci' },
          {
            name: 'Dataset cache',
            uses: 'actions/cache@v4',
            with: { path: '~/.cache/mlpath', key: "mlpath-data-${{ hashFiles('package-lock.json') }}" },
          },
          { name: 'Backend in use', run: 'npx mlpath doctor' },
          {
            name: 'Grade every exercise',
            run: checkCommand(opts, '--all --json mlpath-results.json --junit mlpath-junit.xml'),
            env: { MLPATH_HOLDOUT: '${{ secrets.MLPATH_HOLDOUT }}' },
          },
          {
            name: 'Upload reports',
            if: 'always()',
            uses: 'actions/upload-artifact@v4',
            with: { name: 'mlpath-reports', path: 'mlpath-results.json\nmlpath-junit.xml\n.mlpath/reports/\n.mlpath/runs/\n', 'if-no-files-found': 'ignore' },
          },
        ],
      },
    },
  };
  return HEADER + stringify(workflow, { lineWidth: 0 }).replace(/^(\s+)(push|pull_request|workflow_dispatch): null$/gm, '$1$2:');
}

export function classroomWorkflow(opts: CourseFilesOptions, exercises: LoadedExercise[]): string {
  const steps: Record<string, unknown>[] = [
    { uses: 'actions/checkout@v4' },
    { uses: 'actions/setup-node@v4', with: { 'node-version': opts.nodeVersion ?? '20', cache: 'npm' } },
    { name: 'Install', run: 'npm ci' },
  ];
  const ids: string[] = [];
  for (const ex of exercises) {
    const id = ex.key.replace(/[^a-z0-9]+/gi, '-');
    ids.push(id);
    steps.push({
      name: ex.key,
      id,
      uses: 'classroom-resources/autograding-command-grader@v1',
      with: {
        'test-name': ex.key,
        command: checkCommand(opts, `${ex.key} --quiet`),
        timeout: Math.max(1, Math.ceil((ex.budget.seconds * ex.seeds.length + 120) / 60)),
        'max-score': ex.points,
      },
    });
  }
  const env: Record<string, string> = {};
  for (const id of ids) env[`${id.toUpperCase().replace(/-/g, '_')}_RESULTS`] = `\${{steps.${id}.outputs.result}}`;
  steps.push({
    name: 'Autograding Reporter',
    uses: 'classroom-resources/autograding-grading-reporter@v1',
    env,
    with: { runners: ids.join(',') },
  });
  const workflow = {
    name: 'Autograding Tests',
    on: { push: null, repository_dispatch: null, workflow_dispatch: null },
    permissions: { checks: 'write', actions: 'read', contents: 'read' },
    jobs: { 'run-autograding-tests': { 'runs-on': 'ubuntu-latest', if: "github.actor != 'github-classroom[bot]'", steps } },
  };
  return HEADER + stringify(workflow, { lineWidth: 0 }).replace(/^(\s+)(push|repository_dispatch|workflow_dispatch): null$/gm, '$1$2:');
}

export function coursePackageJson(name: string, opts: CourseFilesOptions, existing?: Record<string, unknown>): string {
  const pkg: Record<string, unknown> = { name, private: true, ...(existing ?? {}) };
  pkg.devDependencies = {
    ...((existing?.devDependencies as Record<string, string>) ?? {}),
    mlpath: `^${opts.mlpathVersion}`,
    '@tensorflow/tfjs-node': `^${opts.tfjsNodeVersion}`,
  };
  pkg.allowScripts = { ...((existing?.allowScripts as Record<string, boolean>) ?? {}), '@tensorflow/tfjs-node': true };
  pkg.scripts = { ...((existing?.scripts as Record<string, string>) ?? {}), grade: 'mlpath check --all' };
  return `${JSON.stringify(pkg, null, 2)}\n`;
}

export function readyExercises(c: Curriculum): LoadedExercise[] {
  return c.exercises.filter((e) => e.status === 'ready');
}
