/**
 * Which curriculum a workspace is graded against, and which of its exercises
 * the workspace holds.
 *
 * A learner controls everything in the workspace, mlpath.json included, so a
 * curriculum file that mlpath.json names is a convenience for the learner's
 * own terminal and nothing more. In CI and in `mlpath grade` the curriculum
 * is the one installed with mlpath or the instructor's file given with
 * `--curriculum` / MLPATH_CURRICULUM; a workspace that names its own file
 * there is refused rather than graded with the built-in curriculum, whose
 * exercises are not the course's.
 *
 * The pin (curriculum id, version and sha256 in mlpath.json) says which
 * curriculum the workspace was made for. It is a consistency check, not the
 * lock: the learner can rewrite it, but a broken pin can only cost points.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { defaultCurriculumPath, loadCurriculum, type Curriculum, type LoadedExercise } from '../curriculum';
import { UsageError } from '../errors';
import type { CurriculumStamp, ExerciseResult } from '../grader/result';
import type { Workspace } from '.';

export type CurriculumSource = CurriculumStamp['source'];

export interface WorkspaceCurriculum {
  curriculum: Curriculum;
  source: CurriculumSource;
  /** Set when the workspace was created with another curriculum id, version or file. */
  mismatch?: string;
  /** The mismatch means other goalposts: every result becomes an error of kind `curriculum`. */
  pinBroken: boolean;
  /** What a grader should know about the choice (a workspace-named file, an override inside the workspace). */
  warnings: string[];
}

export interface CurriculumChoice {
  /** `--curriculum`, already resolved; MLPATH_CURRICULUM is read when it is absent. */
  override?: string;
  /** Grading that counts (CI, `mlpath grade`): never use the file mlpath.json names. */
  strict?: boolean;
  /**
   * `--curriculum-sha256` / MLPATH_CURRICULUM_SHA256: the SHA-256 the grading
   * curriculum must have (a course copy inside the learner's repository);
   * any other content breaks the pin, so every result is an error.
   */
  expectSha256?: string;
}

/**
 * CI services set one of these; a learner's own terminal sets none.
 * MLPATH_GRADING=1 does the same for an autograder that sets none (and for
 * the checks `mlpath grade` spawns).
 */
export const CI_VARIABLES = [
  'CI',
  'GITHUB_ACTIONS',
  'GITLAB_CI',
  'BUILDKITE',
  'CIRCLECI',
  'TRAVIS',
  'JENKINS_URL',
  'TF_BUILD',
  'TEAMCITY_VERSION',
  'BITBUCKET_BUILD_NUMBER',
  'CODEBUILD_BUILD_ID',
  'DRONE',
  'APPVEYOR',
  'MLPATH_GRADING',
] as const;

export function gradingStrictly(env: NodeJS.ProcessEnv = process.env): boolean {
  return CI_VARIABLES.some((name) => {
    const value = env[name];
    return value !== undefined && !['', '0', 'false'].includes(value.toLowerCase());
  });
}

/** `--curriculum` or MLPATH_CURRICULUM as an absolute path, resolved against `cwd`; undefined for the built-in one. */
export function curriculumOverride(cwd: string, flag?: string): string | undefined {
  const file = flag || process.env.MLPATH_CURRICULUM || undefined;
  return file ? path.resolve(cwd, file) : undefined;
}

function samePath(a: string, b: string): boolean {
  const real = (p: string): string => {
    try {
      return fs.realpathSync(p);
    } catch {
      return path.resolve(p);
    }
  };
  return real(a) === real(b);
}

function inside(file: string, dir: string): boolean {
  const rel = path.relative(dir, file);
  return rel !== '' && !rel.startsWith('..') && !path.isAbsolute(rel);
}

