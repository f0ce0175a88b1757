/**
 * What the parent process knows about TensorFlow.js backends without
 * loading TensorFlow.js: which are installed and usable (paths resolved,
 * files checked), so `mlpath doctor`, the setup wizard and the grader's
 * backend choice cost nothing. Starting a backend is `init.ts`, which runs
 * in the grading child.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';

export type BackendName = 'tensorflow' | 'wasm' | 'cpu';

/** In order of preference. */
export const BACKEND_NAMES: readonly BackendName[] = ['tensorflow', 'wasm', 'cpu'];

export interface BackendProbe {
  name: BackendName;
  available: boolean;
  /** Why it is not available, or 'ok'. */
  reason: string;
}

export interface BackendOptions {
  /**
   * Directories searched for @tensorflow/tfjs-node before mlpath's own
   * install, e.g. a course repository that depends on it directly.
   */
  paths?: string[];
}

export const TFJS_NODE = '@tensorflow/tfjs-node';

export function probeBackends(options: BackendOptions = {}): BackendProbe[] {
  return [probeTensorflow(options), probeWasm(), probeCpu()];
}

/**
 * What to say when the native backend is missing. mlpath installs
 * @tensorflow/tfjs-node as an optional dependency whose install script
 * downloads libtensorflow; what fails is that download (offline, a blocked
 * download, no prebuilt binary for the platform) or the script being skipped,
 * so reinstalling with the same flags changes nothing. The wasm backend grades
 * every exercise; a rebuild with network access retries the download.
 */
export function nativeFix(): string {
  return [
    `${TFJS_NODE} is optional: when mlpath was installed its install script ran (or was skipped) and has to download libtensorflow; that download did not complete (offline, a proxy or firewall blocking it, or no prebuilt binary for this platform), so the package is absent or incomplete. Reinstalling with the same flags will not change that.`,
    'Nothing needs fixing to continue: the wasm backend grades every exercise (slower; the budgets are set for it).',
    `To retry the native backend, with network access, in the folder mlpath is installed in: \`npm rebuild ${TFJS_NODE}\` (for a global install: \`cd "$(npm root -g)/mlpath" && npm rebuild ${TFJS_NODE}\`), then \`mlpath doctor\` to confirm.`,
  ].join('\n');
}

function probeTensorflow(options: BackendOptions): BackendProbe {
  let packageJson: string;
  try {
    packageJson = resolveFrom(`${TFJS_NODE}/package.json`, options);
  } catch {
    return { name: 'tensorflow', available: false, reason: `${TFJS_NODE} is not installed` };
  }
  return probeTfjsNodePackage(packageJson);
}

/**
 * Looks for the native binding where tfjs-node's loader (node-pre-gyp `find`)
 * does: the package's `binary.module_path`, with {napi_build_version} the
 * highest of its `napi_versions` that this Node supports.
 */
export function probeTfjsNodePackage(packageJsonPath: string): BackendProbe {
  const name: BackendName = 'tensorflow';
  let binding: string | undefined;
  try {
    binding = bindingPath(packageJsonPath);
  } catch (err) {
    return { name, available: false, reason: `${TFJS_NODE} has an unreadable package.json (${firstLine(err)})` };
  }
  if (binding === undefined || !existsSync(binding)) {
    const where = binding ?? path.join(path.dirname(packageJsonPath), 'lib');
    return {
      name,
      available: false,
      reason: `${TFJS_NODE} is installed but its native binding is missing (${where}): its install script did not complete (it downloads libtensorflow, which needs network access)`,
    };
  }
  return { name, available: true, reason: 'ok' };
}

interface BinaryConfig {
  module_name?: string;
  module_path?: string;
  napi_versions?: number[];
}

function bindingPath(packageJsonPath: string): string | undefined {
  const pkg = JSON.parse(readFileSync(packageJsonPath, 'utf8')) as { binary?: BinaryConfig };
  const binary = pkg.binary ?? {};
  const file = `${binary.module_name ?? 'tfjs_binding'}.node`;
  const root = path.dirname(packageJsonPath);
  const napi = Number(process.versions.napi);
  const supported = (binary.napi_versions ?? []).filter((v) => v <= napi);
  const napiBuild = supported.length ? Math.max(...supported) : napi;
  const modulePath = (binary.module_path ?? './lib/napi-v{napi_build_version}')
    .replace('{napi_build_version}', String(napiBuild))
    .replace('{platform}', process.platform)
    .replace('{arch}', process.arch);
  if (!modulePath.includes('{')) return path.resolve(root, modulePath, file);
  return findUnder(path.join(root, 'lib'), file);
}

/** For a module_path template we cannot expand: any lib/<dir>/<file>. */
function findUnder(dir: string, file: string): string | undefined {
  if (!existsSync(dir)) return undefined;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const candidate = path.join(dir, entry.name, file);
    if (entry.isDirectory() && existsSync(candidate)) return candidate;
  }
  return undefined;
}

function probeWasm(): BackendProbe {
  const name: BackendName = 'wasm';
  if (typeof (globalThis as { WebAssembly?: unknown }).WebAssembly !== 'object')
    return { name, available: false, reason: 'this Node.js has no WebAssembly' };
  let main: string;
  try {
    main = require.resolve('@tensorflow/tfjs-backend-wasm');
  } catch {
    return { name, available: false, reason: '@tensorflow/tfjs-backend-wasm is not installed' };
  }
  const dir = path.dirname(main);
  const binaries = ['tfjs-backend-wasm-simd.wasm', 'tfjs-backend-wasm.wasm'];
  if (!binaries.some((b) => existsSync(path.join(dir, b)))) {
    return { name, available: false, reason: `@tensorflow/tfjs-backend-wasm has no .wasm binary in ${dir}` };
  }
  return { name, available: true, reason: 'ok' };
}

function probeCpu(): BackendProbe {
  try {
    require.resolve('@tensorflow/tfjs');
    return { name: 'cpu', available: true, reason: 'ok' };
  } catch {
    return { name: 'cpu', available: false, reason: '@tensorflow/tfjs is not installed' };
  }
}

export function availableList(probes: BackendProbe[]): string {
  const names = probes.filter((p) => p.available).map((p) => p.name);
  return names.length ? names.join(', ') : 'none';
}

export function isBackendName(name: string): name is BackendName {
  return (BACKEND_NAMES as readonly string[]).includes(name);
}

export function resolveFrom(id: string, options: BackendOptions): string {
  if (options.paths?.length) {
    try {
      return require.resolve(id, { paths: options.paths });
    } catch {
      // not in the extra directories; mlpath's own install is next
    }
  }
  return require.resolve(id);
}

export function firstLine(err: unknown): string {
  const text = err instanceof Error ? err.message : String(err);
  const line = text.split('\n').find((l) => l.trim() !== '') ?? text;
  return line.length > 160 ? `${line.slice(0, 157)}...` : line;
}
