/**
 * The `functions` kind, grader side: start the child, check the named exports
 * exist, run every case of the exercise's suite and score the fraction that
 * passed (metric `accuracy`, one value per case).
 */
import type { LoadedExercise } from '../../curriculum';
import { GradingError } from '../../errors';
import { cleanupCompiled } from '../compile';
import type { GradeOutcome, MetricResult } from '../result';
import { ChildFailure, ChildSession } from '../runner';
import { suiteFor } from '../suites';
import { errorOutcome, prepareEntry, type GradeOptions } from './common';

export async function gradeFunctions(ex: LoadedExercise, opts: GradeOptions): Promise<GradeOutcome> {
  const started = Date.now();
  const suiteId = String((ex.options as { suite?: string } | undefined)?.suite ?? ex.id);
  const suite = await suiteFor(suiteId);
  if (!suite) throw new GradingError(`no grading suite '${suiteId}' for ${ex.key}`);
  const prepared = await prepareEntry(ex, opts, started);
  if (!prepared.ok) return prepared.outcome;
  const seed = opts.seeds[0];
  const session = new ChildSession({
    kind: 'functions',
    bundle: prepared.compiled.bundle,
    sourceRoot: opts.exerciseDir,
    backend: opts.backend,
    seed,
    budgetSeconds: opts.timeoutSeconds ?? ex.budget.seconds,
    memoryMb: ex.budget.memoryMb,
    forbid: ex.forbid,
    payload: null,
  });
  const failures: string[] = [];
  let total = 0;
  let backend = opts.backend ?? '';
  try {
    const { names } = await session.expect('exports');
    backend = session.backend || backend;
    const missing = suite.exports.filter((n) => !names.includes(n));
    const cases = suite.cases(seed);
    total = cases.length;
    let id = 0;
    for (const c of cases) {
      if (missing.includes(c.fn)) {
        failures.push(`${c.fn}: not exported (add \`export function ${c.fn}(...)\`)`);
        continue;
      }
      session.send({ type: 'call', id: ++id, name: c.fn, args: c.args });
      const answer = await session.expect('result');
      const problem = answer.ok ? c.verify(answer.value) : `threw: ${answer.error}`;
      if (problem) failures.push(`${c.fn}: ${c.title}: ${problem}`);
    }
  } catch (err) {
    if (err instanceof ChildFailure) {
      return errorOutcome(ex, { ...opts, backend }, err.error, started, { output: session.output.text() });
    }
    throw err;
  } finally {
    await session.close();
    cleanupCompiled(prepared.compiled);
  }
  const passedCases = total - failures.length;
  const metrics: MetricResult[] = ex.metrics.map((spec) => {
    const value = total ? passedCases / total : 0;
    return { name: spec.name, value, min: spec.min, max: spec.max, passed: (spec.min === undefined || value >= spec.min) && (spec.max === undefined || value <= spec.max) };
  });
  const passed = metrics.every((m) => m.passed);
  return {
    result: {
      exercise: ex.key,
      status: passed ? 'passed' : 'failed',
      metrics,
      seed,
      backend,
      durationMs: Date.now() - started,
      error: null,
      output: failures.length ? `${passedCases}/${total} cases passed\n${failures.slice(0, 12).join('\n')}` : undefined,
    },
    details: { curve: [] },
  };
}