export function loadWorkspaceCurriculum(ws: Workspace, choice: CurriculumChoice = {}): WorkspaceCurriculum {
  const override = curriculumOverride(process.cwd(), choice.override);
  const named = ws.config.curriculumFile;
  if (choice.strict && !override && ws.curriculumFile && !samePath(ws.curriculumFile, defaultCurriculumPath())) {
    throw new UsageError(
      `mlpath.json names its own curriculum file (${named}), and a learner can edit both, so CI and \`mlpath grade\` never grade with it: pass \`--curriculum <the instructor's copy>\` or set MLPATH_CURRICULUM`,
      "keep that copy outside the learner's repository, e.g. checked out from the instructor repository by the workflow",
    );
  }
  const file = override ?? (choice.strict ? undefined : ws.curriculumFile);
  const curriculum = loadCurriculum(file);
  const source: CurriculumSource =
    !file || samePath(file, defaultCurriculumPath()) ? 'built-in' : override ? 'override' : 'workspace';
  const warnings: string[] = [];
  const expected = (choice.expectSha256 ?? process.env.MLPATH_CURRICULUM_SHA256 ?? '').trim().toLowerCase();
  // A workspace's own curriculum file grades the learner's local checks only (its results say \`source: workspace\`);
  // it must match the pinned hash (below), and CI and \`mlpath grade\` never use it, so a line on every check would be noise.
  if (source === 'override' && choice.strict && override && inside(override, ws.root) && !expected) {
    // With an expected SHA-256 the copy is checked below: an edited one breaks the pin.
    warnings.push(
      `the curriculum ${path.relative(ws.root, override)} lies inside the workspace, which the learner controls; grade with a copy from outside it`,
    );
  }
  if (expected && expected !== curriculum.hash) {
    const where = file ? path.relative(ws.root, file) || file : 'the built-in curriculum';
    return {
      curriculum,
      source,
      warnings,
      pinBroken: true,
      mismatch: `${where} is not the course's curriculum (sha256 ${curriculum.hash.slice(0, 12)}, expected ${expected.slice(0, 12)}): restore it from the course (git checkout -- ${where})`,
    };
  }
  return { curriculum, source, warnings, ...checkPin(ws, curriculum, source) };
}

/**
 * Rule: a different curriculum id is always a broken pin (other exercises).
 * For an instructor's file (override or workspace-named), a different
 * version or sha256, or no sha256 at all, is broken too: the course the
 * workspace was made for is not the one grading it. The built-in curriculum
 * legitimately changes when mlpath is upgraded, so there a different version
 * or sha256 only warns.
 */
function checkPin(
  ws: Workspace,
  curriculum: Curriculum,
  source: CurriculumSource,
): { mismatch?: string; pinBroken: boolean } {
  const pin = ws.config;
  const instructorFile = source !== 'built-in';
  const repin =
    source === 'built-in'
      ? 'run `mlpath start` to add new exercises'
      : 'if the course file changed on purpose, `mlpath start` in the workspace pins the new one';
  if (pin.curriculum !== curriculum.id) {
    return {
      pinBroken: true,
      mismatch: `this workspace was created for curriculum '${pin.curriculum}', but it is graded with '${curriculum.id}'`,
    };
  }
  if (pin.curriculumVersion !== curriculum.version) {
    return {
      pinBroken: instructorFile,
      mismatch: `this workspace was created with curriculum version ${pin.curriculumVersion}; grading uses ${curriculum.version} (${repin})`,
    };
  }
  if (!pin.curriculumHash) {
    return instructorFile
      ? {
          pinBroken: true,
          mismatch: `mlpath.json pins no curriculumHash, so nothing shows this workspace was made with the curriculum grading it (sha256 ${curriculum.hash.slice(0, 12)}); ${repin}`,
        }
      : { pinBroken: false };
  }
  if (pin.curriculumHash !== curriculum.hash) {
    return {
      pinBroken: instructorFile,
      mismatch: `the curriculum file changed since this workspace was created (same id and version, different content: sha256 ${curriculum.hash.slice(0, 12)} vs pinned ${pin.curriculumHash.slice(0, 12)}); ${repin}`,
    };
  }
  return { pinBroken: false };
}

export function curriculumStamp(wc: WorkspaceCurriculum): CurriculumStamp {
  return { id: wc.curriculum.id, version: wc.curriculum.version, sha256: wc.curriculum.hash, source: wc.source };
}

/** The result of an exercise left ungraded because the pin is broken: an error, no points. */
export function pinBrokenResult(ex: LoadedExercise, wc: WorkspaceCurriculum, backend: string): ExerciseResult {
  return {
    exercise: ex.key,
    status: 'error',
    metrics: [],
    seed: ex.seeds[0],
    backend,
    durationMs: 0,
    error: { kind: 'curriculum', message: `not graded: ${wc.mismatch}` },
    curriculum: curriculumStamp(wc),
  };
}

/** Built exercises for a track: shared ones plus the track's own. */
export function availableExercises(curriculum: Curriculum, track: string | undefined): LoadedExercise[] {
  return curriculum.exercises.filter((ex) => ex.status === 'ready' && (!ex.track || ex.track === track));
}
