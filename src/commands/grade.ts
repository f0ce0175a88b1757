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
import { spawn, spawnSync, type ChildProcessByStdio } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Readable } from 'node:stream';
import { writeFileAtomic } from '../atomic-write';
import { loadCurriculum } from '../curriculum';
import { UsageError } from '../errors';
import { checkReportSchema } from '../grader/result';
import { packageRoot } from '../grader/sandbox';
import { WORKSPACE_FILE } from '../workspace';
import { curriculumOverride } from '../workspace/curriculum';
import {
  csvHeader,
  csvRow,
  formatGradescope,
  type GradebookExercise,
  type WorkspaceGrade,
} from '../reporters/gradebook';

export interface GradeOptions {
  cwd: string;
  workspaces: string[];
  jobs?: number;
  csv?: string;
  json?: string;
  gradescope?: string;
  /** JUnit XML: one testsuite per workspace. */
  junit?: string;
  curriculum?: string;
  holdout?: string;
  backend?: string;
  /** Stripped from each folder name to make the student id (Classroom names repositories `<assignment>-<login>`). */
  studentPrefix?: string;
  onProgress?: (done: number, total: number, last: WorkspaceGrade) => void;
}

export interface GradeRun {
  grades: WorkspaceGrade[];
  exercises: string[];
  /** The Gradescope file of each workspace, in `grades` order. */
  gradescopeFiles?: string[];
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
    return code === 'ENOENT' || code === 'ENOTDIR'
      ? `${dir} does not exist`
      : `cannot read ${dir} (${code ?? (err as Error).message})`;
  }
  if (!stat.isDirectory()) return `${dir} is a file, not a workspace folder`;
  if (!fs.existsSync(path.join(dir, WORKSPACE_FILE))) return `no mlpath workspace in ${dir} (no ${WORKSPACE_FILE})`;
  return undefined;
}

/** The commit checked out in a workspace and its time, when it is a git repository (git is asked, never required). */
export function commitOf(dir: string): { commit?: string; committedAt?: string } {
  // safe.directory: submissions are often owned by another user than the instructor's.
  const r = spawnSync('git', ['-c', 'safe.directory=*', '-C', dir, 'log', '-1', '--format=%H %cI'], {
    encoding: 'utf8',
    timeout: 20000,
  });
  const [commit, committedAt] = r.status === 0 ? r.stdout.trim().split(' ') : [];
  return commit ? { commit, committedAt } : {};
}

function trackOf(dir: string): string | undefined {
  try {
    const track = (JSON.parse(fs.readFileSync(path.join(dir, WORKSPACE_FILE), 'utf8')) as { track?: unknown }).track;
    return typeof track === 'string' ? track : undefined;
  } catch {
    return undefined;
  }
}

export function studentId(workspace: string, prefix?: string): string {
  const name = path.basename(workspace);
  return prefix && name.startsWith(prefix) && name.length > prefix.length ? name.slice(prefix.length) : name;
}

/**
 * A file name per workspace for the Gradescope folder: its path below the
 * folder all workspaces share, `/` as `__`, so two `alice` folders in
 * different sections do not overwrite each other.
 */
export function gradescopeNames(workspaces: string[]): string[] {
  let common = path.dirname(workspaces[0] ?? '.');
  for (const w of workspaces) {
    while (path.relative(common, w).startsWith('..')) common = path.dirname(common);
  }
  const taken = new Set<string>();
  return workspaces.map((w) => {
    const base = (path.relative(common, w) || path.basename(w)).split(path.sep).join('__');
    let name = `${base}.json`;
    for (let n = 2; taken.has(name); n++) name = `${base}-${n}.json`;
    taken.add(name);
    return name;
  });
}

async function gradeWithFacts(
  workspace: string,
  opts: GradeOptions,
  budgetMs: number,
  seedJobs: number,
): Promise<WorkspaceGrade> {
  const grade = await gradeOne(workspace, opts, budgetMs, seedJobs);
  const facts = grade.failure && !fs.existsSync(workspace) ? {} : commitOf(workspace);
  return {
    student: studentId(workspace, opts.studentPrefix),
    track: trackOf(workspace),
    ...facts,
    gradedAt: new Date().toISOString(),
    ...grade,
  };
}

