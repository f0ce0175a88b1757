/**
 * Which curriculum a workspace is graded against, and which of its exercises
 * the workspace holds. Grading always uses the curriculum installed with
 * mlpath (or the instructor file named in mlpath.json), never a copy inside
 * the learner's folders, so thresholds cannot be edited away.
 */
import { loadCurriculum, type Curriculum, type LoadedExercise } from '../curriculum';
import type { Workspace } from '.';

export interface WorkspaceCurriculum {
  curriculum: Curriculum;
  /** Set when the workspace was created with another curriculum id or version. */
  mismatch?: string;
}

export function loadWorkspaceCurriculum(ws: Workspace): WorkspaceCurriculum {
  const curriculum = loadCurriculum(ws.curriculumFile);
  let mismatch: string | undefined;
  if (ws.config.curriculum !== curriculum.id) {
    mismatch = `this workspace was created for curriculum '${ws.config.curriculum}', but mlpath grades with '${curriculum.id}'`;
  } else if (ws.config.curriculumVersion !== curriculum.version) {
    mismatch = `this workspace was created with curriculum version ${ws.config.curriculumVersion}; grading uses ${curriculum.version} (run \`mlpath start\` to add new exercises)`;
  }
  return { curriculum, mismatch };
}

/** Built exercises for a track: shared ones plus the track's own. */
export function availableExercises(curriculum: Curriculum, track: string | undefined): LoadedExercise[] {
  return curriculum.exercises.filter((ex) => ex.status === 'ready' && (!ex.track || ex.track === track));
}
