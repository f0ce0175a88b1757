/**
 * Turns the learner's TypeScript entry into one CommonJS file the harness can
 * require, so learners have no build step. esbuild runs in the grader, which
 * has no sandbox, so resolution is confined: a file is bundled only when its
 * real path is inside the snapshot of the exercise folder, and a package only
 * when the exercise allows it by name (`imports` in the curriculum) and it
 * resolves inside mlpath's own dependencies. TensorFlow.js and `mlpath` stay
 * external: the harness hands learner code the grader's own instance. Dataset
 * packages (from the datasets registry), mlpath's own files and Node modules
 * that run code from strings or start processes are refused with file and
 * line. Dynamic `import()` is lowered to `require`, which the child's module
 * lockdown answers.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Plugin } from 'esbuild';
import { datasetPackages } from '../datasets/registry';
import { builtinName, REFUSED_BUILTINS, refusedBuiltin } from './builtins';
import type { LearnerError } from './protocol';

export interface CompiledEntry {
  bundle: string;
  dir: string;
  sources: string[];
}

export type CompileOutcome = { ok: true; entry: CompiledEntry } | { ok: false; error: LearnerError };

export interface CompileOptions {
  /** Folder the bundle is written to (inside the check's private run folder). */
  outDir: string;
  /** Packages the exercise allows besides TensorFlow.js and mlpath. */
  imports: readonly string[];
}

/** `@scope/name/sub` -> `@scope/name`; `name/sub` -> `name`. */
export function packageName(request: string): string {
  const parts = request.split('/');
  return request.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0];
}

/** node_modules folders that hold mlpath's dependencies, where allowed packages are looked up. */
export function dependencyRoots(): string[] {
  const roots = new Set<string>();
  const tfjsPkg = require.resolve('@tensorflow/tfjs/package.json');
  roots.add(path.resolve(path.dirname(tfjsPkg), '..', '..'));
  return [...roots];
}

function inside(root: string, p: string): boolean {
  return p === root || p.startsWith(root + path.sep);
}

function realpathOrSelf(p: string): string {
  try {
    return fs.realpathSync(p);
  } catch {
    return p;
  }
}

const CONFINED = Symbol('mlpath.confined');

function confinement(exerciseDir: string, imports: readonly string[]): Plugin {
  const root = realpathOrSelf(exerciseDir);
  const datasets = new Set(datasetPackages());
  const allowed = new Set(imports.filter((name) => !datasets.has(name)));
  const packageDirs = dependencyRoots().map(realpathOrSelf);
  const refuse = (text: string) => ({ errors: [{ text }] });
  return {
    name: 'mlpath-confinement',
    setup(build) {
      build.onResolve({ filter: /.*/ }, async (args) => {
        if (args.kind === 'entry-point' || (args.pluginData as { [CONFINED]?: boolean } | undefined)?.[CONFINED])
          return undefined;
        const request = args.path;
        const builtin = builtinName(request);
        if (builtin !== undefined) {
          if (REFUSED_BUILTINS.has(builtin)) return refuse(refusedBuiltin(builtin));
          return { path: request, external: true };
        }
        if (request.startsWith('@tensorflow/')) return { path: request, external: true };
        const relative = request.startsWith('.') || path.isAbsolute(request);
        const name = relative ? undefined : packageName(request);
        if (name === 'mlpath') {
          return request === 'mlpath'
            ? { path: request, external: true }
            : refuse(`graded code cannot import mlpath's own files ('${request}'): import types from 'mlpath' only`);
        }
        if (name !== undefined && datasets.has(name))
          return refuse(`graded code cannot import the dataset package '${request}': your data arrives in ctx.data`);
        // An allowed package may load its own dependencies; learner files only what the exercise allows.
        const fromPackage = args.importer !== '' && packageDirs.some((d) => inside(d, realpathOrSelf(args.importer)));
        if (name !== undefined && !fromPackage && !allowed.has(name)) {
          return refuse(`graded code cannot import the package '${name}': ${unavailable(allowed)}`);
        }
        const resolved = await build.resolve(request, {
          kind: args.kind,
          resolveDir: args.resolveDir,
          importer: args.importer,
          pluginData: { [CONFINED]: true },
        });
        if (resolved.errors.length > 0) return { errors: resolved.errors };
        if (resolved.external || !resolved.path) return resolved;
        const real = realpathOrSelf(resolved.path);
        if (name === undefined && !fromPackage) {
          return inside(root, real)
            ? resolved
            : refuse(`graded code can only import files inside its exercise folder, and '${request}' is outside it`);
        }
        const home = packageDirs.find((d) => inside(d, real));
        const owner = home ? packageName(path.relative(home, real).split(path.sep).join('/')) : '';
        if (home && owner !== 'mlpath' && !datasets.has(owner)) return resolved;
        return refuse(`'${request}' must come from the packages installed with mlpath`);
      });
    },
  };
}

/** The folder compileEntry writes its bundle to under `outDir`: a child started before the compile is allowed to read it. */
export function bundleDirIn(outDir: string): string {
  return path.join(outDir, 'bundle');
}

