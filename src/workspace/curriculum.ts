/**
 * Which curriculum a workspace is graded against, and which of its exercises
 * the workspace holds. Grading always uses the curriculum installed with
 * mlpath (or the instructor file named in mlpath.json), never a copy inside
 * the learner's folders, so thresholds cannot be edited away.
 */
import * as path from 'node:path';
import { loadCurriculum, type Curriculum, type LoadedExercise } from '../curriculum';
import type { Workspace } from '.';

export interface WorkspaceCurriculum {
  curriculum: Curriculum;
  /** Set when the workspace was created with another curriculum id or version. */
  mismatch?: string;
}

/**
 * `override` (from `--curriculum` or MLPATH_CURRICULUM) wins over the file
 * named in mlpath.json: in CI the instructor's copy is the one that counts,
 * since a learner can edit mlpath.json.
 */
export function loadWorkspaceCurriculum(ws: Workspace, override?: string): WorkspaceCurriculum {
  const file = override ?? process.env.MLPATH_CURRICULUM ?? ws.curriculumFile;
  const curriculum = loadCurriculum(file ? path.resolve(file) : undefined);
  let mismatch: string | undefined;
  if (ws.config.curriculum !== curriculum.id) {
    mismatch = `this workspace was created for curriculum '${ws.config.curriculum}', but mlpath grades with '${curriculum.id}'`;
  } else if (ws.config.curriculumVersion !== curriculum.version) {
    mismatch = `this workspace was created with curriculum version ${ws.config.curriculumVersion}; grading uses ${curriculum.version} (run \`mlpath start\` to add new exercises)`;
  } else if (ws.config.curriculumHash && ws.config.curriculumHash !== curriculum.hash) {
    mismatch = `the curriculum file changed since this workspace was created (same id and version, different content: sha256 ${curriculum.hash.slice(0, 12)} vs pinned ${ws.config.curriculumHash.slice(0, 12)})`;
  }
  return { curriculum, mismatch };
}

/** Built exercises for a track: shared ones plus the track's own. */
export function availableExercises(curriculum: Curriculum, track: string | undefined): LoadedExercise[] {
  return curriculum.exercises.filter((ex) => ex.status === 'ready' && (!ex.track || ex.track === track));
}
