/**
 * `mlpath start [dir]`: create or update a workspace. Writes mlpath.json,
 * a README, editor settings that resolve `mlpath` and TensorFlow.js types,
 * and one folder per built exercise of the learner's track. Re-running adds
 * what is missing and never overwrites a file the learner changed.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { loadCurriculum, type Curriculum, type LoadedExercise } from '../curriculum';
import { UsageError } from '../errors';
import { emptyReport, templateFiles, writeFiles, type ScaffoldReport } from '../scaffold';
import { packageRoot } from '../grader/sandbox';
import { mlpathVersion } from '../version';
import { findWorkspaceRoot, readWorkspace, writeJsonAtomic, WORKSPACE_FILE, type WorkspaceConfig } from '../workspace';
import { availableExercises } from '../workspace/curriculum';

export interface StartOptions {
  cwd: string;
  dir?: string;
  track?: string;
  curriculum?: string;
}

export const startDefaults = { dir: '.' } as const;

export interface StartResult {
  root: string;
  created: boolean;
  track?: string;
  curriculum: { id: string; version: string; title: string };
  exercises: string[];
  files: ScaffoldReport;
  next?: LoadedExercise;
}

function tfjsTypesDir(): string {
  return path.dirname(require.resolve('@tensorflow/tfjs/package.json'));
}

/** Editor settings: `mlpath` and `@tensorflow/tfjs*` resolve to the installed packages. */
function tsconfig(): string {
  const tfjs = tfjsTypesDir();
  const tfRoot = path.dirname(tfjs);
  return `${JSON.stringify({
    compilerOptions: {
      target: 'ES2022',
      module: 'commonjs',
      moduleResolution: 'node',
      strict: true,
      noEmit: true,
      esModuleInterop: true,
      skipLibCheck: true,
      // Node's own types (learners may use node:fs and friends), from mlpath's install.
      typeRoots: [path.join(path.dirname(tfRoot), '@types')],
      types: ['node'],
      paths: {
        mlpath: [path.join(packageRoot(), 'dist', 'index.d.ts')],
        '@tensorflow/tfjs': [tfjs],
        '@tensorflow/tfjs-node': [tfjs],
        '@tensorflow/*': [path.join(tfRoot, '*')],
        // Libraries mlpath ships for learners (ml.js, ...) resolve for the editor too.
        '*': [path.join(path.dirname(tfRoot), '*'), path.join(path.dirname(tfRoot), '@types', '*')],
      },
    },
    include: ['month*/**/*.ts'],
  }, null, 2)}\n`;
}

function readme(c: Curriculum, exercises: LoadedExercise[], track?: string): string {
  const lines = [
    `# ${c.title}`,
    '',
    'Your mlpath workspace. Each exercise has its own folder with a README and a starter file.',
    '',
    '```sh',
    'mlpath next              # the exercise to work on now',
    'mlpath check month2/mnist  # grade one exercise on held-out data',
    'mlpath status            # progress',
    'mlpath hint month2/mnist   # a hint, one level at a time',
    '```',
    '',
  ];
  if (track) lines.push(`Domain track for month 3: **${track}** (\`mlpath start --track <id>\` adds another).`, '');
  for (const month of c.months) {
    const own = exercises.filter((e) => e.monthId === month.id);
    if (!own.length) continue;
    lines.push(`## ${month.title}`, '');
    for (const ex of own) lines.push(`- \`${ex.key}\`: ${ex.title}`);
    lines.push('');
  }
  lines.push('Never edit `.mlpath/`: it holds your progress and run records.', '');
  return lines.join('\n');
}

export async function run(opts: StartOptions): Promise<StartResult> {
  const target = path.resolve(opts.cwd, opts.dir ?? startDefaults.dir);
  const enclosing = findWorkspaceRoot(target);
  const existing = enclosing && enclosing !== target ? undefined : enclosing;
  if (enclosing && enclosing !== target) {
    throw new UsageError(`${target} is inside the workspace ${enclosing}`, `run \`mlpath start\` in ${enclosing} to update it`);
  }
  if (fs.existsSync(target) && !fs.statSync(target).isDirectory()) throw new UsageError(`${target} exists and is not a folder`);
  const previous = existing ? readWorkspace(existing) : undefined;
  const curriculumFile = opts.curriculum
    ? path.resolve(opts.cwd, opts.curriculum)
    : previous?.curriculumFile;
  const curriculum = loadCurriculum(curriculumFile);
  const track = opts.track ?? previous?.config.track ?? curriculum.defaultTrack;
  if (track && !curriculum.tracks.some((t) => t.id === track)) {
    throw new UsageError(`unknown track '${track}': choose one of ${curriculum.tracks.map((t) => t.id).join(', ')}`);
  }
  fs.mkdirSync(path.join(target, '.mlpath'), { recursive: true });
  const config: WorkspaceConfig = {
    ...(previous?.config ?? {}),
    curriculum: curriculum.id,
    curriculumVersion: curriculum.version,
    curriculumHash: curriculum.hash,
    ...(curriculumFile ? { curriculumFile: path.relative(target, curriculumFile) || curriculumFile } : {}),
    track,
    createdWith: previous?.config.createdWith ?? `mlpath ${mlpathVersion()}`,
  };
  writeJsonAtomic(path.join(target, WORKSPACE_FILE), config);

  const exercises = availableExercises(curriculum, track);
  const files = new Map<string, string | Buffer>();
  files.set('README.md', readme(curriculum, exercises, track));
  files.set('tsconfig.json', tsconfig());
  files.set('.gitignore', '.mlpath/runs/\n.mlpath/backups/\n.mlpath/reports/\nnode_modules/\n');
  for (const ex of exercises) {
    if (!ex.templateDir) continue;
    for (const [rel, content] of templateFiles(ex.templateDir, ex.key)) files.set(rel, content);
  }
  const report = writeFiles(target, files, emptyReport());
  return {
    root: target,
    created: !previous,
    track,
    curriculum: { id: curriculum.id, version: curriculum.version, title: curriculum.title },
    exercises: exercises.map((e) => e.key),
    files: report,
    next: exercises[0],
  };
}
