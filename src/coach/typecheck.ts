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
import { sha256 } from '../datasets/lock';
import {
  exerciseFiles,
  fingerprint,
  probe,
  readCachedTypeCheck,
  typeCheckKey,
  writeCachedTypeCheck,
  type TypeCheckInputs,
} from './typecheck-cache';

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

const previous = new Map<string, import('typescript').Program>();

/** A type check's issues and what it read and probed (see typecheck-cache.ts). */
export interface TypeCheckRun {
  issues: TypeIssue[];
  inputs: TypeCheckInputs;
}

/** Type-checks in this thread (tests call it directly). */
export function typeCheckNow(req: TypeCheckRequest): TypeIssue[] {
  return typeCheckRecorded(req).issues;
}

/** Type-checks in this thread, noting every file the compiler read and every path it probed (the worker's body). */
export function typeCheckRecorded(req: TypeCheckRequest): TypeCheckRun {
  const inputs: TypeCheckInputs = { read: {}, probed: {}, stats: {} };
  const none = { issues: [], inputs };
  const ts = loadTypeScript();
  const config = path.join(req.root, 'tsconfig.json');
  if (!ts || !fs.existsSync(config) || !fs.existsSync(req.dir)) return none;
  const readFile = (p: string): string | undefined => {
    let bytes: Buffer;
    // Taken before the read: a write after it moves the change time, and the next check re-hashes the file.
    const stat = fingerprint(p);
    try {
      bytes = fs.readFileSync(p);
    } catch {
      inputs.probed[path.resolve(p)] = probe(p);
      return undefined;
    }
    const utf16 =
      bytes.length >= 2 && ((bytes[0] === 0xff && bytes[1] === 0xfe) || (bytes[0] === 0xfe && bytes[1] === 0xff));
    // What TypeScript decodes itself is never vouched for: a hash that matches nothing makes the entry a miss.
    inputs.read[path.resolve(p)] = utf16 ? 'utf-16' : sha256(bytes);
    if (stat && !utf16 && inputs.stats) inputs.stats[path.resolve(p)] = stat;
    if (utf16) return ts.sys.readFile(p);
    const utf8Bom = bytes.length >= 3 && bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf;
    return bytes.toString('utf8', utf8Bom ? 3 : 0);
  };
  const exists = (p: string, kind: 'file' | 'dir'): boolean => {
    const found = probe(p);
    inputs.probed[path.resolve(p)] = found;
    return found === kind;
  };
  const parseHost: import('typescript').ParseConfigHost = {
    useCaseSensitiveFileNames: ts.sys.useCaseSensitiveFileNames,
    readDirectory: (...args) => ts.sys.readDirectory(...args),
    fileExists: (p) => exists(p, 'file'),
    readFile,
  };
  const read = ts.readConfigFile(config, readFile);
  if (read.error) return none;
  const parsed = ts.parseJsonConfigFileContent(read.config, parseHost, req.root);
  const roots = exerciseFiles(req.dir);
  if (!roots.length) return none;
  const options = { ...parsed.options, noEmit: true };
  const host = ts.createCompilerHost(options);
  // getSourceFile reads through host.readFile; module resolution probes through these.
  host.readFile = readFile;
  host.fileExists = (p) => exists(p, 'file');
  host.directoryExists = (p) => exists(p, 'dir');
  const program = ts.createProgram({
    rootNames: roots,
    options,
    host,
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
  // A file the compiler did not read through this host (lent by the previous program) is not vouched for: the entry is a miss.
  for (const source of program.getSourceFiles()) {
    const file = path.resolve(source.fileName);
    if (!(file in inputs.read)) inputs.read[file] = 'unread';
  }
  return { issues, inputs };
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

/**
 * Type-checks in this thread, answering from the cache (typecheck-cache.ts)
 * code checked before against the same declarations, without loading
 * TypeScript (the worker's body).
 */
export function typeCheckCached(req: TypeCheckRequest): TypeIssue[] {
  const key = typeCheckKey(req);
  const cached = key !== undefined ? readCachedTypeCheck(key) : undefined;
  if (cached) return cached;
  const run = typeCheckRecorded(req);
  if (key !== undefined) writeCachedTypeCheck(key, run.inputs, run.issues);
  return run.issues;
}

/** Starts a type check beside whatever runs next; resolves to [] on any failure. */
export function startTypeCheck(req: TypeCheckRequest): Promise<TypeIssue[]> {
  const w = getWorker();
  if (!w) {
    try {
      return Promise.resolve(typeCheckCached(req));
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
