/**
 * Turns whatever learner code threw into a LearnerError the parent can show:
 * the message, and the learner's own stack frames (already mapped to their
 * TypeScript lines by Node's source-map support), with mlpath's and
 * TensorFlow.js's frames left out.
 */
import * as path from 'node:path';
import { FORBIDDEN_MARK } from '../forbidden';
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

const MEMORY = /out of memory|Cannot enlarge memory|Array buffer allocation failed|WebAssembly\.Memory|Aborted\(OOM\)|Invalid typed array length|Invalid array length/i;

export function describeThrown(thrown: unknown, sourceRoot: string, fallbackKind: ErrorKind = 'runtime'): LearnerError {
  const err = thrown instanceof Error ? thrown : undefined;
  const frames = learnerFrames(err?.stack, sourceRoot);
  let kind: ErrorKind = fallbackKind;
  if (err && (err as unknown as Record<symbol, unknown>)[FORBIDDEN_MARK]) kind = 'forbidden-api';
  else if (err && MEMORY.test(err.message)) kind = 'memory';
  let message: string;
  if (err && (err as NodeJS.ErrnoException).code === 'ERR_ACCESS_DENIED') {
    const resource = (err as unknown as { resource?: string }).resource;
    message = `tried to reach something graded code may not use${resource ? ` (${resource})` : ''}: during a check, reading files outside the exercise folder and starting processes or workers are blocked. Your data is in ctx.data.`;
  } else if (err) {
    const name = err.name && err.name !== 'Error' && kind !== 'forbidden-api' ? `${err.name}: ` : '';
    message = `${name}${truncate(err.message, 2000)}`;
  } else {
    message = `threw a non-Error value: ${truncate(safeString(thrown), 500)}`;
  }
  return {
    kind,
    message,
    file: frames[0]?.file,
    line: frames[0]?.line,
    column: frames[0]?.column,
    frames: frames.slice(0, 8).map((f) => f.text),
  };
}

function safeString(v: unknown): string {
  try {
    return typeof v === 'string' ? v : JSON.stringify(v) ?? String(v);
  } catch {
    return Object.prototype.toString.call(v);
  }
}

function truncate(s: string, max: number): string {
  return s.length > max ? `${s.slice(0, max)}... (${s.length - max} more characters)` : s;
}
