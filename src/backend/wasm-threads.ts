/**
 * The multi-threaded SIMD build of tfjs-backend-wasm under Node.
 *
 * tfjs-backend-wasm 4.22 ships that build but switches it off in Node
 * (WASM_HAS_MULTITHREAD_SUPPORT is false there), and forcing the flag fails:
 * its emscripten glue starts each pthread worker from a blob: URL, which
 * worker_threads refuse (ERR_WORKER_PATH), and hands the worker its main
 * script as a Blob the worker cannot read either. Here the 'wasm' backend is
 * re-registered with a factory that instantiates the threaded module itself:
 * workers start from wasm-thread-worker.js, the main script is the
 * package's own file, and the backend object is the package's BackendWasm,
 * so every kernel is unchanged.
 *
 * The glue sizes XNNPACK's pool as min(requested, logical cores / 2) (it
 * assumes two hyper-threads per core), so the core count it sees is set to
 * twice the requested threads. The results are bit-identical to one thread:
 * XNNPACK splits work by output tiles, never a sum across threads.
 *
 * Workers need the worker permission when Node's permission model is on
 * (the grader's sandbox refuses them unless started with --allow-worker);
 * without it the single-threaded build is used.
 */
import { existsSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import type * as tfjs from '@tensorflow/tfjs';

type Tf = typeof tfjs;

const WASM = 'wasm';
/** tfjs-backend-wasm's own priority for its backend. */
const WASM_PRIORITY = 2;
/** Worker threads the glue pre-allocates; XNNPACK uses at most this many. */
const GLUE_POOL_SIZE = 8;

export interface WasmThreadsOptions {
  /** Threads of XNNPACK's pool, the calling thread included. */
  threads: number;
  /** The compiled wasm-thread-worker.js; defaults to the one next to this file. */
  workerFile?: string;
}

interface ThreadedModule {
  cwrap(name: string, ret: string | null, args: string[]): (...a: number[]) => number;
  PThread: { unusedWorkers: { terminate(): unknown }[]; terminateAllThreads(): void };
  tfjs?: Record<string, unknown>;
}

type Factory = (config: Record<string, unknown>) => Promise<ThreadedModule>;

interface WasmPackage {
  BackendWasm: new (module: unknown) => tfjs.KernelBackend;
  setThreadsCount(n: number): void;
}

/**
 * MLPATH_WASM_THREADS as a thread count: 1 when unset, empty or not a
 * positive integer (one thread is the default until threads are shown to
 * pay on learners' machines), else the number, at most the glue's pool.
 */
export function requestedWasmThreads(env: NodeJS.ProcessEnv = process.env): number {
  const raw = (env.MLPATH_WASM_THREADS ?? '').trim();
  if (!/^\d+$/.test(raw)) return 1;
  return Math.max(1, Math.min(Number(raw), GLUE_POOL_SIZE));
}

/** Why threads cannot run in this process, or undefined when they can. */
export function threadsUnavailable(workerFile = defaultWorkerFile()): string | undefined {
  const permission = (process as { permission?: { has(scope: string): boolean } }).permission;
  if (permission && !permission.has('worker')) return 'the permission model refuses worker threads (no --allow-worker)';
  if (typeof SharedArrayBuffer !== 'function') return 'this Node.js has no SharedArrayBuffer';
  if (!existsSync(workerFile)) return `the worker entry ${workerFile} is missing (run \`npm run build\`)`;
  return undefined;
}

export function defaultWorkerFile(): string {
  return path.join(__dirname, 'wasm-thread-worker.js');
}

/** Node's WebAssembly global; the DOM typings that describe it are not part of this build. */
function webAssembly(): {
  instantiate(bytes: Uint8Array, imports: object): Promise<{ instance: object; module: object }>;
} {
  return (globalThis as unknown as { WebAssembly: ReturnType<typeof webAssembly> }).WebAssembly;
}

function wasmOutDir(): string {
  return path.join(path.dirname(require.resolve('@tensorflow/tfjs-backend-wasm/package.json')), 'wasm-out');
}

/**
 * Makes the next tf.setBackend('wasm') start the threaded build with
 * `threads` threads. Call it before the wasm backend first starts: an
 * instance already running is disposed, and every wasm tensor with it.
 * Returns a function that puts the previous (single-threaded) factory back.
 */
export function registerThreadedWasm(tf: Tf, options: WasmThreadsOptions): () => void {
  const workerFile = options.workerFile ?? defaultWorkerFile();
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- typed as the internals used here
  const wasmPackage = require('@tensorflow/tfjs-backend-wasm') as WasmPackage;
  const threads = Math.max(1, Math.min(Math.floor(options.threads), GLUE_POOL_SIZE));
  const previous = tf.engine().registryFactory[WASM];
  if (previous != null) tf.removeBackend(WASM);
  tf.registerBackend(
    WASM,
    async () => {
      const module = await instantiate(workerFile, threads);
      // BackendWasm's constructor sizes XNNPACK's pool from this setting.
      wasmPackage.setThreadsCount(threads);
      const backend = new wasmPackage.BackendWasm(module);
      endIdleWorkers(module);
      return backend;
    },
    WASM_PRIORITY,
  );
  return () => {
    if (tf.engine().registryFactory[WASM] != null) tf.removeBackend(WASM);
    wasmPackage.setThreadsCount(-1);
    if (previous != null) tf.registerBackend(WASM, previous.factory, previous.priority);
  };
}

async function instantiate(workerFile: string, threads: number): Promise<ThreadedModule> {
  const dir = wasmOutDir();
  const mainScript = path.join(dir, 'tfjs-backend-wasm-threaded-simd.js');
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- emscripten's glue, found by path at run time
  const factory = require(mainScript) as Factory;
  const binary = readFileSync(path.join(dir, 'tfjs-backend-wasm-threaded-simd.wasm'));
  const module = await factory({
    locateFile: (file: string) => (file.endsWith('.worker.js') ? workerFile : path.join(dir, file)),
    mainScriptUrlOrBlob: mainScript,
    instantiateWasm(
      imports: { env: Record<string, unknown> },
      receive: (instance: object, module: object) => void,
    ): object {
      imports.env.emscripten_num_logical_cores = () => 2 * threads;
      void webAssembly()
        .instantiate(binary, imports)
        .then((r) => receive(r.instance, r.module));
      return {};
    },
  });
  // The same bridge tfjs-backend-wasm builds around its own module.
  module.tfjs = {
    init: module.cwrap('init', null, []),
    initWithThreadsCount: module.cwrap('init_with_threads_count', null, ['number']),
    getThreadsCount: module.cwrap('get_threads_count', 'number', []),
    registerTensor: module.cwrap('register_tensor', null, ['number', 'number', 'number']),
    disposeData: module.cwrap('dispose_data', null, ['number']),
    dispose: module.cwrap('dispose', null, []),
  };
  return module;
}

/**
 * The glue pre-allocates eight workers, each with its own V8 isolate and
 * wasm instance. BackendWasm's constructor took threads - 1 of them for
 * XNNPACK's pool; the ones left idle would only hold memory (the glue starts
 * a fresh one if a thread is ever wanted later).
 */
function endIdleWorkers(module: ThreadedModule): void {
  for (const worker of module.PThread.unusedWorkers.splice(0)) void worker.terminate();
}