export async function compileEntry(
  entryFile: string,
  exerciseDir: string,
  opts: CompileOptions,
): Promise<CompileOutcome> {
  if (!fs.existsSync(entryFile)) {
    return {
      ok: false,
      error: {
        kind: 'missing-entry',
        message: `${path.relative(process.cwd(), entryFile) || entryFile} does not exist`,
        file: entryFile,
      },
    };
  }
  const esbuild = await import('esbuild');
  const dir = bundleDirIn(opts.outDir);
  fs.mkdirSync(dir, { recursive: true });
  // .cjs: loaded as CommonJS even under a package.json that says "type": "module".
  const bundle = path.join(dir, 'entry.cjs');
  try {
    const result = await esbuild.build({
      entryPoints: [entryFile],
      outfile: bundle,
      bundle: true,
      platform: 'node',
      format: 'cjs',
      target: 'node20',
      // import(expr) becomes require(expr), which the child's module lockdown answers; a real import() would reach Node's ESM loader.
      supported: { 'dynamic-import': false },
      // One fixed TypeScript setup: a tsconfig.json in the submission could otherwise point esbuild at files outside it (extends, paths).
      // Strict, as an ES module is (and as tsc emits it): an assignment to a built-in the child has pinned
      // (child/integrity.ts) then throws where it is made, and is reported, instead of silently doing nothing.
      tsconfigRaw: { compilerOptions: { alwaysStrict: true } },
      sourcemap: 'inline',
      sourcesContent: false,
      logLevel: 'silent',
      metafile: true,
      absWorkingDir: exerciseDir,
      nodePaths: dependencyRoots(),
      // Files found from the code's own location (config, saved weights) are looked up in the exercise folder's snapshot.
      define: {
        __dirname: JSON.stringify(path.dirname(entryFile)),
        __filename: JSON.stringify(entryFile),
        'import.meta.url': JSON.stringify(pathToFileURL(entryFile).href),
        'import.meta.dirname': JSON.stringify(path.dirname(entryFile)),
        'import.meta.filename': JSON.stringify(entryFile),
      },
      plugins: [confinement(exerciseDir, opts.imports)],
    });
    const root = realpathOrSelf(exerciseDir);
    const sources = Object.keys(result.metafile?.inputs ?? {})
      .map((p) => path.resolve(exerciseDir, p))
      .filter((p) => inside(root, realpathOrSelf(p)) && !p.includes(`${path.sep}node_modules${path.sep}`));
    return { ok: true, entry: { bundle, dir, sources } };
  } catch (err) {
    fs.rmSync(dir, { recursive: true, force: true });
    return { ok: false, error: buildError(err, exerciseDir, opts.imports) };
  }
}

interface EsbuildMessage {
  text: string;
  location?: { file: string; line: number; column: number; lineText: string } | null;
}

/** What an exercise may import, for a learner who reached for another package. */
function unavailable(allowed: ReadonlySet<string> | readonly string[]): string {
  const extra = [...allowed];
  return (
    'it is not available to this exercise, which may import TensorFlow.js (ctx.tf, or @tensorflow/tfjs) and ' +
    `'mlpath' (for types)${extra.length ? `, plus ${extra.map((n) => `'${n}'`).join(', ')}` : ''} ` +
    `(the exercise's \`imports\` list in the curriculum${extra.length ? '' : ' adds none'})`
  );
}

function buildError(err: unknown, exerciseDir: string, imports: readonly string[]): LearnerError {
  const errors = (err as { errors?: EsbuildMessage[] }).errors;
  const first = errors?.[0];
  if (!first) {
    return { kind: 'compile', message: err instanceof Error ? err.message : String(err) };
  }
  const loc = first.location;
  const forbidden = /^graded code can|must come from the packages installed with mlpath/.test(first.text);
  const file = loc ? path.resolve(exerciseDir, loc.file) : undefined;
  const where = loc ? `${path.relative(exerciseDir, file!)}:${loc.line}:${loc.column + 1}: ` : '';
  const more = errors.length > 1 ? ` (and ${errors.length - 1} more error${errors.length > 2 ? 's' : ''})` : '';
  const snippet = loc?.lineText ? `\n    ${loc.lineText.trim()}` : '';
  return {
    kind: forbidden ? 'forbidden-api' : 'compile',
    message: `${where}${first.text}${advice(first.text, imports)}${more}${snippet}`,
    file,
    line: loc?.line,
    column: loc ? loc.column + 1 : undefined,
  };
}

/** What to do about the esbuild errors learners meet most. */
function advice(text: string, imports: readonly string[]): string {
  if (/^Top-level await/.test(text)) return ': mlpath runs your code as CommonJS, so move the await inside train(ctx)';
  const unresolved = /^Could not resolve "([^"]+)"/.exec(text);
  if (!unresolved) return '';
  const request = unresolved[1];
  if (request.startsWith('.') || path.isAbsolute(request)) return ': no such file; check the name and the folder';
  const name = request.startsWith('@') ? request.split('/').slice(0, 2).join('/') : request.split('/')[0];
  return `: the package '${name}' is not available to this exercise: it is not installed next to mlpath (check its name; a course that needs it installs it beside mlpath); ${unavailable(imports.filter((n) => n !== name)).replace(/^it is not available to this exercise, which/, 'the exercise')}`;
}

export function cleanupCompiled(entry: CompiledEntry): void {
  fs.rmSync(entry.dir, { recursive: true, force: true });
}
