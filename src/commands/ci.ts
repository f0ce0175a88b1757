/**
 * `mlpath ci init`: make a workspace the template repository learners
 * receive. It copies the course (curriculum and starters, no solutions) into
 * `course/` and pins the workspace to it, vendors mlpath, writes package.json
 * and one workflow (Classroom's by default), and points the editor at the
 * repository's own node_modules. Re-running it after the course changed
 * re-syncs all of that and never overwrites a file the instructor changed.
 *
 * `mlpath ci classroom <results.json>`: the step between `mlpath check` and
 * Classroom's reporter (see ci/classroom.ts).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { defaultCurriculumPath, loadCurriculum } from '../curriculum';
import { MlpathError, UsageError } from '../errors';
import {
  classroomResults,
  classroomRunners,
  githubOutputLines,
  RUNNER_ID,
  runnersArgument,
  type ClassroomResult,
  type ClassroomRunner,
} from '../ci/classroom';
import { courseCopy } from '../ci/course';
import { vendorMlpath } from '../ci/vendor';
import {
  classroomWorkflow,
  coursePackageJson,
  gradingWorkflow,
  pinnedSpecProblem,
  type CourseFilesOptions,
} from '../ci/workflows';
import { checkReportSchema, type ExerciseResult } from '../grader/result';
import { emptyReport, writeFiles, type ScaffoldReport } from '../scaffold';
import { requireWorkspace } from '../workspace';
import { availableExercises, curriculumOverride } from '../workspace/curriculum';

export interface CiInitOptions {
  cwd: string;
  provider?: string;
  classroom?: boolean;
  /** The instructor's curriculum to (re)publish; default: the one mlpath.json names. */
  curriculum?: string;
  /** mlpath's dependency spec instead of a vendored tarball (a git URL with a tag, a tarball URL). */
  mlpath?: string;
}

export const ciInitDefaults = { provider: 'github', classroom: true } as const;

export interface CiInitResult {
  root: string;
  files: ScaffoldReport;
  workflows: string[];
  /** The course copy the workflows grade with, and its SHA-256; absent for the built-in curriculum. */
  course?: { file: string; sha256: string };
  /** The vendored tarball, when mlpath was packed. */
  vendored?: string;
  /** Classroom runner ids, in the reporter's order. */
  runners: string[];
}

function tfjsVersion(): string {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- the installed version, read when needed
  return (require('@tensorflow/tfjs/package.json') as { version: string }).version;
}

function isBuiltIn(file: string | undefined): boolean {
  return !file || path.resolve(file) === path.resolve(defaultCurriculumPath());
}

export async function init(opts: CiInitOptions): Promise<CiInitResult> {
  const provider = opts.provider ?? ciInitDefaults.provider;
  if (provider !== 'github') throw new UsageError(`unknown CI provider '${provider}': only 'github' is supported`);
  if (opts.mlpath) {
    const problem = pinnedSpecProblem(opts.mlpath);
    if (problem) throw new UsageError(`--mlpath ${problem}`);
  }
  let ws = requireWorkspace(opts.cwd);
  const source = opts.curriculum ? path.resolve(opts.cwd, opts.curriculum) : ws.curriculumFile;
  const files = emptyReport();
  let course: CiInitResult['course'];
  if (!isBuiltIn(source)) {
    const original = loadCurriculum(source);
    const copy = courseCopy(original);
    // The instructor's copy always wins over what is in course/: it is the course.
    writeFiles(ws.root, copy.files, files, true);
    const { run: start } = await import('./start');
    // Pins the workspace to the copy (same bytes, same SHA-256) and scaffolds exercises the course added.
    const started = await start({
      cwd: ws.root,
      dir: '.',
      curriculum: path.join(ws.root, copy.file),
      localInstall: true,
    });
    for (const key of ['created', 'updated', 'kept'] as const) files[key].push(...started.files[key]);
    ws = requireWorkspace(ws.root);
    course = { file: copy.file, sha256: original.hash };
  } else {
    const { run: start } = await import('./start');
    await start({ cwd: ws.root, dir: '.', localInstall: true });
  }
  const curriculum = loadCurriculum(course ? path.join(ws.root, course.file) : undefined);
  const exercises = availableExercises(curriculum, ws.config.track);
  let vendored: string | undefined;
  let spec = opts.mlpath;
  if (!spec) {
    const packed = vendorMlpath(ws.root);
    vendored = packed.file;
    spec = packed.spec;
  }
  const courseFiles: CourseFilesOptions = { mlpathSpec: spec, tfjsNodeVersion: tfjsVersion(), curriculum: course };
  const runners = classroomRunners(exercises);
  const workflows = new Map<string, string>();
  if (opts.classroom ?? ciInitDefaults.classroom)
    workflows.set('.github/workflows/classroom.yml', classroomWorkflow(courseFiles, exercises, runners));
  else workflows.set('.github/workflows/mlpath.yml', gradingWorkflow(courseFiles, exercises));
  writeFiles(ws.root, workflows, files);
  const pkgFile = path.join(ws.root, 'package.json');
  const existing = fs.existsSync(pkgFile)
    ? (JSON.parse(fs.readFileSync(pkgFile, 'utf8')) as Record<string, unknown>)
    : undefined;
  const name =
    path
      .basename(ws.root)
      .toLowerCase()
      .replace(/[^a-z0-9-]+/g, '-')
      .replace(/^-+|-+$/g, '') || 'ml-course';
  fs.writeFileSync(pkgFile, coursePackageJson(name, courseFiles, existing));
  (existing ? files.updated : files.created).push('package.json');
  return {
    root: ws.root,
    files,
    workflows: [...workflows.keys()],
    course,
    vendored,
    runners: runners.map((r) => r.id),
  };
}

