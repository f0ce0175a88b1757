/**
 * The child's confinement: a V8 heap cap from the exercise budget, and, where
 * Node has its permission model, file reads limited to the code it must load
 * (mlpath and its shipped models, its dependencies minus the dataset packages, the learner's
 * exercise folder and the compiled bundle) and writes refused except in the
 * folders a kind names (an exercise's `mlruns/`). Child processes and workers
 * are refused by the same model, so a submission cannot start a grandchild.
 * The environment is scrubbed: no holdout path, no CI secrets.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { dependencyRoots, DATASET_PACKAGES } from './compile';

export interface SandboxOptions {
  memoryMb: number;
  readRoots: string[];
  /** Folders the child may write to (and read), e.g. an exercise's `mlruns/`; none by default. */
  writeRoots?: string[];
  nativeAddons: boolean;
}

export function packageRoot(): string {
  return path.resolve(__dirname, '..', '..');
}

function permissionFlag(): string | undefined {
  const flags = process.allowedNodeEnvironmentFlags;
  if (process.env.MLPATH_NO_SANDBOX === '1') return undefined;
  if (flags.has('--permission')) return '--permission';
  if (flags.has('--experimental-permission')) return '--experimental-permission';
  return undefined;
}

function isDatasetPackage(name: string): boolean {
  return DATASET_PACKAGES.some((re) => re.test(name));
}

/** Every package folder under the dependency roots except dataset packages. */
export function dependencyReadRoots(): string[] {
  const roots: string[] = [];
  const nodeModules = new Set([...dependencyRoots(), path.join(packageRoot(), 'node_modules')]);
  for (const nm of nodeModules) {
    if (!fs.existsSync(nm)) continue;
    for (const entry of fs.readdirSync(nm)) {
      if (entry.startsWith('.')) continue;
      if (entry.startsWith('@')) {
        for (const sub of fs.readdirSync(path.join(nm, entry))) {
          const name = `${entry}/${sub}`;
          if (!isDatasetPackage(name)) roots.push(path.join(nm, entry, sub));
        }
      } else if (!isDatasetPackage(entry)) {
        roots.push(path.join(nm, entry));
      }
    }
  }
  return roots;
}

export function childExecArgv(opts: SandboxOptions): string[] {
  const argv = ['--enable-source-maps', `--max-old-space-size=${opts.memoryMb}`];
  const permission = permissionFlag();
  if (permission) {
    argv.push(permission);
    if (process.allowedNodeEnvironmentFlags.has('--disable-warning')) argv.push('--disable-warning=ExperimentalWarning');
    const roots = [path.join(packageRoot(), 'dist'), path.join(packageRoot(), 'models'), path.join(packageRoot(), 'package.json'), ...dependencyReadRoots(), ...opts.readRoots];
    for (const root of new Set(roots)) {
      const isDir = fs.existsSync(root) && fs.statSync(root).isDirectory();
      argv.push(`--allow-fs-read=${isDir ? path.join(root, '*') : root}`);
    }
    for (const root of new Set(opts.writeRoots ?? [])) argv.push(`--allow-fs-read=${path.join(root, '*')}`, `--allow-fs-write=${path.join(root, '*')}`);
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

/** setpriv, once it has been seen to work here (a container may refuse the prctl it needs). */
function workingSetpriv(): string | undefined {
  if (setprivProbe === undefined) {
    setprivProbe = null;
    const candidate = process.platform === 'linux' ? ['/usr/bin/setpriv', '/bin/setpriv'].find((p) => fs.existsSync(p)) : undefined;
    if (candidate && spawnSync(candidate, ['--pdeathsig', 'KILL', '--', process.execPath, '--version'], { stdio: 'ignore', timeout: 10000 }).status === 0) {
      setprivProbe = candidate;
    }
  }
  return setprivProbe ?? undefined;
}

const PASSED_ENV = ['PATH', 'LANG', 'LC_ALL', 'TZ', 'TMPDIR', 'SYSTEMROOT', 'TEMP', 'TMP', 'NO_COLOR', 'FORCE_COLOR', 'TERM'];

export function childEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { TF_CPP_MIN_LOG_LEVEL: '2', NODE_ENV: 'production' };
  for (const key of PASSED_ENV) if (process.env[key] !== undefined) env[key] = process.env[key];
  return env;
}
