/**
 * `mlpath gradescope package`: the autograder zip for a Gradescope
 * programming assignment: setup.sh, run_autograder, the course copy (no
 * solutions), mlpath vendored as a tarball, and the instructor's holdouts
 * (the graded child never reads them: see grader/sandbox.ts).
 *
 * `mlpath gradescope run <submission>`: what run_autograder calls. It lays
 * the upload onto a fresh workspace of the course, grades it and always
 * writes results.json: an upload it cannot read, or an mlpath that cannot
 * grade, is a 0 with the reason, never a missing file.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { loadCurriculum, type LoadedExercise } from '../curriculum';
import { MlpathError, UsageError } from '../errors';
import { courseCopy } from '../ci/course';
import { placeUpload, runScript, setupScript, uploadFiles, type AutograderScripts } from '../ci/gradescope';
import { vendorMlpath } from '../ci/vendor';
import { coursePackageJson, pinnedSpecProblem } from '../ci/workflows';
import { zip, type ZipEntry } from '../ci/zip';
import { holdoutFolderFiles } from '../datasets/holdout';
import { formatGradescope, GRADESCOPE_VISIBILITY, type GradescopeVisibility } from '../reporters/gradebook';
import { availableExercises } from '../workspace/curriculum';

export interface PackageOptions {
  cwd: string;
  curriculum: string;
  /** Exercises this assignment grades; default: every ready exercise of the default track. */
  exercises?: string[];
  holdout?: string;
  out?: string;
  visibility?: string;
  /** mlpath's dependency spec instead of the vendored tarball. */
  mlpath?: string;
}

export const packageDefaults = { out: 'autograder.zip', visibility: 'visible' } as const;

export interface PackageResult {
  file: string;
  entries: string[];
  exercises: string[];
  bytes: number;
}

function visibilityOf(v: string | undefined): GradescopeVisibility {
  const value = (v ?? packageDefaults.visibility) as GradescopeVisibility;
  if (!GRADESCOPE_VISIBILITY.includes(value))
    throw new UsageError(`--visibility must be one of ${GRADESCOPE_VISIBILITY.join(', ')}, got '${v}'`);
  return value;
}

function scopeOf(all: LoadedExercise[], ready: LoadedExercise[], ids: string[] | undefined): LoadedExercise[] {
  if (!ids || ids.length === 0) return ready;
  return ids.map((id) => {
    const ex = all.find((e) => e.key === id);
    if (!ex)
      throw new UsageError(
        `no exercise '${id}' in the curriculum`,
        `exercise ids: ${all.map((e) => e.key).join(', ')}`,
      );
    if (ex.status !== 'ready') throw new UsageError(`${id} is planned, not built: it cannot be graded yet`);
    return ex;
  });
}

function tfjsVersion(): string {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- the installed version, read when needed
  return (require('@tensorflow/tfjs/package.json') as { version: string }).version;
}

export async function packageAutograder(opts: PackageOptions): Promise<PackageResult> {
  if (opts.mlpath) {
    const problem = pinnedSpecProblem(opts.mlpath);
    if (problem) throw new UsageError(`--mlpath ${problem}`);
  }
  const visibility = visibilityOf(opts.visibility);
  const curriculum = loadCurriculum(path.resolve(opts.cwd, opts.curriculum));
  const scope = scopeOf(curriculum.exercises, availableExercises(curriculum, curriculum.defaultTrack), opts.exercises);
  const entries: ZipEntry[] = [];
  const copy = courseCopy(curriculum);
  for (const [name, content] of copy.files) entries.push({ name, content });

  let holdout: string | undefined;
  if (opts.holdout) {
    const source = path.resolve(opts.cwd, opts.holdout);
    if (!fs.existsSync(source)) throw new UsageError(`holdout ${source} does not exist`);
    if (fs.statSync(source).isDirectory()) {
      for (const [key, file] of holdoutFolderFiles(source))
        entries.push({ name: `holdouts/${key}${path.extname(file).toLowerCase()}`, content: fs.readFileSync(file) });
      holdout = 'holdouts';
    } else {
      holdout = `holdouts${path.extname(source).toLowerCase() || '.csv'}`;
      entries.push({ name: holdout, content: fs.readFileSync(source) });
    }
  }

  let spec = opts.mlpath;
  if (!spec) {
    const stage = fs.mkdtempSync(path.join(os.tmpdir(), 'mlpath-gradescope-'));
    try {
      const packed = vendorMlpath(stage);
      entries.push({ name: packed.file, content: fs.readFileSync(path.join(stage, packed.file)) });
      spec = packed.spec;
    } finally {
      fs.rmSync(stage, { recursive: true, force: true });
    }
  }
  entries.push({
    name: 'package.json',
    content: Buffer.from(coursePackageJson('mlpath-autograder', { mlpathSpec: spec, tfjsNodeVersion: tfjsVersion() })),
  });
  const scripts: AutograderScripts = {
    curriculum: copy.file,
    sha256: curriculum.hash,
    exercises: opts.exercises?.length ? scope.map((e) => e.key) : [],
    holdout,
    visibility,
    datasets: [...new Set(scope.flatMap((e) => (e.dataset ? [e.dataset.id] : [])))],
  };
  entries.push({ name: 'setup.sh', content: Buffer.from(setupScript(scripts)), mode: 0o755 });
  entries.push({ name: 'run_autograder', content: Buffer.from(runScript(scripts)), mode: 0o755 });
  const out = path.resolve(opts.cwd, opts.out ?? packageDefaults.out);
  const archive = zip(entries);
  fs.mkdirSync(path.dirname(out), { recursive: true });
  fs.writeFileSync(out, archive);
  return { file: out, entries: entries.map((e) => e.name), exercises: scope.map((e) => e.key), bytes: archive.length };
}

