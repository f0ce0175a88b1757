/**
 * Chooses the TensorFlow.js backend: tensorflow (native) -> wasm -> cpu, or
 * exactly the one asked for with --backend / MLPATH_BACKEND.
 *
 * Only initBackend loads TensorFlow.js; probing resolves paths and checks
 * files, so `mlpath doctor` can report without paying for a load.
 *
 * Production mode (tf.enableProdMode) is left off. In tfjs 4.22 it changes no
 * computation (NaN checks belong to the separate DEBUG flag, off by default);
 * it only silences tfjs warnings, and those warnings tell a learner about
 * misuse worth seeing.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { UsageError } from '../errors';
import { registerWasmFastKernels } from './wasm-fast-kernels';
import { registerWasmGapKernels, silenceCpuBanner } from './wasm-kernels';
import { registerThreadedWasm, requestedWasmThreads, threadsUnavailable } from './wasm-threads';

export type BackendName = 'tensorflow' | 'wasm' | 'cpu';

/** In order of preference. */
export const BACKEND_NAMES: readonly BackendName[] = ['tensorflow', 'wasm', 'cpu'];

export interface BackendProbe {
  name: BackendName;
  available: boolean;
  /** Why it is not available, or 'ok'. */
  reason: string;
}

export interface ActiveBackend {
  name: BackendName;
  tf: typeof import('@tensorflow/tfjs');
  /** One line, present when a preferred backend was skipped. */
  note?: string;
}

export interface BackendOptions {
  /**
   * Directories searched for @tensorflow/tfjs-node before mlpath's own
   * install, e.g. a course repository that depends on it directly.
   */
  paths?: string[];
}

type Tf = typeof import('@tensorflow/tfjs');

const TFJS_NODE = '@tensorflow/tfjs-node';

export function probeBackends(options: BackendOptions = {}): BackendProbe[] {
  return [probeTensorflow(options), probeWasm(), probeCpu()];
}

/**
 * The exact advice for getting the native backend, one option per line.
 * What npm 11 does (measured with 11.x): it runs a dependency's install
 * script, direct or not, and only warns when no `allowScripts` entry of the
 * project covers it. tfjs-node's script downloads libtensorflow, so what
 * fails is the download: offline, behind a firewall, or on a platform with
 * no prebuilt binary.
 */
export function nativeFix(): string {
  return [
    `The native backend needs ${TFJS_NODE} with its install script completed: npm runs that script (npm 11 also warns that no allowScripts entry covers it), and the script downloads libtensorflow, so it fails offline or behind a firewall. With network access, run it again:`,
    `  global install:    npm i -g <the mlpath tarball or git URL you installed> --allow-scripts=${TFJS_NODE}   (reinstalls it, script included; the flag approves the script, which silences the warning)`,
    `  course repository: npm rebuild ${TFJS_NODE} && npm approve-scripts ${TFJS_NODE}   (runs the script again; the approval is recorded under "allowScripts")`,
    'Until then mlpath grades on wasm: slower, and the exercise budgets are set for it. `mlpath doctor` confirms which backend is active.',
  ].join('\n');
}

export async function initBackend(requested?: string, options: BackendOptions = {}): Promise<ActiveBackend> {
  const source = requested !== undefined ? '--backend' : 'MLPATH_BACKEND';
  const raw = (requested ?? process.env.MLPATH_BACKEND ?? '').trim();
  const probes = probeBackends(options);

  if (raw === '' && requested === undefined) return autoSelect(probes, options);

  const name = raw.toLowerCase();
  if (!isBackendName(name)) {
    throw new UsageError(
      `${source} ${JSON.stringify(raw)} is not a backend: choose one of ${BACKEND_NAMES.join(', ')} (available here: ${availableList(probes)}).`,
      'run `mlpath doctor` to see why a backend is unavailable',
    );
  }
  const probe = probes.find((p) => p.name === name)!;
  if (!probe.available) throw unavailable(name, source, probe.reason, probes);
  try {
    return { name, tf: await start(name, options) };
  } catch (err) {
    throw unavailable(name, source, `it failed to start: ${firstLine(err)}`, probes);
  }
}

async function autoSelect(probes: BackendProbe[], options: BackendOptions): Promise<ActiveBackend> {
  const skipped: string[] = [];
  for (const probe of probes) {
    if (!probe.available) {
      skipped.push(fallbackReason(probe));
      continue;
    }
    try {
      const tf = await start(probe.name, options);
      const note = skipped.length
        ? `${skipped.join('; ')}; using ${probe.name} (run \`mlpath doctor\`)`
        : undefined;
      return { name: probe.name, tf, note };
    } catch (err) {
      skipped.push(`${probe.name} failed to start (${firstLine(err)})`);
    }
  }
  throw new UsageError(`No TensorFlow.js backend could start: ${skipped.join('; ')}.`, 'run `mlpath doctor`');
}