export interface ClassroomOptions {
  cwd: string;
  /** The JSON report of `mlpath check --all --json <file>`. */
  results: string;
  /** The runner ids the workflow's reporter step lists. */
  runners: string;
  curriculum?: string;
  /** Where the step outputs go; default `$GITHUB_OUTPUT`. */
  output?: string;
}

export interface ClassroomRun {
  results: Map<string, ClassroomResult>;
  /** What is wrong, if anything: missing results, or a workflow older than the curriculum. The outputs are written all the same. */
  problems: string[];
  output?: string;
}

function readResults(file: string): { results: ExerciseResult[]; problem?: string } {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch {
    return {
      results: [],
      problem: `${path.basename(file)} was not written: the grading step stopped before grading (its log says why)`,
    };
  }
  try {
    const doc = JSON.parse(text) as { problem?: string };
    const report = checkReportSchema.parse(doc);
    return { results: report.results, problem: typeof doc.problem === 'string' ? doc.problem : undefined };
  } catch (err) {
    return {
      results: [],
      problem: `${path.basename(file)} is not an mlpath report (${(err as Error).message.split('\n')[0]})`,
    };
  }
}

/**
 * Writes one reporter result per runner, whatever happened before: a
 * missing report or a stale workflow gives every runner an `error` result
 * that says why (so the reporter shows it and fails the job), and the
 * problems come back for the CLI to report and exit 1.
 */
export async function classroom(opts: ClassroomOptions): Promise<ClassroomRun> {
  // `id=points`: the workflow also says what each runner is worth, so a course that cannot be read still scores 0 of the right total.
  const listed = opts.runners
    .split(',')
    .map((r) => r.trim())
    .filter(Boolean)
    .map((r) => {
      const [id, worth] = r.split('=');
      const maxScore = worth === undefined ? undefined : Number(worth);
      if (!RUNNER_ID.test(id) || (maxScore !== undefined && !(maxScore >= 0)))
        throw new UsageError(`--runners: '${r}' is not a runner id (letters and digits) with an optional =points`);
      return { id, maxScore };
    });
  if (listed.length === 0) throw new UsageError('--runners is empty: give the ids the reporter step lists');
  const problems: string[] = [];
  let expected: ClassroomRunner[] | undefined;
  let entries: Record<string, string | undefined> = {};
  try {
    const ws = requireWorkspace(opts.cwd);
    const exercises = availableExercises(
      loadCurriculum(curriculumOverride(opts.cwd, opts.curriculum)),
      ws.config.track,
    );
    expected = classroomRunners(exercises);
    entries = Object.fromEntries(exercises.map((e) => [e.key, e.entry]));
  } catch (err) {
    // The grading step has reported this already; the reporter still needs a result per runner.
    if (!(err instanceof MlpathError)) throw err;
    problems.push(err.message);
  }
  const same =
    expected !== undefined &&
    listed.length === expected.length &&
    listed.every(
      (r, i) => r.id === expected[i].id && (r.maxScore === undefined || r.maxScore === expected[i].maxScore),
    );
  if (expected && !same) {
    problems.push(
      `the workflow lists runners ${opts.runners} but the curriculum gives ${runnersArgument(expected)}: the workflow is older than the course; re-run \`mlpath ci init\` and commit`,
    );
  }
  const read = readResults(path.resolve(opts.cwd, opts.results));
  if (read.problem) problems.push(read.problem);
  const known = new Map((expected ?? []).map((r) => [r.id, r]));
  // Runners the curriculum does not give still get a result, so the reporter can read one.
  const runners = listed.map(
    (r) => known.get(r.id) ?? { id: r.id, exercise: r.id, name: r.id, threshold: Infinity, maxScore: r.maxScore ?? 0 },
  );
  const problem = same ? read.problem : problems[0];
  const results = classroomResults(runners, same ? read.results : [], { entries, problem });
  const output = opts.output ? path.resolve(opts.cwd, opts.output) : process.env.GITHUB_OUTPUT;
  if (output) fs.appendFileSync(output, githubOutputLines(results));
  return { results, problems, output };
}