export interface AutograderRunOptions {
  cwd: string;
  submission: string;
  results: string;
  curriculum: string;
  curriculumSha256?: string;
  exercises?: string[];
  holdout?: string;
  visibility?: string;
  backend?: string;
}

export interface AutograderRun {
  results: string;
  score: number;
  graded: string[];
  /** What the student sees above the tests. */
  notes: string[];
  /** What only the instructor's log (run_autograder's stdout) gets. */
  log: string[];
  failure?: string;
}

function copyInto(from: string, to: string): void {
  fs.mkdirSync(path.dirname(to), { recursive: true });
  fs.copyFileSync(from, to);
}

export async function runAutograder(opts: AutograderRunOptions): Promise<AutograderRun> {
  const started = Date.now();
  const resultsFile = path.resolve(opts.cwd, opts.results);
  const visibility = GRADESCOPE_VISIBILITY.includes(opts.visibility as GradescopeVisibility)
    ? (opts.visibility as GradescopeVisibility)
    : 'visible';
  let scope: LoadedExercise[] = [];
  const notes: string[] = [];
  const log: string[] = [];
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'mlpath-autograder-'));
  const write = (text: string): void => {
    fs.mkdirSync(path.dirname(resultsFile), { recursive: true });
    fs.writeFileSync(resultsFile, text);
  };
  try {
    const curriculumFile = path.resolve(opts.cwd, opts.curriculum);
    const curriculum = loadCurriculum(curriculumFile);
    scope = scopeOf(curriculum.exercises, availableExercises(curriculum, curriculum.defaultTrack), opts.exercises);
    const submission = path.resolve(opts.cwd, opts.submission);
    const files = fs.existsSync(submission) ? uploadFiles(submission) : [];
    const placement = placeUpload(files, scope);
    notes.push(...placement.notes);
    const { run: start } = await import('./start');
    const started2 = await start({ cwd: tmp, dir: 'workspace', curriculum: curriculumFile });
    for (const [from, to] of placement.placed) copyInto(path.join(submission, from), path.join(started2.root, to));
    const graded = scope.filter((e) => placement.exercises.has(e.key));
    const missing = scope.filter((e) => !placement.exercises.has(e.key));
    const expected = missing.map((e) => ({
      key: e.key,
      points: e.points,
      why: files.length
        ? `nothing was uploaded for it (expected e.g. ${e.key}/${e.entry ?? 'train.ts'})`
        : 'the submission is empty',
    }));
    let results: import('../grader/result').ExerciseResult[] = [];
    if (graded.length) {
      const { run: check } = await import('./check');
      const report = await check({
        cwd: started2.root,
        ids: graded.map((e) => e.key),
        curriculum: curriculumFile,
        curriculumSha256: opts.curriculumSha256,
        holdout: opts.holdout ? path.resolve(opts.cwd, opts.holdout) : undefined,
        backend: opts.backend,
        record: false,
      });
      results = report.results;
      // For the instructor's log only: warnings name holdout files and paths of the image.
      log.push(...report.warnings.map((w) => `warning: ${w}`));
    }
    const doc = formatGradescope(results, {
      visibility,
      executionTime: (Date.now() - started) / 1000,
      output: notes.join('\n'),
      expected,
    });
    write(doc);
    return {
      results: resultsFile,
      score: (JSON.parse(doc) as { score: number }).score,
      graded: graded.map((e) => e.key),
      notes,
      log,
    };
  } catch (err) {
    // Any failure of mlpath's own is still a result: 0, with the reason and what to tell the instructor.
    const message = err instanceof MlpathError ? err.message : `internal error: ${(err as Error).message}`;
    write(
      formatGradescope([], {
        failure: message,
        visibility,
        executionTime: (Date.now() - started) / 1000,
        output: notes.join('\n'),
        expected: scope.map((e) => ({ key: e.key, points: e.points })),
      }),
    );
    return { results: resultsFile, score: 0, graded: [], notes, log, failure: message };
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}
