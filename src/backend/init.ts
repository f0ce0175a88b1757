/**
 * Starts a TensorFlow.js backend: tensorflow (native) -> wasm -> cpu, or
 * exactly the one asked for with --backend / MLPATH_BACKEND. Runs where
 * training runs (the grading child, tests); what is installed is decided
 * first by `probe.ts`, which loads nothing.
 *
 * Production mode (tf.enableProdMode) is left off. In tfjs 4.22 it changes no
 * computation (NaN checks belong to the separate DEBUG flag, off by default);
 * it only silences tfjs warnings, and those warnings tell a learner about
 * misuse worth seeing.
 */
import { UsageError } from '../errors';
import {
  availableList,
  BACKEND_NAMES,
  firstLine,
  isBackendName,
  nativeFix,
  probeBackends,
  resolveFrom,
  TFJS_NODE,
  type BackendName,
  type BackendOptions,
  type BackendProbe,
} from './probe';
import { simdKernels } from './simd/module';
import { registerReduceGradients } from './reduce-gradients';
import { registerFusedAdam } from './wasm-adam';
import { registerWasmFastKernels, settleFusedReluProbe } from './wasm-fast-kernels';
import { registerWasmGapKernels, silenceCpuBanner } from './wasm-kernels';
import { registerThreadedWasm, requestedWasmThreads, threadsUnavailable } from './wasm-threads';

export interface ActiveBackend {
  name: BackendName;
  tf: typeof import('@tensorflow/tfjs');
  /** One line, present when a preferred backend was skipped. */
  note?: string;
}

type Tf = typeof import('@tensorflow/tfjs');

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
      const note = skipped.length ? `${skipped.join('; ')}; using ${probe.name} (run \`mlpath doctor\`)` : undefined;
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
    registerFusedAdam(tf);
    registerReduceGradients(tf);
    if (await startThreadedWasm(tf)) return tf;
    if (!(await tf.setBackend('wasm'))) throw new Error('tf.setBackend("wasm") returned false');
    simdKernels((tf.backend() as unknown as { wasm: object }).wasm);
    settleFusedReluProbe(tf);
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
  registerReduceGradients(tf);
  return tf;
}

type ListenerSnapshot = {
  uncaughtException: NodeJS.UncaughtExceptionListener[];
  unhandledRejection: NodeJS.UnhandledRejectionListener[];
};

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
