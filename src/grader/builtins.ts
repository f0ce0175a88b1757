/**
 * Which of Node's built-in modules graded code may use: one list for the
 * bundler (compile.ts, at build time) and the child's module lockdown (at
 * run time, for requests the bundler could not see).
 */
import { builtinModules } from 'node:module';

/**
 * Node modules graded code may not load: they compile code from strings
 * (vm, module, repl, inspector), start processes or threads, or reach the
 * network around the child's lockdown (dns).
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
]);

const BUILTINS: ReadonlySet<string> = new Set(builtinModules);

/** The Node module a request names (`node:fs/promises` -> `fs/promises`), or undefined for anything else. */
export function builtinName(request: string): string | undefined {
  const bare = request.startsWith('node:') ? request.slice(5) : request;
  return BUILTINS.has(bare) || (request.startsWith('node:') && BUILTINS.has(bare.split('/')[0])) ? bare : undefined;
}
