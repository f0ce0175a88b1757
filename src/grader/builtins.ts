/**
 * Which of Node's built-in modules graded code may use: one list for the
 * bundler (compile.ts, at build time) and the child's module lockdown (at
 * run time, for requests the bundler could not see).
 */
import { builtinModules } from 'node:module';

/**
 * Node modules graded code may not load: they compile code from strings
 * (vm, module, repl, inspector), start processes or threads, reach the
 * network around the child's lockdown (dns), or look into the harness's own
 * workings: async_hooks' executionAsyncResource() hands over the resource of
 * whatever callback is running, the harness's read of the grader's private
 * channel among them.
 */
export const REFUSED_BUILTINS: ReadonlySet<string> = new Set([
  'vm',
  'v8',
  'module',
  'repl',
  'inspector',
  'inspector/promises',
  'worker_threads',
  'child_process',
  'cluster',
  'wasi',
  'trace_events',
  'dns',
  'dns/promises',
  'http2',
  'diagnostics_channel',
  'async_hooks',
]);

/** Why graded code may not load the refused built-in `name`, in one sentence (compile time and run time alike). */
export function refusedBuiltin(name: string): string {
  return `graded code cannot use Node's '${name}' module: it runs code from strings, starts processes, reaches the network or looks into mlpath's own workings`;
}

const BUILTINS: ReadonlySet<string> = new Set(builtinModules);

// Taken when this module loads: in the child that is before learner code, which may replace the prototypes'
// methods to make a refused module look allowed (modules.ts asks these functions on every require).
const { apply } = Reflect;
/* eslint-disable @typescript-eslint/unbound-method -- called only through Reflect.apply, with the receiver given */
const setHas = Set.prototype.has;
const startsWith = String.prototype.startsWith;
const slice = String.prototype.slice;
const indexOf = String.prototype.indexOf;
/* eslint-enable @typescript-eslint/unbound-method */

/** Whether `set` holds `name`, through the Set method as it was when this module loaded. */
export function setHolds(set: ReadonlySet<string>, name: string): boolean {
  return apply(setHas, set, [name]);
}

/** The Node module a request names (`node:fs/promises` -> `fs/promises`), or undefined for anything else. */
export function builtinName(request: string): string | undefined {
  const prefixed = apply(startsWith, request, ['node:']);
  const bare = prefixed ? apply(slice, request, [5]) : request;
  const slash = apply(indexOf, bare, ['/']);
  const root = slash < 0 ? bare : apply(slice, bare, [0, slash]);
  return setHolds(BUILTINS, bare) || (prefixed && setHolds(BUILTINS, root)) ? bare : undefined;
}
