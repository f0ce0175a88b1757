/**
 * The capstone suite: its chain accepts the reference solution (run
 * in-process, values passed through JSON as the channel does), scores the
 * reference's model on the grader's held-out workers, and rejects the starter
 * and the shortcuts that skip a stage, each failing in the stage it skipped.
 */
import { suiteFor } from '../../../../src/grader/suites';
import { suite, STAGES, MAX_CARRIED_BYTES } from '../../../../src/grader/suites/capstone';
import { carriedBytes } from '../../../../src/grader/suites/carried';
import { SCHEMA, cellProblem, type Row } from '../../../../src/grader/suites/data-quality';
import type { CaseOutcome } from '../../../../src/grader/suites/types';
import * as reference from '../../../../solutions/month4/capstone/capstone';
import * as starter from '../../../../exercises/month4/capstone/capstone';
import * as noClean from '../../../fixtures/submissions/cap-no-clean';
import * as alwaysPromote from '../../../fixtures/submissions/cap-always-promote';
import * as neverAlarm from '../../../fixtures/submissions/cap-never-alarm';
import * as fitValidation from '../../../fixtures/submissions/cap-fit-validation';
import * as fixedCoefficients from '../../../fixtures/submissions/cap-fixed-coefficients';

type Impl = Record<string, unknown>;

/** Runs the chain as the grader does: cases in order, each case's args read when it is sent. */
function grade(impl: Impl, seed = 1): { outcomes: CaseOutcome[]; failed: string[]; scores: Record<string, number> } {
  const outcomes: CaseOutcome[] = [];
  for (const c of suite.cases(seed)) {
    let value: unknown;
    let problem: string | undefined;
    try {
      const args = JSON.parse(JSON.stringify(c.args)) as unknown[];
      value = JSON.parse(JSON.stringify((impl[c.fn] as (...a: unknown[]) => unknown)(...args) ?? null)) as unknown;
      problem = c.verify(value);
    } catch (err) {
      problem = `threw: ${(err as Error).message}`;
    }
    outcomes.push({ case: c, value, problem });
  }
  const failed = outcomes.filter((o) => o.problem).map((o) => `${o.case.title}: ${o.problem}`);
  return { outcomes, failed, scores: suite.score!(outcomes) };
}

/** The stages that have a failing case. */
function failedStages(impl: Impl, seed = 1): string[] {
  const { outcomes } = grade(impl, seed);
  return STAGES.filter((s) => outcomes.some((o) => o.problem && (o.case.tag as { stage: string }).stage === s));
}

describe('capstone suite', () => {
  it('is registered, and its cases call its exports in the order of the pipeline', async () => {
    expect(await suiteFor('capstone')).toBe(suite);
    const fns = suite.cases(1).map((c) => c.fn);
    expect([...new Set(fns)]).toEqual(suite.exports);
  });

  it.each([1, 2, 3])('passes the reference on seed %i, with its held-out R² scored by the grader', (seed) => {
    const { failed, scores } = grade(reference, seed);
    expect(failed).toEqual([]);
    expect(scores.cases_passed).toBe(1);
    // R² of log wage on the held-out workers: 0.20-0.38 over seeds 1-6; a mean model scores about 0.
    expect(scores.r2).toBeGreaterThan(0.15);
  });

  it('fails the starter in every stage, and scores no model for it', () => {
    const { scores } = grade(starter);
    expect(scores.cases_passed).toBeLessThan(1);
    expect(scores.r2).toBeNaN();
    expect(failedStages(starter)).toEqual([...STAGES]);
  });

  it('makes up probe wages that are valid by the schema, so a train() that checks its rows keeps them all', () => {
    const probes = suite.cases(2).filter((c) => c.fn === 'train' && /made up|validation wages/.test(c.title));
    expect(probes).toHaveLength(2);
    for (const c of probes) {
      const rows = c.args[0] as Row[];
      const bad = rows.flatMap((r) => Object.keys(SCHEMA).filter((k) => cellProblem(k, r[k])));
      expect(bad).toEqual([]);
    }
  });

  it('draws the same chain from the same seed and other rows from another', () => {
    const args = (seed: number): string => JSON.stringify(suite.cases(seed)[0].args);
    expect(args(3)).toBe(args(3));
    expect(args(3)).not.toBe(args(4));
  });

  it.each([
    ['no cleaning', noClean, ['clean']],
    ['a registry that always promotes', alwaysPromote, ['registry']],
    ['a monitor that never alarms', neverAlarm, ['monitor']],
    ['a model fitted on the validation rows too', fitValidation, ['train']],
    ['coefficients fitted on every worker of the survey, held-out ones included', fixedCoefficients, ['train']],
  ])('fails %s in that stage only', (_, impl, stages) => {
    expect(failedStages(impl as Impl)).toEqual(stages);
  });

  it("keeps what it hands from stage to stage under a cap over 100 times the reference's, and stops at one over it", () => {
    const { outcomes } = grade(reference);
    const train = outcomes.find((o) => o.case.fn === 'train')!;
    const register = outcomes.find((o) => o.case.fn === 'register')!;
    const model = carriedBytes((train.value as { model: unknown }).model);
    const registry = carriedBytes(register.value);
    expect(Math.max(model, registry) * 100).toBeLessThan(MAX_CARRIED_BYTES);
    // The reference's own model with a history of rows kept in it: the check ends, naming the size and the cap.
    const heavy = {
      ...(train.value as object),
      model: { ...(train.value as { model: object }).model, rows: 'x'.repeat(MAX_CARRIED_BYTES) },
    };
    const cases = suite.cases(1);
    const first = cases.find((c) => c.fn === 'train')!;
    expect(() => first.verify(heavy)).toThrow(
      /^the model train returned takes 256\.\d KB, more than the 256\.0 KB the grader carries from one call to the next: a linear model is its features/,
    );
    const reg = cases.find((c) => c.fn === 'register')!;
    void reg.args; // read as the grader sends it: it sets the lineage the verify compares with
    expect(() => reg.verify({ ...(register.value as object), log: 'x'.repeat(MAX_CARRIED_BYTES) })).toThrow(
      /^the registry register returned takes .* KB, more than the 256\.0 KB/,
    );
  });
});
