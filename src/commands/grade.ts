/**
 * `mlpath grade <workspace>...`: grade a class. Each workspace is checked by
 * its own `mlpath check --all --json` process, exactly as the learner would
 * run it, several at a time; one crash or hang never costs the others, and
 * every CSV row is written as soon as its workspace is done.
 */
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { loadCurriculum } from '../curriculum';
import { UsageError } from '../errors';
import { checkReportSchema } from '../grader/result';
import { packageRoot } from '../grader/sandbox';
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

/** Bounded by cores and by memory: each check may take up to ~1.5 GB. */
export function defaultJobs(): number {
  const cores = typeof os.availableParallelism === 'function' ? os.availableParallelism() : os.cpus().length;
  const byMemory = Math.floor(os.freemem() / (1536 * 1024 * 1024));
  return Math.max(1, Math.min(cores, byMemory));
}

function gradeOne(workspace: string, opts: GradeOptions, budgetMs: number): Promise<WorkspaceGrade> {
  const started = Date.now();
  const args = [path.join(packageRoot(), 'bin', 'mlpath'), 'check', '--all', '--json', '--quiet'];
  if (opts.curriculum) args.push('--curriculum', path.resolve(opts.cwd, opts.curriculum));
  if (opts.holdout) args.push('--holdout', path.resolve(opts.cwd, opts.holdout));
  if (opts.backend) args.push('--backend', opts.backend);
  return new Promise((resolve) => {
    const child = spawn(process.execPath, args, { cwd: workspace, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, GITHUB_ACTIONS: '' } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => {
      stdout += d.toString('utf8');
    });
    child.stderr.on('data', (d: Buffer) => {
      if (stderr.length < 8192) stderr += d.toString('utf8');
    });
    const guard = setTimeout(() => child.kill('SIGKILL'), budgetMs);
    child.on('close', (code) => {
      clearTimeout(guard);
      const base = { workspace, durationMs: Date.now() - started };
      try {
        const report = checkReportSchema.parse(JSON.parse(stdout));
        resolve({ ...base, results: report.results });
      } catch {
        const why = stderr.replace(/^mlpath: /, '').split('\n')[0] || `check ended with code ${code}`;
        resolve({ ...base, results: [], failure: why });
      }
    });
  });
}

export async function run(opts: GradeOptions): Promise<GradeRun> {
  if (opts.workspaces.length === 0) throw new UsageError('which workspaces? e.g. `mlpath grade submissions/*`');
  const workspaces = opts.workspaces.map((w) => path.resolve(opts.cwd, w));
  for (const w of workspaces) if (!fs.existsSync(w)) throw new UsageError(`${w} does not exist`);
  const jobs = opts.jobs ?? defaultJobs();
  if (!Number.isInteger(jobs) || jobs < 1) throw new UsageError(`--jobs must be a positive integer, got ${opts.jobs}`);
  const curriculum = loadCurriculum(opts.curriculum ? path.resolve(opts.cwd, opts.curriculum) : undefined);
  const ready = curriculum.exercises.filter((e) => e.status === 'ready');
  const exercises = ready.map((e) => e.key);
  const maxPoints = Object.fromEntries(ready.map((e) => [e.key, e.points]));
  const budgetMs = (ready.reduce((a, e) => a + e.budget.seconds * e.seeds.length, 0) + 60 * ready.length + 60) * 1000;
  const csv = opts.csv ? path.resolve(opts.cwd, opts.csv) : undefined;
  if (csv) fs.writeFileSync(csv, csvHeader(exercises));
  if (opts.gradescope) fs.mkdirSync(path.resolve(opts.cwd, opts.gradescope), { recursive: true });
  const started = Date.now();
  const grades: WorkspaceGrade[] = [];
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < workspaces.length) {
      const ws = workspaces[next++];
      const grade = await gradeOne(ws, opts, budgetMs);
      grades.push(grade);
      if (csv) fs.appendFileSync(csv, csvRow(grade, exercises, maxPoints));
      if (opts.gradescope) {
        fs.writeFileSync(path.join(path.resolve(opts.cwd, opts.gradescope), `${path.basename(ws)}.json`), formatGradescope(grade.results));
      }
      opts.onProgress?.(grades.length, workspaces.length, grade);
    }
  };
  await Promise.all(Array.from({ length: Math.min(jobs, workspaces.length) }, worker));
  grades.sort((a, b) => workspaces.indexOf(a.workspace) - workspaces.indexOf(b.workspace));
  if (opts.json) fs.writeFileSync(path.resolve(opts.cwd, opts.json), `${JSON.stringify({ exercises, grades }, null, 2)}\n`);
  return { grades, exercises, jobs, durationMs: Date.now() - started };
}