function gradeOne(workspace: string, opts: GradeOptions, budgetMs: number, seedJobs: number): Promise<WorkspaceGrade> {
  const started = Date.now();
  const problem = notAWorkspace(workspace);
  if (problem) return Promise.resolve({ workspace, results: [], failure: problem, durationMs: 0 });
  // --jobs: the workspace's exercises side by side, as many grader children at once as its share of the cores.
  const args = [
    path.join(packageRoot(), 'bin', 'mlpath'),
    'check',
    '--all',
    '--json',
    '--quiet',
    '--no-record',
    '--jobs',
    String(seedJobs),
  ];
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
    const spawnFailed = (err: Error): void =>
      settle({ results: [], failure: `could not run mlpath check in ${workspace}: ${err.message}` });
    let child: ChildProcessByStdio<null, Readable, Readable>;
    try {
      child = spawn(process.execPath, args, {
        cwd: workspace,
        stdio: ['ignore', 'pipe', 'pipe'],
        env: {
          ...process.env,
          GITHUB_ACTIONS: '',
          MLPATH_GRADING: '1',
          MLPATH_SEED_JOBS: process.env.MLPATH_SEED_JOBS ?? String(seedJobs),
        },
      });
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
  const columns: GradebookExercise[] = ready.map((e) => ({
    key: e.key,
    points: e.points,
    track: e.track,
    metrics: [...new Set(e.metrics.map((m) => (m.k !== undefined ? `${m.name}@${m.k}` : m.name)))],
  }));
  // A workspace grades only its own track's exercises: its budget is the largest a track needs, not every track's at once.
  const tracks = [undefined, ...curriculum.tracks.map((t) => t.id)];
  const budgetSeconds = Math.max(
    ...tracks.map((t) =>
      ready.filter((e) => !e.track || e.track === t).reduce((a, e) => a + e.budget.seconds * e.seeds.length + 60, 0),
    ),
  );
  const budgetMs = (budgetSeconds + 60) * 1000;
  // Each check trains its seeds side by side too: together the workspaces graded at once should not ask for
  // more cores than there are, nor leave some idle (one workspace under --jobs 2 gets both).
  const seedJobs = Math.max(1, Math.floor(cores() / Math.min(jobs, workspaces.length)));
  const csv = opts.csv ? path.resolve(opts.cwd, opts.csv) : undefined;
  if (csv) fs.writeFileSync(csv, csvHeader(columns));
  const gradescopeDir = opts.gradescope ? path.resolve(opts.cwd, opts.gradescope) : undefined;
  if (gradescopeDir) fs.mkdirSync(gradescopeDir, { recursive: true });
  const names = gradescopeNames(workspaces);
  const started = Date.now();
  const grades: WorkspaceGrade[] = [];
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < workspaces.length) {
      const index = next++;
      const grade = await gradeWithFacts(workspaces[index], opts, budgetMs, seedJobs);
      grades.push(grade);
      // Appended as each one finishes, so an interrupted batch keeps what it graded.
      if (csv) fs.appendFileSync(csv, csvRow(grade, columns, curriculum.defaultTrack));
      if (gradescopeDir)
        fs.writeFileSync(
          path.join(gradescopeDir, names[index]),
          formatGradescope(grade.results, { failure: grade.failure, executionTime: grade.durationMs / 1000 }),
        );
      opts.onProgress?.(grades.length, workspaces.length, grade);
    }
  };
  await Promise.all(Array.from({ length: Math.min(jobs, workspaces.length) }, worker));
  grades.sort((a, b) => workspaces.indexOf(a.workspace) - workspaces.indexOf(b.workspace));
  // Then rewritten in argument order, so the same class gives the same file.
  if (csv)
    writeFileAtomic(csv, csvHeader(columns) + grades.map((g) => csvRow(g, columns, curriculum.defaultTrack)).join(''));
  if (opts.json)
    fs.writeFileSync(path.resolve(opts.cwd, opts.json), `${JSON.stringify({ exercises, grades }, null, 2)}\n`);
  if (opts.junit) {
    const { formatJunitSuites } = await import('../reporters/junit');
    const suites = grades.map((g) => ({
      name: g.student ?? path.basename(g.workspace),
      results: g.results,
      failure: g.failure,
      expected: columns.filter((c) => !c.track || c.track === (g.track ?? curriculum.defaultTrack)).map((c) => c.key),
    }));
    writeFileAtomic(path.resolve(opts.cwd, opts.junit), formatJunitSuites(suites, { packageName: 'mlpath.grade' }));
  }
  return {
    grades,
    exercises,
    jobs,
    durationMs: Date.now() - started,
    gradescopeFiles: gradescopeDir
      ? grades.map((g) => path.join(gradescopeDir, names[workspaces.indexOf(g.workspace)]))
      : undefined,
  };
}
