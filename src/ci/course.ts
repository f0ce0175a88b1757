/**
 * The course as learners receive it: the instructor's curriculum file,
 * byte for byte (so its SHA-256, pinned in every workspace, is the one the
 * instructor grades with), and the starter folders it names, laid out as
 * beside the original. Reference solutions stay with the instructor: each
 * solution folder is a placeholder README, which is all the curriculum's
 * folder rule asks of it.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Curriculum } from '../curriculum';
import { UsageError } from '../errors';
import { templateFiles } from '../scaffold';

/** The folder of a template repository that holds the course copy. */
export const COURSE_DIR = 'course';

const PLACEHOLDER = `# Reference solution

Kept by your instructor: it is not part of the course you received.
\`mlpath solution <id>\` shows it once your own solution passes, where your course provides it.
`;

const COURSE_README = `# The course

A copy of the course as your instructor wrote it: the curriculum file and the
starter folders. Grading uses this copy and checks it against the SHA-256 it
had when the course was published: editing it does not change a threshold,
it makes every result an error. Work in the exercise folders instead.
`;

function commonDir(dirs: string[]): string {
  let common = dirs[0];
  for (const dir of dirs.slice(1)) {
    while (path.relative(common, dir).startsWith('..') || path.isAbsolute(path.relative(common, dir)))
      common = path.dirname(common);
  }
  return common;
}

function posix(rel: string): string {
  return rel.split(path.sep).join('/');
}

export interface CourseCopy {
  /** Repository-relative path of the copied curriculum file. */
  file: string;
  /** Repository-relative path -> content. */
  files: Map<string, Buffer>;
}

/** The files of the course copy under `COURSE_DIR/`, keyed by repository-relative path. */
export function courseCopy(curriculum: Curriculum): CourseCopy {
  const templates = curriculum.exercises.flatMap((e) => (e.templateDir ? [e.templateDir] : []));
  const solutions = curriculum.exercises.flatMap((e) => (e.solutionDir ? [e.solutionDir] : []));
  const base = commonDir([curriculum.dir, ...templates, ...solutions]);
  if (base === path.parse(base).root) {
    throw new UsageError(
      `the curriculum ${curriculum.file} and its exercise folders share no folder but the root, so they cannot be copied side by side`,
      'keep the starter and solution folders under the folder of the curriculum file',
    );
  }
  const under = (abs: string): string => posix(path.join(COURSE_DIR, path.relative(base, abs)));
  const file = under(curriculum.file);
  const files = new Map<string, Buffer>();
  files.set(posix(path.join(COURSE_DIR, 'README.md')), Buffer.from(COURSE_README));
  files.set(file, fs.readFileSync(curriculum.file));
  for (const dir of new Set(templates)) {
    for (const [rel, content] of templateFiles(dir, under(dir))) files.set(rel, content);
  }
  for (const dir of new Set(solutions)) {
    const readme = `${under(dir)}/README.md`;
    if (!templates.some((t) => t === dir) && !files.has(readme)) files.set(readme, Buffer.from(PLACEHOLDER));
  }
  return { file, files };
}
