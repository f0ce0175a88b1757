/**
 * Turns whatever learner code threw into a LearnerError the parent can show:
 * the message, and the learner's own stack frames (already mapped to their
 * TypeScript lines by Node's source-map support), with mlpath's and
 * TensorFlow.js's frames left out.
 */
import * as path from 'node:path';
import { inspect } from 'node:util';
import { FORBIDDEN_MARK } from '../forbidden';
import { printable } from '../output-capture';
import type { ErrorKind, LearnerError } from '../protocol';

const FRAME = /^\s*at (?:(.*?) \()?(?:file:\/\/)?(\/[^()]*?|[A-Za-z]:\\[^()]*?):(\d+):(\d+)\)?$/;

export interface Frame {
  text: string;
  file: string;
  line: number;
  column: number;
}

export function learnerFrames(stack: string | undefined, sourceRoot: string): Frame[] {
  if (!stack) return [];
  const frames: Frame[] = [];
  for (const raw of stack.split('\n').slice(1)) {
    const m = FRAME.exec(raw);
    if (!m) continue;
    const file = path.resolve(m[2]);
    if (!file.startsWith(sourceRoot + path.sep) || file.includes(`${path.sep}node_modules${path.sep}`)) continue;
    const fn = m[1] ? `${m[1]} ` : '';
    frames.push({
      text: `at ${fn}(${path.relative(sourceRoot, file)}:${m[3]}:${m[4]})`,
      file,
      line: Number(m[3]),
      column: Number(m[4]),
    });
  }
  return frames;
}

const MEMORY = /out of memory|Cannot enlarge memory|Array buffer allocation failed|WebAssembly\.Memory|Aborted\(OOM\)/i;
/** Lengths past what a typed array may hold are a size problem; a negative or NaN length is a bug. */
const HUGE_LENGTH = /Invalid typed array length: (\d{10,})|Invalid array length$/;

function isMemoryError(err: Error): boolean {
  return MEMORY.test(err.message) || (err instanceof RangeError && HUGE_LENGTH.test(err.message));
}

/** An ERR_ACCESS_DENIED error itself or as the cause of another (fetch wraps a refused connection). */
function accessDenied(err: Error | undefined): (Error & { resource?: string }) | undefined {
  for (
    let e: unknown = err, depth = 0;
    e instanceof Error && depth < 5;
    e = (e as { cause?: unknown }).cause, depth++
  ) {
    if ((e as NodeJS.ErrnoException).code === 'ERR_ACCESS_DENIED') return e;
  }
  return undefined;
}

export function describeThrown(thrown: unknown, sourceRoot: string, fallbackKind: ErrorKind = 'runtime'): LearnerError {
  const err = thrown instanceof Error ? thrown : undefined;
  const frames = learnerFrames(err?.stack, sourceRoot);
  let kind: ErrorKind = fallbackKind;
  if (err && (err as unknown as Record<symbol, unknown>)[FORBIDDEN_MARK]) kind = 'forbidden-api';
  else if (err && isMemoryError(err)) kind = 'memory';
  let message: string;
  const denied = accessDenied(err);
  if (denied && (denied as unknown as Record<symbol, unknown>)[Symbol.for('mlpath.lockdown')]) {
    message = denied.message;
  } else if (denied) {
    message = `tried to reach something graded code may not use${denied.resource ? ` (${denied.resource})` : ''}: during a check, reading files outside the exercise folder, writing files, the network, signals to other processes and starting processes or workers are blocked. Your data is in ctx.data.`;
  } else if (err && (err as NodeJS.ErrnoException).code === 'MODULE_NOT_FOUND') {
    message = missingModule(String(err.message));
  } else if (err) {
    const name = err.name && err.name !== 'Error' && kind !== 'forbidden-api' ? `${err.name}: ` : '';
    message = `${name}${truncate(String(err.message), 2000)}`;
  } else {
    message = `${nonError(thrown)}; throw new Error(...) instead, so mlpath can show the file and line`;
  }
  message = printable(message);
  return {
    kind,
    message,
    file: frames[0]?.file,
    line: frames[0]?.line,
    column: frames[0]?.column,
    frames: frames.slice(0, 8).map((f) => f.text),
  };
}

/** Node's message without its "Require stack" of mlpath's own files, and with what can be loaded. */
function missingModule(text: string): string {
  const first = text.split('\n')[0];
  const name = /Cannot find module '([^']+)'/.exec(first)?.[1] ?? '';
  if (name.startsWith('@tensorflow/')) {
    return `${first}: during a check, @tensorflow/tfjs (also imported as tfjs-node, tfjs-core or tfjs-layers) is the TensorFlow.js package available`;
  }
  return `${first}: your code is bundled before it runs, so only modules named literally in an import or require() are included`;
}

function nonError(v: unknown): string {
  if (typeof v === 'string') return `threw a string, not an Error: ${JSON.stringify(truncate(v, 500))}`;
  let shown: string;
  try {
    shown = inspect(v, { depth: 2, breakLength: Infinity, maxArrayLength: 10, maxStringLength: 200 });
  } catch {
    shown = Object.prototype.toString.call(v);
  }
  if (v === null || v === undefined) return `threw ${shown} instead of an Error`;
  return `threw ${typeof v === 'object' ? 'an object' : `a ${typeof v}`}, not an Error: ${truncate(shown, 500)}`;
}

function truncate(s: string, max: number): string {
  return s.length > max ? `${s.slice(0, max)}... (${s.length - max} more characters)` : s;
}
