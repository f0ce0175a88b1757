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
import { writeJsonAtomic } from '../atomic-write';
import { findWorkspaceRoot, readWorkspace, WORKSPACE_FILE, type WorkspaceConfig } from '../workspace';
import { availableExercises } from '../workspace/curriculum';

export interface StartOptions {
  cwd: string;
  dir?: string;
  track?: string;
  curriculum?: string;
  /** mlpath is installed in the workspace's own node_modules (a course template repository): editor paths point there. */
  localInstall?: boolean;
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

/** Where the editor finds mlpath and the packages it ships: the running install, or the workspace's own node_modules. */
interface TypesSource {
  mlpathDir: string;
  nodeModules: string;
}

function typesSource(root: string, local: boolean | undefined): TypesSource {
  if (local)
    return { mlpathDir: path.join(root, 'node_modules', 'mlpath'), nodeModules: path.join(root, 'node_modules') };
  return { mlpathDir: packageRoot(), nodeModules: path.dirname(path.dirname(tfjsTypesDir())) };
}

/**
 * Editor settings: `mlpath` and `@tensorflow/tfjs*` resolve to the installed
 * packages. Paths are relative to the workspace, so a template repository
 * whose node_modules holds mlpath works in every clone; `include` names the
 * curriculum's month folders, whatever their ids.
 */
function tsconfig(root: string, source: TypesSource, months: string[]): string {
  const rel = (p: string): string => {
    const r = path.relative(root, p).split(path.sep).join('/');
    return r.startsWith('.') || path.isAbsolute(r) ? r : `./${r}`;
  };
  const modules = source.nodeModules;
  const tfjs = path.join(modules, '@tensorflow', 'tfjs');
  return `${JSON.stringify(
    {
      compilerOptions: {
        target: 'ES2022',
        module: 'commonjs',
        moduleResolution: 'node',
        strict: true,
        noEmit: true,
        esModuleInterop: true,
        skipLibCheck: true,
        // Node's own types (learners may use node:fs and friends), from mlpath's install.
        typeRoots: [rel(path.join(modules, '@types'))],
        types: ['node'],
        paths: {
          mlpath: [rel(path.join(source.mlpathDir, 'dist', 'index.d.ts'))],
          '@tensorflow/tfjs': [rel(tfjs)],
          '@tensorflow/tfjs-node': [rel(tfjs)],
          '@tensorflow/*': [rel(path.join(modules, '@tensorflow', '*'))],
          // Libraries mlpath ships for learners (ml.js, ...) resolve for the editor too.
          '*': [rel(path.join(modules, '*')), rel(path.join(modules, '@types', '*'))],
        },
      },
      include: months.map((m) => `${m}/**/*.ts`),
    },
    null,
    2,
  )}\n`;
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
  lines.push('Never edit `.mlpath/`: it holds your progress and attempt records.', '');
  return lines.join('\n');
}

export async function run(opts: StartOptions): Promise<StartResult> {
  const target = path.resolve(opts.cwd, opts.dir ?? startDefaults.dir);
  const enclosing = findWorkspaceRoot(target);
  const existing = enclosing && enclosing !== target ? undefined : enclosing;
  if (enclosing && enclosing !== target) {
    throw new UsageError(
      `${target} is inside the workspace ${enclosing}`,
      `run \`mlpath start\` in ${enclosing} to update it`,
    );
  }
  if (fs.existsSync(target) && !fs.statSync(target).isDirectory())
    throw new UsageError(`${target} exists and is not a folder`);
  const previous = existing ? readWorkspace(existing) : undefined;
  const curriculumFile = opts.curriculum ? path.resolve(opts.cwd, opts.curriculum) : previous?.curriculumFile;
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
  const months = curriculum.months.map((m) => m.id).filter((id) => exercises.some((e) => e.monthId === id));
  files.set('tsconfig.json', tsconfig(target, typesSource(target, opts.localInstall), months));
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
