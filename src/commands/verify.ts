/**
 * `mlpath validate --solutions`: the curriculum self-check an instructor
 * runs on their own course. For every built exercise, the untouched starter
 * must not pass and the reference solution must, graded by the same code as
 * a learner's work, in a scratch workspace per track.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { defaultCurriculumPath, loadCurriculum } from '../curriculum';
import type { ExerciseResult } from '../grader/result';

export interface VerifyOptions {
  cwd: string;
  file?: string;
  only?: string[];
  onRow?: (row: VerifyRow) => void;
}

export interface VerifyRow {
  exercise: string;
  starter: ExerciseResult;
  reference: ExerciseResult;
  ok: boolean;
}

export interface VerifyResult {
  file: string;
  rows: VerifyRow[];
  verified: number;
}

function copyTree(from: string, to: string): void {
  for (const entry of fs.readdirSync(from, { withFileTypes: true })) {
    const src = path.join(from, entry.name);
    const dst = path.join(to, entry.name);
    if (entry.isDirectory()) {
      fs.mkdirSync(dst, { recursive: true });
      copyTree(src, dst);
    } else {
      fs.copyFileSync(src, dst);
    }
  }
}

export async function run(opts: VerifyOptions): Promise<VerifyResult> {
  const file = path.resolve(opts.cwd, opts.file ?? defaultCurriculumPath());
  const curriculum = loadCurriculum(file);
  const { run: start } = await import('./start');
  const { run: check } = await import('./check');
  const ready = curriculum.exercises.filter((e) => e.status === 'ready' && (!opts.only || opts.only.includes(e.key)));
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'mlpath-verify-'));
  const workspaces = new Map<string, string>();
  const rows: VerifyRow[] = [];
  try {
    for (const ex of ready) {
      const track = ex.track ?? curriculum.defaultTrack ?? '';
      let ws = workspaces.get(track);
      if (!ws) {
        ws = path.join(tmp, `ws-${track || 'default'}`);
        await start({ cwd: tmp, dir: ws, curriculum: file, track: track || undefined });
        workspaces.set(track, ws);
      }
      const grade = async (): Promise<ExerciseResult> =>
        (await check({ cwd: ws!, ids: [ex.key], record: false, curriculum: file })).results[0];
      const starter = await grade();
      if (ex.solutionDir) copyTree(ex.solutionDir, path.join(ws, ...ex.key.split('/')));
      const reference = await grade();
      const row = { exercise: ex.key, starter, reference, ok: starter.status !== 'passed' && reference.status === 'passed' };
      rows.push(row);
      opts.onRow?.(row);
    }
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
  return { file, rows, verified: rows.filter((r) => r.ok).length };
}
