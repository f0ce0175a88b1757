/**
 * `mlpath ci init`: make a workspace a course repository that grades itself
 * in CI. Writes the workflow files and the package.json (merged with an
 * existing one); never overwrites a workflow file the instructor changed.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { UsageError } from '../errors';
import { classroomWorkflow, coursePackageJson, gradingWorkflow, type CourseFilesOptions } from '../ci/workflows';
import { emptyReport, writeFiles, type ScaffoldReport } from '../scaffold';
import { mlpathVersion } from '../version';
import { requireWorkspace } from '../workspace';
import { availableExercises, loadWorkspaceCurriculum } from '../workspace/curriculum';

export interface CiInitOptions {
  cwd: string;
  provider?: string;
  classroom?: boolean;
}

export const ciInitDefaults = { provider: 'github', classroom: true } as const;

export interface CiInitResult {
  root: string;
  files: ScaffoldReport;
  workflows: string[];
}

function tfjsVersion(): string {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return (require('@tensorflow/tfjs/package.json') as { version: string }).version;
}

export async function init(opts: CiInitOptions): Promise<CiInitResult> {
  const provider = opts.provider ?? ciInitDefaults.provider;
  if (provider !== 'github') throw new UsageError(`unknown CI provider '${provider}': only 'github' is supported`);
  const ws = requireWorkspace(opts.cwd);
  const { curriculum } = loadWorkspaceCurriculum(ws);
  const course: CourseFilesOptions = {
    mlpathVersion: mlpathVersion(),
    tfjsNodeVersion: tfjsVersion(),
    curriculumArg: ws.config.curriculumFile,
  };
  const files = new Map<string, string>();
  const grading = '.github/workflows/mlpath.yml';
  files.set(grading, gradingWorkflow(course));
  const workflows = [grading];
  if (opts.classroom ?? ciInitDefaults.classroom) {
    const classroom = '.github/workflows/classroom.yml';
    files.set(classroom, classroomWorkflow(course, availableExercises(curriculum, ws.config.track)));
    workflows.push(classroom);
  }
  const report = writeFiles(ws.root, files, emptyReport());
  const pkgFile = path.join(ws.root, 'package.json');
  const existing = fs.existsSync(pkgFile) ? (JSON.parse(fs.readFileSync(pkgFile, 'utf8')) as Record<string, unknown>) : undefined;
  const name = path.basename(ws.root).toLowerCase().replace(/[^a-z0-9-]+/g, '-') || 'ml-course';
  fs.writeFileSync(pkgFile, coursePackageJson(name, course, existing));
  (existing ? report.updated : report.created).push('package.json');
  return { root: ws.root, files: report, workflows };
}
