/**
 * The child's confinement: a V8 heap cap from the exercise budget, no code
 * generation from strings (eval, new Function), and, where Node has its
 * permission model, file reads limited to what the child must load: its own
 * bundled harness (one file, not mlpath's dist/ with its dataset loaders),
 * the TensorFlow.js packages and what they depend on, mlpath's shipped models,
 * and the folders a kind names (the exercise's private snapshot, the bundle).
 * Writes are refused except in the folders a kind names (the snapshot's
 * `mlruns/`). Child processes, workers and native addons are refused by the
 * same model; the native TensorFlow backend needs addons, and the child's
 * module lockdown closes `process.dlopen` before learner code runs. The
 * environment is scrubbed: no holdout path, no CI secrets.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';

export interface SandboxOptions {
  memoryMb: number;
  readRoots: string[];
  /** Folders the child may write to (and read), e.g. the snapshot's `mlruns/`; none by default. */
  writeRoots?: string[];
  nativeAddons: boolean;
}

export function packageRoot(): string {
  return path.resolve(__dirname, '..', '..');
}

/** The child's entry: the harness and everything of mlpath's it imports, in one file (scripts/bundle-child.js). */
export function childEntry(): string {
  return path.join(packageRoot(), 'dist', 'grader', 'child.cjs');
}

function permissionFlag(): string | undefined {
  const flags = process.allowedNodeEnvironmentFlags;
  if (process.env.MLPATH_NO_SANDBOX === '1') return undefined;
  if (flags.has('--permission')) return '--permission';
  if (flags.has('--experimental-permission')) return '--experimental-permission';
  return undefined;
}

/** The packages the child loads: TensorFlow.js with its backends. */
const CHILD_PACKAGES = ['@tensorflow/tfjs', '@tensorflow/tfjs-backend-wasm', '@tensorflow/tfjs-node'];

function packageDir(name: string, from: string): string | undefined {
  try {
    return path.dirname(require.resolve(`${name}/package.json`, { paths: [from] }));
  } catch {
    return undefined;
  }
}

let closure: string[] | undefined;

/** The folders of the child's packages and of everything they depend on, found by walking their package.json files. */
export function dependencyReadRoots(): string[] {
  if (closure) return closure;
  const seen = new Set<string>();
  const visit = (dir: string | undefined): void => {
    if (!dir || seen.has(dir)) return;
    seen.add(dir);
    let manifest: { dependencies?: Record<string, string>; optionalDependencies?: Record<string, string> };
    try {
      manifest = JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8')) as typeof manifest;
    } catch {
      return;
    }
    for (const dep of Object.keys({ ...manifest.dependencies, ...manifest.optionalDependencies }))
      visit(packageDir(dep, dir));
  };
  for (const name of CHILD_PACKAGES) visit(packageDir(name, __dirname));
  closure = [...seen];
  return closure;
}

export function childExecArgv(opts: SandboxOptions): string[] {
  // No --enable-source-maps: it makes Node read and parse the source map of every TensorFlow.js file the
  // child loads (about 0.45 s of a 1 s check); the harness turns maps on once they are loaded (harness.ts).
  const argv = [`--max-old-space-size=${opts.memoryMb}`, '--disallow-code-generation-from-strings'];
  const permission = permissionFlag();
  if (permission) {
    argv.push(permission);
    if (process.allowedNodeEnvironmentFlags.has('--disable-warning'))
      argv.push('--disable-warning=ExperimentalWarning');
    const roots = [childEntry(), path.join(packageRoot(), 'models'), ...dependencyReadRoots(), ...opts.readRoots];
    for (const root of new Set(roots)) {
      const isDir = fs.existsSync(root) && fs.statSync(root).isDirectory();
      argv.push(`--allow-fs-read=${isDir ? path.join(root, '*') : root}`);
    }
    for (const root of new Set(opts.writeRoots ?? []))
      argv.push(`--allow-fs-read=${path.join(root, '*')}`, `--allow-fs-write=${path.join(root, '*')}`);
    if (opts.nativeAddons && process.allowedNodeEnvironmentFlags.has('--allow-addons')) argv.push('--allow-addons');
  }
  return argv;
}

/**
 * How to start the child: on Linux through util-linux's `setpriv`, so the
 * kernel kills it if the grader dies (a SIGKILL from outside runs none of
 * the grader's cleanup, and a child spinning in a loop never notices its
 * channel closed); elsewhere, or without setpriv, node itself.
 */
export function childCommand(args: string[]): { command: string; args: string[] } {
  const setpriv = workingSetpriv();
  if (setpriv) return { command: setpriv, args: ['--pdeathsig', 'KILL', '--', process.execPath, ...args] };
  return { command: process.execPath, args };
}

let setprivProbe: string | null | undefined;

/**
 * setpriv, once it has been seen to work here (a container may refuse the prctl it needs). The probe runs
 * `true` rather than node: the grader waits for it before its first child starts, and a node process
 * there cost the check about 50 ms of its start.
 */
function workingSetpriv(): string | undefined {
  if (setprivProbe === undefined) {
    setprivProbe = null;
    const candidate =
      process.platform === 'linux' ? ['/usr/bin/setpriv', '/bin/setpriv'].find((p) => fs.existsSync(p)) : undefined;
    const probe = ['/usr/bin/true', '/bin/true'].find((p) => fs.existsSync(p)) ?? process.execPath;
    if (
      candidate &&
      spawnSync(candidate, ['--pdeathsig', 'KILL', '--', probe, ...(probe === process.execPath ? ['--version'] : [])], {
        stdio: 'ignore',
        timeout: 10000,
      }).status === 0
    ) {
      setprivProbe = candidate;
    }
  }
  return setprivProbe ?? undefined;
}

const PASSED_ENV = [
  'PATH',
  'LANG',
  'LC_ALL',
  'TZ',
  'TMPDIR',
  'SYSTEMROOT',
  'TEMP',
  'TMP',
  'NO_COLOR',
  'FORCE_COLOR',
  'TERM',
];

export function childEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { TF_CPP_MIN_LOG_LEVEL: '2', NODE_ENV: 'production' };
  for (const key of PASSED_ENV) if (process.env[key] !== undefined) env[key] = process.env[key];
  return env;
}
