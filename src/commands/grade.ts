/**
 * `mlpath grade <workspace>...`: grade a class. Each workspace is checked by
 * its own `mlpath check --all --json` process, exactly as the learner would
 * run it, several at a time; one crash or hang never costs the others, and
 * every CSV row is written as soon as its workspace is done.
 *
 * No argument aborts the class: a file, a missing path or a folder without
 * mlpath.json becomes a row saying so. Grading writes nothing into a
 * submission (`check --no-record`), so read-only copies grade like any other;
 * everything the instructor asked for is written beside, by this process.
 */
import { spawn, type ChildProcessByStdio } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Readable } from 'node:stream';
import { loadCurriculum } from '../curriculum';
import { UsageError } from '../errors';
import { checkReportSchema } from '../grader/result';
import { packageRoot } from '../grader/sandbox';
import { WORKSPACE_FILE } from '../workspace';
import { curriculumOverride } from '../workspace/curriculum';
import { csvHeader, csvRow, formatGradescope, type WorkspaceGrade } from '../reporters/gradebook';

export interface GradeOptions {
  cwd: string;
  workspaces: string[];
  jobs?: number;
  csv?: string;
  json?: string;
  gradescope?: string;
  curriculum?: string;
  holdout?: string;
  backend?: string;
  onProgress?: (done: number, total: number, last: WorkspaceGrade) => void;
}

export interface GradeRun {
  grades: WorkspaceGrade[];
  exercises: string[];
  jobs: number;
  durationMs: number;
}

function cores(): number {
  return typeof os.availableParallelism === 'function' ? os.availableParallelism() : os.cpus().length;
}

/** Bounded by cores and by memory: each check may take up to ~1.5 GB. */
export function defaultJobs(): number {
  const byMemory = Math.floor(os.freemem() / (1536 * 1024 * 1024));
  return Math.max(1, Math.min(cores(), byMemory));
}

/**
 * Why `dir` is not a workspace to grade, or undefined when it is one. Only
 * the folder itself counts: `check` would walk up and grade an enclosing
 * workspace instead.
 */
export function notAWorkspace(dir: string): string | undefined {
  let stat: fs.Stats;
  try {
    stat = fs.statSync(dir);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    return code === 'ENOENT' || code === 'ENOTDIR' ? `${dir} does not exist` : `cannot read ${dir} (${code ?? (err as Error).message})`;
  }
  if (!stat.isDirectory()) return `${dir} is a file, not a workspace folder`;
  if (!fs.existsSync(path.join(dir, WORKSPACE_FILE))) return `no mlpath workspace in ${dir} (no ${WORKSPACE_FILE})`;
  return undefined;
}

function gradeOne(workspace: string, opts: GradeOptions, budgetMs: number, seedJobs: number): Promise<WorkspaceGrade> {
  const started = Date.now();
  const problem = notAWorkspace(workspace);
  if (problem) return Promise.resolve({ workspace, results: [], failure: problem, durationMs: 0 });
  const args = [path.join(packageRoot(), 'bin', 'mlpath'), 'check', '--all', '--json', '--quiet', '--no-record'];
  // Resolved here, not in the workspace: a relative MLPATH_CURRICULUM would otherwise name a learner's file.
  const curriculumFile = curriculumOverride(opts.cwd, opts.curriculum);
  if (curriculumFile) args.push('--curriculum', curriculumFile);
  if (opts.holdout) args.push('--holdout', path.resolve(opts.cwd, opts.holdout));
  if (opts.backend) args.push('--backend', opts.backend);
  return new Promise((resolve) => {
    let guard: NodeJS.Timeout | undefined;
    let settled = false;
    const settle = (grade: Omit<WorkspaceGrade, 'workspace' | 'durationMs'>): void => {
      if (settled) return;
      settled = true;
      clearTimeout(guard);
      resolve({ workspace, durationMs: Date.now() - started, ...grade });
    };
    // A workspace removed or made unreadable since the look above fails to spawn: its row says so.
    const spawnFailed = (err: Error): void => settle({ results: [], failure: `could not run mlpath check in ${workspace}: ${err.message}` });
    let child: ChildProcessByStdio<null, Readable, Readable>;
    try {
      child = spawn(process.execPath, args, { cwd: workspace, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, GITHUB_ACTIONS: '', MLPATH_GRADING: '1', MLPATH_SEED_JOBS: process.env.MLPATH_SEED_JOBS ?? String(seedJobs) } });
    } catch (err) {
      spawnFailed(err as Error);
      return;
    }
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => {
      stdout += d.toString('utf8');
    });
    child.stderr.on('data', (d: Buffer) => {
      if (stderr.length < 8192) stderr += d.toString('utf8');
    });
    guard = setTimeout(() => child.kill('SIGKILL'), Math.min(budgetMs, 2 ** 31 - 1));
    child.on('error', spawnFailed);
    child.on('close', (code) => {
      try {
        const report = checkReportSchema.parse(JSON.parse(stdout));
        settle({ results: report.results });
      } catch {
        const why = stderr.replace(/^mlpath: /, '').split('\n')[0] || `check ended with code ${code}`;
        settle({ results: [], failure: why });
      }
    });
  });
}

export async function run(opts: GradeOptions): Promise<GradeRun> {
  if (opts.workspaces.length === 0) throw new UsageError('which workspaces? e.g. `mlpath grade submissions/*`');
  const workspaces = opts.workspaces.map((w) => path.resolve(opts.cwd, w));
  const jobs = opts.jobs ?? defaultJobs();
  if (!Number.isInteger(jobs) || jobs < 1) throw new UsageError(`--jobs must be a positive integer, got ${opts.jobs}`);
  const curriculum = loadCurriculum(curriculumOverride(opts.cwd, opts.curriculum));
  const ready = curriculum.exercises.filter((e) => e.status === 'ready');
  const exercises = ready.map((e) => e.key);
  const maxPoints = Object.fromEntries(ready.map((e) => [e.key, e.points]));
  const budgetMs = (ready.reduce((a, e) => a + e.budget.seconds * e.seeds.length, 0) + 60 * ready.length + 60) * 1000;
  // Each check trains its seeds side by side too: together they should not ask for more cores than there are.
  const seedJobs = Math.max(1, Math.floor(cores() / jobs));
  const csv = opts.csv ? path.resolve(opts.cwd, opts.csv) : undefined;
  if (csv) fs.writeFileSync(csv, csvHeader(exercises));
  if (opts.gradescope) fs.mkdirSync(path.resolve(opts.cwd, opts.gradescope), { recursive: true });
  const started = Date.now();
  const grades: WorkspaceGrade[] = [];
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < workspaces.length) {
      const ws = workspaces[next++];
      const grade = await gradeOne(ws, opts, budgetMs, seedJobs);
      grades.push(grade);
      if (csv) fs.appendFileSync(csv, csvRow(grade, exercises, maxPoints));
      if (opts.gradescope) {
        fs.writeFileSync(path.join(path.resolve(opts.cwd, opts.gradescope), `${path.basename(ws)}.json`), formatGradescope(grade.results, grade.failure));
      }
      opts.onProgress?.(grades.length, workspaces.length, grade);
    }
  };
  await Promise.all(Array.from({ length: Math.min(jobs, workspaces.length) }, worker));
  grades.sort((a, b) => workspaces.indexOf(a.workspace) - workspaces.indexOf(b.workspace));
  if (opts.json) fs.writeFileSync(path.resolve(opts.cwd, opts.json), `${JSON.stringify({ exercises, grades }, null, 2)}\n`);
  return { grades, exercises, jobs, durationMs: Date.now() - started };
}
