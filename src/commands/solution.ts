/**
 * `mlpath solution <id>`: the curriculum's reference solution, shown only
 * once the learner's own solution has passed. Reading an answer before
 * struggling with the problem teaches little; comparing afterwards teaches a
 * lot.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { UsageError } from '../errors';
import { exerciseProgress, loadProgress } from '../progress/store';
import { resolveTarget } from './target';

export interface SolutionOptions {
  cwd: string;
  id?: string;
}

export interface SolutionFile {
  /** Path relative to the solution folder. */
  path: string;
  content: string;
}

export interface SolutionResult {
  exercise: string;
  title: string;
  files: SolutionFile[];
}

/** Files larger than this are listed, not printed. */
const MAX_PRINTED_BYTES = 100_000;

function listFiles(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string): void => {
    for (const entry of fs.readdirSync(d, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      const full = path.join(d, entry.name);
      if (entry.isDirectory()) walk(full);
      else out.push(full);
    }
  };
  walk(dir);
  return out;
}

export async function run(opts: SolutionOptions): Promise<SolutionResult> {
  const { ws, exercise } = resolveTarget({ cwd: opts.cwd, id: opts.id, verb: 'solution' });
  const p = exerciseProgress(loadProgress(ws.root).progress, exercise.key);
  if (!p.passed) {
    const hints = exercise.hints.length;
    const nextHint =
      p.hintsSeen < hints
        ? `\`mlpath hint ${exercise.key}\` shows hint ${p.hintsSeen + 1} of ${hints}`
        : `\`mlpath hint ${exercise.key} --all\` shows all ${hints} hints again`;
    throw new UsageError(
      `the reference solution of ${exercise.key} unlocks once your own solution passes (${p.attempts ? `${p.attempts} attempt${p.attempts > 1 ? 's' : ''} so far` : 'not checked yet'})`,
      `${nextHint}; then \`mlpath check ${exercise.key}\``,
    );
  }
  if (!exercise.solutionDir || !fs.existsSync(exercise.solutionDir)) {
    throw new UsageError(
      `this curriculum ships no reference solution for ${exercise.key}`,
      '`mlpath next` shows the next exercise',
    );
  }
  const files = listFiles(exercise.solutionDir).map((file) => {
    const rel = path.relative(exercise.solutionDir!, file).split(path.sep).join('/');
    const size = fs.statSync(file).size;
    const content = size > MAX_PRINTED_BYTES ? `(${size} bytes, not printed: ${file})` : fs.readFileSync(file, 'utf8');
    return { path: rel, content };
  });
  return { exercise: exercise.key, title: exercise.title, files };
}
