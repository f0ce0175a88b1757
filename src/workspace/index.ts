/**
 * A workspace is a folder with `mlpath.json`. Commands find it by walking up
 * from the current directory, like git finds `.git`.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { z } from 'zod';
import { WorkspaceError } from '../errors';

export const WORKSPACE_FILE = 'mlpath.json';

export const workspaceConfigSchema = z
  .object({
    curriculum: z.string(),
    curriculumVersion: z.string(),
    curriculumHash: z.string().optional(),
    curriculumFile: z.string().optional(),
    track: z.string().optional(),
    createdWith: z.string().optional(),
  })
  .passthrough();
export type WorkspaceConfig = z.infer<typeof workspaceConfigSchema>;

export interface Workspace {
  root: string;
  config: WorkspaceConfig;
  /** Absolute path of the curriculum file this workspace names, if not the built-in one. */
  curriculumFile?: string;
}

export function findWorkspaceRoot(cwd: string): string | undefined {
  let dir = path.resolve(cwd);
  for (;;) {
    if (fs.existsSync(path.join(dir, WORKSPACE_FILE))) return dir;
    const parent = path.dirname(dir);
    if (parent === dir) return undefined;
    dir = parent;
  }
}

export function readWorkspace(root: string): Workspace {
  const file = path.join(root, WORKSPACE_FILE);
  let raw: unknown;
  try {
    raw = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (err) {
    throw new WorkspaceError(
      `${file} is not valid JSON (${(err as Error).message})`,
      'fix it by hand, or move it away and run `mlpath start` to write a new one',
    );
  }
  const parsed = workspaceConfigSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new WorkspaceError(
      `${file}: ${issue.path.join('.') || '(root)'}: ${issue.message}`,
      'fix it, or move it away and run `mlpath start`',
    );
  }
  const config = parsed.data;
  return {
    root,
    config,
    curriculumFile: config.curriculumFile ? path.resolve(root, config.curriculumFile) : undefined,
  };
}

export function requireWorkspace(cwd: string): Workspace {
  const root = findWorkspaceRoot(cwd);
  if (!root) {
    throw new WorkspaceError(
      `no mlpath workspace here (no ${WORKSPACE_FILE} in ${path.resolve(cwd)} or above)`,
      'run `mlpath start` to create one',
    );
  }
  return readWorkspace(root);
}

export function exerciseDir(ws: Workspace, key: string): string {
  return path.join(ws.root, ...key.split('/'));
}
