/**
 * Type errors in the learner's files, as warnings beside a check's verdict.
 * The check runs the JavaScript esbuild makes whatever the types say (a
 * learner must be free to experiment); this tells them what their editor
 * would, with the workspace's own tsconfig.json (the one `mlpath start`
 * wrote, so `mlpath` and `@tensorflow/tfjs` resolve as in the editor).
 *
 * TypeScript takes a second or more to load and read TensorFlow.js's
 * declarations, so the work runs on a worker thread beside the grading, and
 * the worker stays alive for the process: `watch` re-checks reuse the
 * previous program's parsed files. Only diagnostics located in the
 * exercise's own files are reported. A workspace without a tsconfig.json, or
 * an install without TypeScript, gets no type check and no noise.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Worker } from 'node:worker_threads';

export interface TypeIssue {
  /** Workspace-relative, with forward slashes. */
  file: string;
  line: number;
  column: number;
  code: number;
  message: string;
}

export interface TypeCheckRequest {
  /** The workspace root (where tsconfig.json is). */
  root: string;
  /** The exercise's folder: its .ts files are the program's roots. */
  dir: string;
}

/** At most this many issues are listed; the rest are counted. */
export const MAX_TYPE_ISSUES = 8;

type Ts = typeof import('typescript');

function loadTypeScript(): Ts | undefined {
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- optional at run time: a check without TypeScript installed still runs
    return require('typescript') as Ts;
  } catch {
    return undefined;
  }
}

function exerciseFiles(dir: string): string[] {
  const files: string[] = [];
  const walk = (d: string): void => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      if (e.name.startsWith('.') || e.name === 'node_modules' || e.name === 'mlruns') continue;
      const full = path.join(d, e.name);
      if (e.isDirectory()) walk(full);
      // Declaration files too: an exercise may ship one for a library without types, as the editor reads it.
      else if (e.isFile() && /\.(ts|tsx|mts|cts)$/.test(e.name)) files.push(full);
    }
  };
  walk(dir);
  return files.sort();
}

const previous = new Map<string, import('typescript').Program>();

/** Type-checks in this thread (the worker's body; tests call it directly). */
export function typeCheckNow(req: TypeCheckRequest): TypeIssue[] {
  const ts = loadTypeScript();
  const config = path.join(req.root, 'tsconfig.json');
  if (!ts || !fs.existsSync(config) || !fs.existsSync(req.dir)) return [];
  const read = ts.readConfigFile(config, (p) => ts.sys.readFile(p));
  if (read.error) return [];
  const parsed = ts.parseJsonConfigFileContent(read.config, ts.sys, req.root);
  const roots = exerciseFiles(req.dir);
  if (!roots.length) return [];
  const program = ts.createProgram({
    rootNames: roots,
    options: { ...parsed.options, noEmit: true },
    oldProgram: previous.get(req.root),
  });
  previous.set(req.root, program);
  const own = new Set(roots.map((f) => path.resolve(f)));
  const issues: TypeIssue[] = [];
  for (const file of roots) {
    const source = program.getSourceFile(file);
    if (!source) continue;
    for (const d of [...program.getSyntacticDiagnostics(source), ...program.getSemanticDiagnostics(source)]) {
      if (!d.file || !own.has(path.resolve(d.file.fileName)) || d.start === undefined) continue;
      const { line, character } = d.file.getLineAndCharacterOfPosition(d.start);
      issues.push({
        file: path.relative(req.root, d.file.fileName).split(path.sep).join('/'),
        line: line + 1,
        column: character + 1,
        code: d.code,
        message: ts.flattenDiagnosticMessageText(d.messageText, ' '),
      });
    }
  }
  return issues;
}

let worker: Worker | undefined;
let nextId = 0;
const pending = new Map<number, (issues: TypeIssue[]) => void>();

function settleAll(): void {
  for (const resolve of pending.values()) resolve([]);
  pending.clear();
  worker = undefined;
}

function getWorker(): Worker | undefined {
  if (worker) return worker;
  const script = path.join(__dirname, 'typecheck-worker.js');
  // Under ts-jest the worker's compiled file does not exist: the caller checks in-process instead.
  if (!fs.existsSync(script)) return undefined;
  const w = new Worker(script);
  w.unref();
  w.on('message', (msg: { id: number; issues: TypeIssue[] }) => {
    pending.get(msg.id)?.(msg.issues);
    pending.delete(msg.id);
    // Idle, the worker must not keep a finished command alive; busy, it must (see startTypeCheck).
    if (!pending.size) w.unref();
  });
  // A crashed worker (out of memory on a huge file) costs the warnings, never the check.
  w.on('error', settleAll);
  w.on('exit', settleAll);
  worker = w;
  return w;
}

/** Starts a type check beside whatever runs next; resolves to [] on any failure. */
export function startTypeCheck(req: TypeCheckRequest): Promise<TypeIssue[]> {
  const w = getWorker();
  if (!w) {
    try {
      return Promise.resolve(typeCheckNow(req));
    } catch {
      return Promise.resolve([]);
    }
  }
  const id = nextId++;
  return new Promise((resolve) => {
    pending.set(id, resolve);
    w.ref();
    w.postMessage({ id, req });
  });
}

/** The warnings a check prints: one line per issue, the first few only. */
export function typeWarnings(issues: TypeIssue[]): string[] {
  if (!issues.length) return [];
  const lines = issues
    .slice(0, MAX_TYPE_ISSUES)
    .map((i) => `${i.file}:${i.line}:${i.column} type error TS${i.code}: ${i.message}`);
  const more = issues.length - MAX_TYPE_ISSUES;
  lines.push(
    `${more > 0 ? `${more} more type error(s) not shown; ` : ''}type errors do not stop a check (your JavaScript ran as written), but they usually point at a real bug: your editor shows them as you type`,
  );
  return lines;
}