function fallbackReason(probe: BackendProbe): string {
  if (probe.name === 'tensorflow' && probe.reason.includes('binding is missing')) {
    return 'tfjs-node is installed but its native binding is missing';
  }
  return probe.reason;
}

function unavailable(name: BackendName, source: string, reason: string, probes: BackendProbe[]): UsageError {
  return new UsageError(
    `Backend '${name}' (from ${source}) is not available: ${reason}. Available here: ${availableList(probes)}.`,
    name === 'tensorflow' ? nativeFix() : 'run `mlpath doctor`',
  );
}

function availableList(probes: BackendProbe[]): string {
  const names = probes.filter((p) => p.available).map((p) => p.name);
  return names.length ? names.join(', ') : 'none';
}

function isBackendName(name: string): name is BackendName {
  return (BACKEND_NAMES as readonly string[]).includes(name);
}

async function start(name: BackendName, options: BackendOptions): Promise<Tf> {
  switch (name) {
    case 'tensorflow':
      return startTensorflow(options);
    case 'wasm':
      return startWasm();
    case 'cpu':
      return startCpu();
  }
}

/**
 * tfjs-node registers its backend into the @tensorflow/tfjs it re-exports,
 * which may be a different copy from mlpath's own; its module is therefore
 * the instance returned.
 */
async function startTensorflow(options: BackendOptions): Promise<Tf> {
  // libtensorflow logs CPU-feature banners to stderr on load; learners
  // cannot act on them.
  process.env.TF_CPP_MIN_LOG_LEVEL ??= '2';
  const tf = require(resolveFrom(TFJS_NODE, options)) as Tf;
  if (tf.getBackend() !== 'tensorflow' && !(await tf.setBackend('tensorflow'))) {
    throw new Error('tf.setBackend("tensorflow") returned false');
  }
  return tf;
}

/**
 * The emscripten module inside tfjs-backend-wasm adds process-wide
 * 'uncaughtException' / 'unhandledRejection' listeners that rethrow and so
 * print its whole minified source with any unrelated error; they are removed
 * once the backend is up.
 */
async function startWasm(): Promise<Tf> {
  const before = snapshotListeners();
  try {
    const tf = require('@tensorflow/tfjs') as Tf;
    // In Node the wasm backend finds its .wasm files next to its own code, so
    // setWasmPaths is not needed (it is for bundlers and browsers).
    require('@tensorflow/tfjs-backend-wasm');
    registerWasmGapKernels(tf);
    registerWasmFastKernels(tf);
    if (await startThreadedWasm(tf)) return tf;
    if (!(await tf.setBackend('wasm'))) throw new Error('tf.setBackend("wasm") returned false');
    return tf;
  } finally {
    removeListenersAddedSince(before);
  }
}

/**
 * The multi-threaded build, when MLPATH_WASM_THREADS asks for more than one
 * thread, workers are allowed and no wasm backend runs yet. Any failure puts
 * the single-threaded build back: threads are a speed-up, never a reason to
 * fall back to cpu.
 */
async function startThreadedWasm(tf: Tf): Promise<boolean> {
  const threads = requestedWasmThreads();
  if (threads <= 1 || tf.engine().registry.wasm != null || threadsUnavailable() !== undefined) return false;
  const restore = registerThreadedWasm(tf, { threads });
  try {
    if (await tf.setBackend('wasm')) return true;
  } catch {
    // the single-threaded build below
  }
  restore();
  return false;
}

async function startCpu(): Promise<Tf> {
  const tf = require('@tensorflow/tfjs') as Tf;
  if (!(await tf.setBackend('cpu'))) throw new Error('tf.setBackend("cpu") returned false');
  silenceCpuBanner(tf.backend());
  return tf;
}

type ListenerSnapshot = { uncaughtException: Function[]; unhandledRejection: Function[] };

function snapshotListeners(): ListenerSnapshot {
  return {
    uncaughtException: process.listeners('uncaughtException'),
    unhandledRejection: process.listeners('unhandledRejection'),
  };
}

function removeListenersAddedSince(before: ListenerSnapshot): void {
  for (const listener of process.listeners('uncaughtException')) {
    if (!before.uncaughtException.includes(listener)) process.removeListener('uncaughtException', listener);
  }
  for (const listener of process.listeners('unhandledRejection')) {
    if (!before.unhandledRejection.includes(listener)) process.removeListener('unhandledRejection', listener);
  }
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
  if (typeof (globalThis as { WebAssembly?: unknown }).WebAssembly !== 'object') return { name, available: false, reason: 'this Node.js has no WebAssembly' };
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

function resolveFrom(id: string, options: BackendOptions): string {
  if (options.paths?.length) {
    try {
      return require.resolve(id, { paths: options.paths });
    } catch {
      // not in the extra directories; mlpath's own install is next
    }
  }
  return require.resolve(id);
}

function firstLine(err: unknown): string {
  const text = err instanceof Error ? err.message : String(err);
  const line = text.split('\n').find((l) => l.trim() !== '') ?? text;
  return line.length > 160 ? `${line.slice(0, 157)}...` : line;
}
