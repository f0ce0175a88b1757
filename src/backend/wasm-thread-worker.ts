/**
 * Entry file of every pthread worker of the multi-threaded wasm build (see
 * wasm-threads.ts). tfjs-backend-wasm ships the emscripten worker script only
 * as a string, which it turns into a blob: URL that Node's worker_threads
 * refuse; this file runs the same script from a path.
 */
const scope = globalThis as typeof globalThis & { require?: NodeRequire; __filename?: string };
// The script is written for a classic worker: it expects require and
// __filename as globals.
scope.require = require;
scope.__filename = __filename;

const { wasmWorkerContents } =
  require('@tensorflow/tfjs-backend-wasm/wasm-out/tfjs-backend-wasm-threaded-simd.worker.js') as {
    wasmWorkerContents: string;
  };
// The package stores the script in a template literal, which turned its "\n"
// escapes into real line breaks inside string literals; tfjs-backend-wasm
// undoes that the same way before making its blob.
(0, eval)(wasmWorkerContents.replace(/\n/g, '\\n'));
