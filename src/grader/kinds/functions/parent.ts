/**
 * The `functions` kind, grader side: build the suite's fixtures, start the
 * child, check the named exports exist, run every case of the exercise's
 * suite and score the fraction that passed (metric `cases_passed`, one value per
 * case), or, for a suite with its own `score`, the metrics it computes from
 * all the outcomes.
 */
import { createHash } from 'node:crypto';
import type { LoadedExercise } from '../../../curriculum';
import { GradingError } from '../../../errors';
import { cleanupCompiled } from '../../compile';
import { checkThreshold } from '../../metrics';
import type { GradeOutcome, MetricResult } from '../../result';
import { suiteFor } from '../../suites';
import type { CaseOutcome, SuiteFixture } from '../../suites/types';
import { encodeStart, type ChildSession } from '../../runner';
import {
  bundleDirOf,
  compiledWhile,
  completedOutcome,
  failedOutcome,
  learnerSession,
  runSession,
  type GradeOptions,
  type ParentKind,
} from '../common';
import { suiteIdOf } from '../../../curriculum/kinds/functions';

/** The environment variable holding an instructor's secret for the cases of `functions` exercises. */
export const SUITE_SECRET_VARIABLE = 'MLPATH_SUITE_SECRET';

/** The seed the suite draws its cases from: the exercise's own, or one derived from it and the secret. */
export function secretSeed(seed: number, secret = process.env[SUITE_SECRET_VARIABLE]): number {
  if (!secret) return seed;
  return createHash('sha256').update(`${secret}\0${seed}`).digest().readUInt32LE(0) % 2 ** 31;
}

export async function gradeFunctions(ex: LoadedExercise, opts: GradeOptions): Promise<GradeOutcome> {
  const started = Date.now();
  const suiteId = suiteIdOf(ex);
  const suite = await suiteFor(suiteId);
  if (!suite) throw new GradingError(`no grading suite '${suiteId}' for ${ex.key}`);
  const seed = opts.seeds[0];
  // The cases come from the instructor's secret when one is set (CI): a table of answers computed ahead with
  // the shipped generators does not fit them. The child keeps the public seed.
  const caseSeed = secretSeed(seed);
  const drop = async ({ fixture, session }: { fixture?: SuiteFixture; session: ChildSession }): Promise<void> => {
    await session.close();
    fixture?.cleanup();
  };
  // esbuild compiles in a process of its own while the fixture is made here and the child loads TensorFlow.js:
  // the child reads nothing of the learner's before start() (harness.ts).
  const { loaded, prepared } = await compiledWhile(
    ex,
    opts,
    started,
    async () => {
      const fixture = await suite.prepare?.(caseSeed);
      const session = learnerSession(ex, opts, {
        kind: 'functions',
        bundleDir: bundleDirOf(opts),
        seed,
        payload: null,
        readRoots: fixture?.readRoots,
      });
      return { fixture, session };
    },
    // The compile itself failed (mlpath's own error, not the learner's): the child started beside it goes too.
    { release: drop },
  );
  const { fixture, session } = loaded;
  if (!prepared.ok) {
    await drop(loaded);
    return prepared.outcome;
  }
  session.start(encodeStart(prepared.compiled.bundle, null));
  const failures: string[] = [];
  const outcomes: CaseOutcome[] = [];
  let total = 0;
  const run = await runSession(session, async () => {
    // Built while the child starts (it is spawned with the session): the cases do not depend on it.
    const cases = suite.cases(caseSeed, fixture);
    const { names } = await session.expect('exports');
    const missing = suite.exports.filter((n) => !names.includes(n));
    total = cases.length;
    let id = 0;
    for (const c of cases) {
      if (missing.includes(c.fn)) {
        failures.push(`${c.fn}: not exported (add \`export function ${c.fn}(...)\`)`);
        outcomes.push({ case: c, problem: 'not exported' });
        continue;
      }
      session.send({
        type: 'call',
        id: ++id,
        name: c.fn,
        args: c.args,
        listing: c.listing,
        driver: c.driver,
        gradients: c.gradients,
      });
      const answer = await session.expect('result');
      const problem = answer.ok ? c.verify(answer.value) : `threw: ${answer.error}`;
      if (problem) failures.push(`${c.fn}: ${c.title}: ${problem}`);
      outcomes.push({ case: c, value: answer.ok ? answer.value : undefined, problem });
    }
  }).finally(() => {
    cleanupCompiled(prepared.compiled);
    fixture?.cleanup();
  });
  if (!run.ok) return failedOutcome(ex, opts, run, started);
  const passedCases = total - failures.length;
  const scores = suite.score?.(outcomes);
  const metrics: MetricResult[] = ex.metrics.map((spec) => {
    const value = scores ? (scores[spec.name] ?? NaN) : total ? passedCases / total : 0;
    return {
      name: spec.name,
      // A ranking metric's cut-off (recall_at_k of a recommender suite), so reports label it recall_at_k@10.
      ...(spec.k !== undefined ? { k: spec.k } : {}),
      value: Number.isFinite(value) ? value : null,
      min: spec.min,
      max: spec.max,
      passed: checkThreshold(value, spec),
    };
  });
  return completedOutcome(ex, opts, {
    started,
    backend: run.backend || opts.backend || '',
    metrics,
    // A suite that scores rates still wants every call to have answered properly.
    passed: !scores || failures.length === 0,
    output: [
      suite.describe?.(outcomes),
      failures.length ? `${passedCases}/${total} cases passed\n${failures.slice(0, 12).join('\n')}` : undefined,
    ]
      .filter(Boolean)
      .join('\n'),
    findings: suite.findings?.(outcomes),
  });
}

export const functionsKind: ParentKind = { grade: gradeFunctions };
