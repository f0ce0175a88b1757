/** Runs the built CLI the way a learner or CI would, and makes fixture workspaces. */
import { spawnSync, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

export const ROOT = path.resolve(__dirname, '..', '..');
export const BIN = path.join(ROOT, 'bin', 'mlpath');
export const COURSE = path.join(ROOT, 'test', 'fixtures', 'course', 'curriculum.yaml');
export const SUBMISSIONS = path.join(ROOT, 'test', 'fixtures', 'submissions');

export interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
  ms: number;
}

export function runCli(args: string[], cwd: string, env: NodeJS.ProcessEnv = {}): CliRun {
  const t0 = Date.now();
  const r = spawnSync(process.execPath, [BIN, ...args], {
    cwd,
    env: { ...process.env, NO_COLOR: '1', GITHUB_ACTIONS: '', ...env },
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr, ms: Date.now() - t0 };
}

export function runCliAsync(args: string[], cwd: string, env: NodeJS.ProcessEnv = {}): Promise<CliRun> {
  const t0 = Date.now();
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [BIN, ...args], {
      cwd,
      env: { ...process.env, NO_COLOR: '1', GITHUB_ACTIONS: '', ...env },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('close', (code) => resolve({ code, stdout, stderr, ms: Date.now() - t0 }));
  });
}

export function tempDir(prefix = 'mlpath-test-'): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

/** A fresh workspace of the built-in curriculum, or of the fixture course. */
export function makeWorkspace(opts: { course?: boolean } = {}): string {
  const ws = path.join(tempDir(), 'ws');
  const args = ['start', ws, '--yes', ...(opts.course ? ['--curriculum', COURSE] : [])];
  const r = runCli(args, ROOT);
  if (r.code !== 0) throw new Error(`mlpath start failed: ${r.stderr}`);
  return ws;
}

/** Copies a submission file over an exercise's entry. */
export function submit(ws: string, exercise: string, submission: string, entry = 'train.ts'): void {
  const dir = path.join(ws, ...exercise.split('/'));
  fs.copyFileSync(path.join(SUBMISSIONS, submission), path.join(dir, entry));
  fs.copyFileSync(path.join(SUBMISSIONS, 'helper.ts'), path.join(dir, 'helper.ts'));
}

export interface JsonResult {
  exercise: string;
  status: 'passed' | 'failed' | 'error';
  metrics: { name: string; value: number | null; passed: boolean; std?: number; values?: number[] }[];
  error: { kind: string; message: string; file?: string; line?: number } | null;
  backend: string;
  output?: string;
  seeds?: number[];
  durationMs: number;
}

export function parseReport(stdout: string): { results: JsonResult[]; passed: number; failed: number; errors: number } {
  return JSON.parse(stdout);
}

/**
 * Harness processes whose grader is gone (orphans). Other test files may be
 * grading at the same moment, so a live harness with a live node parent is
 * not a leak; one re-parented to init (or to a non-node subreaper) is.
 */
export function harnessProcesses(): string[] {
  try {
    const out = spawnSync('ps', ['-eo', 'pid=,ppid=,args='], { encoding: 'utf8' }).stdout;
    return out.split('\n').filter((line) => {
      if (!line.includes('grader/child.cjs')) return false;
      const ppid = line.trim().split(/\s+/)[1];
      try {
        return !fs.readFileSync(`/proc/${ppid}/cmdline`, 'utf8').includes('node');
      } catch {
        return true;
      }
    });
  } catch {
    return [];
  }
}
