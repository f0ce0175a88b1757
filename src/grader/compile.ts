/**
 * Turns the learner's TypeScript entry into one CommonJS file the harness can
 * require, so learners have no build step. esbuild bundles the learner's own
 * files; TensorFlow.js stays external so the harness can hand learner code the
 * grader's own instance. Dataset packages are refused: graded code gets its
 * data from `ctx.data` only.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { LearnerError } from './protocol';

export const DATASET_PACKAGES = [/^mnist$/, /^fashion-mnist$/, /^ml-dataset-/, /^@stdlib\/datasets/];

export interface CompiledEntry {
  bundle: string;
  dir: string;
  sources: string[];
}

export type CompileOutcome = { ok: true; entry: CompiledEntry } | { ok: false; error: LearnerError };

/** node_modules folders that hold mlpath's dependencies, so learners can import ml.js and friends. */
export function dependencyRoots(): string[] {
  const roots = new Set<string>();
  const tfjsPkg = require.resolve('@tensorflow/tfjs/package.json');
  roots.add(path.resolve(path.dirname(tfjsPkg), '..', '..'));
  return [...roots];
}

export async function compileEntry(entryFile: string, exerciseDir: string): Promise<CompileOutcome> {
  if (!fs.existsSync(entryFile)) {
    return {
      ok: false,
      error: { kind: 'missing-entry', message: `${path.relative(process.cwd(), entryFile) || entryFile} does not exist`, file: entryFile },
    };
  }
  const esbuild = await import('esbuild');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mlpath-run-'));
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
      sourcemap: 'inline',
      sourcesContent: false,
      logLevel: 'silent',
      metafile: true,
      absWorkingDir: exerciseDir,
      nodePaths: dependencyRoots(),
      external: ['@tensorflow/*', 'mlpath'],
      // The bundle lives in a temporary folder: files found from the code's own
      // location (config, saved weights) must be looked up in the exercise folder.
      define: {
        __dirname: JSON.stringify(path.dirname(entryFile)),
        __filename: JSON.stringify(entryFile),
        'import.meta.url': JSON.stringify(pathToFileURL(entryFile).href),
        'import.meta.dirname': JSON.stringify(path.dirname(entryFile)),
        'import.meta.filename': JSON.stringify(entryFile),
      },
      plugins: [
        {
          name: 'mlpath-no-dataset-packages',
          setup(build) {
            build.onResolve({ filter: /.*/ }, (args) => {
              if (DATASET_PACKAGES.some((re) => re.test(args.path))) {
                return {
                  errors: [{ text: `graded code cannot import the dataset package '${args.path}': your data arrives in ctx.data` }],
                };
              }
              return undefined;
            });
          },
        },
      ],
    });
    const sources = Object.keys(result.metafile?.inputs ?? {})
      .filter((p) => !p.includes('node_modules'))
      .map((p) => path.resolve(exerciseDir, p));
    return { ok: true, entry: { bundle, dir, sources } };
  } catch (err) {
    fs.rmSync(dir, { recursive: true, force: true });
    return { ok: false, error: buildError(err, exerciseDir) };
  }
}

interface EsbuildMessage {
  text: string;
  location?: { file: string; line: number; column: number; lineText: string } | null;
}

function buildError(err: unknown, exerciseDir: string): LearnerError {
  const errors = (err as { errors?: EsbuildMessage[] }).errors;
  const first = errors?.[0];
  if (!first) {
    return { kind: 'compile', message: err instanceof Error ? err.message : String(err) };
  }
  const loc = first.location;
  const forbidden = /cannot import the dataset package/.test(first.text);
  const file = loc ? path.resolve(exerciseDir, loc.file) : undefined;
  const where = loc ? `${path.relative(exerciseDir, file!)}:${loc.line}:${loc.column + 1}: ` : '';
  const more = errors.length > 1 ? ` (and ${errors.length - 1} more error${errors.length > 2 ? 's' : ''})` : '';
  const snippet = loc?.lineText ? `\n    ${loc.lineText.trim()}` : '';
  return {
    kind: forbidden ? 'forbidden-api' : 'compile',
    message: `${where}${first.text}${advice(first.text)}${more}${snippet}`,
    file,
    line: loc?.line,
    column: loc ? loc.column + 1 : undefined,
  };
}

/** What to do about the esbuild errors learners meet most. */
function advice(text: string): string {
  if (/^Top-level await/.test(text)) return ': mlpath runs your code as CommonJS, so move the await inside train(ctx)';
  const unresolved = /^Could not resolve "([^"]+)"/.exec(text);
  if (!unresolved) return '';
  const request = unresolved[1];
  if (request.startsWith('.') || path.isAbsolute(request)) return ': no such file; check the name and the folder';
  const name = request.startsWith('@') ? request.split('/').slice(0, 2).join('/') : request.split('/')[0];
  return `: the package is not installed; check its name, or install it in your workspace (npm install ${name})`;
}

export function cleanupCompiled(entry: CompiledEntry): void {
  fs.rmSync(entry.dir, { recursive: true, force: true });
}
