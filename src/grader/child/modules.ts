/**
 * How learner code gets at modules, closed in the child before it runs. The
 * bundle holds all of the learner's own code (compile.ts confines what goes
 * in), so at run time graded code may load Node's harmless built-in modules,
 * TensorFlow.js (answered with the grader's possibly restricted instance,
 * whatever the subpath) and `mlpath` (types only), and nothing else: no file
 * by path, no second copy of a package, no `vm`, `module` or `child_process`.
 * Every route to the module loader ends in the one pinned `Module._load`:
 * `require`, `require.main.require`, `module.constructor._load`,
 * `createRequire`. The module cache and the main module's children, which
 * hold the real TensorFlow.js exports, are emptied; compiling more code
 * (`Module.prototype._compile`) and loading native addons are refused once the
 * bundle is in. eval and `new Function` are off for the whole process
 * (`--disallow-code-generation-from-strings`, see sandbox.ts).
 */
import Module = require('node:module');
import * as fs from 'node:fs';
import { builtinName, REFUSED_BUILTINS, refusedBuiltin, setHolds } from '../builtins';

// Taken when this module loads, before learner code: the pinned loader calls Node's through this, never through
// Function.prototype.call, which learner code could replace to be handed the real loader. Likewise the string
// test below.
const { apply } = Reflect;
const startsWith = String.prototype.startsWith;

interface ModuleInternals {
  _load(request: string, parent: unknown, isMain: boolean): unknown;
  _cache: Record<string, unknown>;
  _extensions: Record<string, unknown>;
  prototype: { _compile(content: string, filename: string): unknown };
}

/** Marks an ERR_ACCESS_DENIED error whose message already says exactly what was refused. */
export const LOCKDOWN_MARK = Symbol.for('mlpath.lockdown');

function refused(message: string): Error {
  const err = new Error(message) as NodeJS.ErrnoException & { [LOCKDOWN_MARK]?: boolean };
  err.code = 'ERR_ACCESS_DENIED';
  err[LOCKDOWN_MARK] = true;
  return err;
}

function pin(target: object, key: string, value: unknown): void {
  Object.defineProperty(target, key, { value, writable: false, configurable: false, enumerable: false });
}

/** The answer to a request from graded code, or undefined to hand it to Node's loader. */
function answer(request: string, learnerTf: object): unknown {
  if (typeof request !== 'string') throw refused('require() takes a module name');
  const builtin = builtinName(request);
  if (builtin !== undefined) {
    if (setHolds(REFUSED_BUILTINS, builtin)) throw refused(refusedBuiltin(builtin));
    return undefined;
  }
  if (apply(startsWith, request, ['@tensorflow/'])) return learnerTf;
  if (request === 'mlpath') return {};
  throw refused(
    `graded code cannot load '${request}' at run time: everything it uses must be imported with a literal name, so that it is bundled (and checked) before the run`,
  );
}

/**
 * The learner's module, held for the life of the process: Node keeps a
 * module's source map in a WeakMap keyed by the module object, so once
 * nothing else holds it a garbage collection drops the map, and learner
 * frames lose their TypeScript file and line.
 */
const retained: object[] = [];

/**
 * Loads the learner's bundle as a fresh module with no parent and seals the
 * loader behind it. Call once, after TensorFlow.js and every module of the
 * harness are loaded.
 */
export function loadLearnerBundle(bundle: string, learnerTf: object): Record<string, unknown> {
  const M = Module as unknown as ModuleInternals &
    (new (id: string, parent: unknown) => { filename: string; paths: string[]; exports: unknown; loaded: boolean });
  const original = M._load;
  pin(M, '_load', function load(this: unknown, request: string, parent: unknown, isMain: boolean): unknown {
    const given = answer(request, learnerTf);
    return given !== undefined ? given : apply(original, this, [request, parent, isMain]);
  });
  // The harness's main module lists every module it loaded, TensorFlow.js's real exports included.
  const main = require.main as unknown as { children?: unknown[] } | undefined;
  if (main?.children) main.children.length = 0;
  Object.defineProperty(process, 'mainModule', { value: undefined, writable: false, configurable: false });
  for (const key of Object.keys(M._cache)) delete M._cache[key];

  const mod = new M(bundle, null);
  mod.filename = bundle;
  mod.paths = [];
  const source = fs.readFileSync(bundle, 'utf8');
  const compile = M.prototype._compile;
  pin(M.prototype, '_compile', function refuse(): never {
    throw refused('graded code cannot compile more code at run time');
  });
  // Before the bundle's first line runs: the native backend needs --allow-addons, learner code must not have them.
  pin(process, 'dlopen', function dlopen(): never {
    throw refused('graded code cannot load native addons');
  });
  pin(M._extensions, '.node', function node(): never {
    throw refused('graded code cannot load native addons');
  });
  // Node's source maps map the learner's frames back to TypeScript lines only for code compiled through the module loader.
  apply(compile, mod, [source, bundle]);
  mod.loaded = true;
  retained.push(mod);
  return mod.exports as Record<string, unknown>;
}

/**
 * Math.random from the run's seed (sfc32 over a splitmix32-expanded seed):
 * TensorFlow.js's shuffles in `fit` and its default initializer seeds come
 * from Math.random, so one submission, seed and backend give one result.
 */
export function seedMathRandom(seed: number): void {
  let s = (seed >>> 0) ^ 0x9e3779b9;
  const splitmix = (): number => {
    s = (s + 0x9e3779b9) >>> 0;
    let z = s;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
    return (z ^ (z >>> 16)) >>> 0;
  };
  let a = splitmix();
  let b = splitmix();
  let c = splitmix();
  let d = splitmix();
  const random = (): number => {
    const t = (((a + b) >>> 0) + d) >>> 0;
    d = (d + 1) >>> 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) >>> 0;
    c = (c << 21) | (c >>> 11);
    c = (c + t) >>> 0;
    return t / 4294967296;
  };
  for (let i = 0; i < 12; i++) random();
  Object.defineProperty(Math, 'random', { value: random, writable: true, configurable: true });
}
