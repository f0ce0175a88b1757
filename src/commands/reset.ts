/**
 * `mlpath reset <id>` / `--all`: put the starter files back. Every learner
 * file that would change is first copied to `.mlpath/backups/<time>/`, with
 * its workspace path, so a reset can always be undone by hand. Files the
 * learner added are left where they are; progress is kept.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { LoadedExercise } from '../curriculum';
import { UsageError } from '../errors';
import { emptyReport, templateFiles, writeFiles } from '../scaffold';
import { requireWorkspace } from '../workspace';
import { availableExercises, loadWorkspaceCurriculum } from '../workspace/curriculum';
import { availableExercise, exerciseAt } from './target';

export interface ResetOptions {
  cwd: string;
  ids: string[];
  all?: boolean;
  /** Names the backup folder; tests pass a fixed time. */
  now?: Date;
  /**
   * Asked with the learner files that would be replaced (workspace-relative)
   * before anything is written; false leaves everything as it is.
   */
  confirm?: (changing: string[]) => Promise<boolean>;
}

export const resetDefaults = { all: false } as const;

export interface ResetExercise {
  exercise: string;
  /** Workspace-relative paths copied to the backup folder. */
  backedUp: string[];
  /** Starter files written (changed or missing before). */
  restored: string[];
}

export interface ResetResult {
  root: string;
  /** The learner declined at the confirmation: nothing was written. */
  declined?: boolean;
  /** Absolute path of the backup folder; absent when nothing needed backing up. */
  backupDir?: string;
  exercises: ResetExercise[];
}

function stampOf(now: Date): string {
  return now.toISOString().replace(/[:.]/g, '-');
}

function freshBackupDir(root: string, now: Date): string {
  const base = path.join(root, '.mlpath', 'backups', stampOf(now));
  let dir = base;
  for (let i = 2; fs.existsSync(dir); i++) dir = `${base}-${i}`;
  return dir;
}

export async function run(opts: ResetOptions): Promise<ResetResult> {
  const ws = requireWorkspace(opts.cwd);
  const { curriculum } = loadWorkspaceCurriculum(ws);
  const available = availableExercises(curriculum, ws.config.track);
  let chosen: LoadedExercise[];
  if (opts.all ?? resetDefaults.all) {
    if (opts.ids.length) throw new UsageError('give exercise ids or --all, not both');
    chosen = available;
  } else if (opts.ids.length) {
    chosen = [...new Set(opts.ids.map((id) => availableExercise(curriculum, available, id, ws.config.track)))];
  } else {
    const here = exerciseAt(ws, opts.cwd, available);
    if (!here)
      throw new UsageError(
        `which exercise? e.g. \`mlpath reset ${available[0]?.key ?? 'month2/mnist'}\` (or --all)`,
        '`mlpath status` lists the exercises of this workspace',
      );
    chosen = [here];
  }

  // Per exercise, its starter files and the learner files they would replace: found once, used by both steps.
  const plans = chosen.flatMap((ex) => {
    if (!ex.templateDir) return [];
    const files = templateFiles(ex.templateDir, ex.key);
    const changing = [...files]
      .filter(([rel, content]) => {
        const target = path.join(ws.root, rel);
        return fs.existsSync(target) && !fs.readFileSync(target).equals(content);
      })
      .map(([rel]) => rel);
    return [{ ex, files, changing }];
  });
  const changing = plans.flatMap((p) => p.changing);
  if (opts.confirm && changing.length && !(await opts.confirm(changing)))
    return { root: ws.root, declined: true, exercises: [] };

  let backupDir: string | undefined;
  const exercises: ResetExercise[] = [];
  for (const { ex, files, changing: replaced } of plans) {
    for (const rel of replaced) {
      backupDir ??= freshBackupDir(ws.root, opts.now ?? new Date());
      const copy = path.join(backupDir, rel);
      fs.mkdirSync(path.dirname(copy), { recursive: true });
      fs.copyFileSync(path.join(ws.root, rel), copy);
    }
    const report = writeFiles(ws.root, files, emptyReport(), true);
    exercises.push({ exercise: ex.key, backedUp: replaced, restored: [...report.created, ...report.updated] });
  }
  return { root: ws.root, backupDir, exercises };
}
