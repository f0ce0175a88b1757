/**
 * The tabular-encoding suite: its tables hide the held-out wages, its
 * properties hold for the reference on several seeds, and the starter and the
 * cheap encoders (an in-sample mean, an encoder fitted on the rows it is
 * handed, integer codes for every value, one-hot for the many-level job) each
 * fail the case about what they skipped.
 */
import { suiteFor } from '../../../../src/grader/suites';
import {
  graderRmse,
  leakyGap,
  makeTable,
  MAX_VS_GRADER,
  numbersOnlyRmse,
  suite,
  UNSEEN,
  type Row,
} from '../../../../src/grader/suites/tabular-encoding';
import type { SuiteCase } from '../../../../src/grader/suites/types';
import * as reference from '../../../../solutions/month3/tabular-encoding/encoding';
import * as starter from '../../../../exercises/month3/tabular-encoding/encoding';
import * as inSample from '../../../fixtures/submissions/tab-encoding-in-sample';
import * as batchFit from '../../../fixtures/submissions/tab-encoding-batch-fit';
import * as codes from '../../../fixtures/submissions/tab-encoding-codes';
import * as oneHot from '../../../fixtures/submissions/tab-encoding-onehot';
import { runCases } from '../../../helpers/suite-outcomes';

type Submission = {
  encodeTraining: (rows: Row[], y: number[], seed: number) => unknown;
  encodeNew: (trainRows: Row[], y: number[], rows: Row[]) => unknown;
};

/** The failing cases as `title: problem`, each value going through JSON as it does from the child. */
function failures(sub: Submission, seed = 1): string[] {
  const cases: SuiteCase[] = suite.cases(seed);
  return cases.flatMap((c) => {
    const f = sub[c.fn as keyof Submission] as (...a: unknown[]) => unknown;
    const value: unknown = JSON.parse(JSON.stringify(f(...c.args)));
    const problem = c.verify(value);
    return problem ? [`${c.title}: ${problem}`] : [];
  });
}

const only = (list: string[], pattern: RegExp): boolean => list.length > 0 && list.every((f) => pattern.test(f));

describe('tabular-encoding suite', () => {
  it('is registered, with 12 cases on each of 2 tables, the same for the same seed', async () => {
    expect(await suiteFor('tabular-encoding')).toBe(suite);
    const titles = suite.cases(1).map((c) => c.title);
    expect(titles).toHaveLength(24);
    expect(suite.cases(1).map((c) => JSON.stringify(c.args))).toEqual(
      suite.cases(1).map((c) => JSON.stringify(c.args)),
    );
  });

  it('gives the learner rows without wages, and unseen values no row has', () => {
    const t = makeTable(5);
    expect(t.train).toHaveLength(400);
    expect(t.heldOut).toHaveLength(134);
    for (const r of [...t.train, ...t.heldOut]) expect(Object.keys(r)).not.toContain('wage');
    for (const [column, values] of Object.entries(UNSEEN))
      for (const v of values) expect([...t.train, ...t.heldOut].some((r) => r[column] === v)).toBe(false);
    // Every call gets the 400 training targets and rows without a wage: no held-out wage is ever sent.
    for (const c of suite.cases(5)) {
      expect((c.args[1] as number[]).length).toBe(400);
      for (const a of [c.args[0], c.args[2]])
        if (Array.isArray(a)) for (const r of a as Row[]) expect(Object.keys(r)).not.toContain('wage');
    }
  });

  it('passes the reference on every case, on several seeds', () => {
    for (const seed of [1, 2, 3, 4]) expect(failures(reference, seed)).toEqual([]);
  });

  it("holds the reference's fit within the bar of the grader's own encoding", () => {
    for (const s of [11, 12, 13]) {
      const t = makeTable(s);
      expect(graderRmse(t, 3)).toBeLessThan(numbersOnlyRmse(t) * 1.2);
      expect(graderRmse(t, 3) * MAX_VS_GRADER).toBeGreaterThan(graderRmse(t, 4));
    }
  });

  it('fails the starter on the job encoding only', () => {
    const f = failures(starter);
    expect(f.length).toBeGreaterThanOrEqual(2);
    expect(only(f, /job is target-encoded|as well as mlpath's own encoding/)).toBe(true);
  });

  it('fails an in-sample mean encoding on the own-target probes', () => {
    const f = failures(inSample);
    expect(f.filter((x) => /does not depend on its own target/.test(x))).toHaveLength(6);
    expect(only(f, /own target/)).toBe(true);
  });

  it('fails an encoder fitted on the rows it is handed on "each row on its own"', () => {
    const f = failures(batchFit);
    expect(f.some((x) => /encodes each row on its own/.test(x) && /depends on the other rows/.test(x))).toBe(true);
  });

  it('fails integer codes for every value on unseen levels and on the job encoding', () => {
    const f = failures(codes);
    expect(f.some((x) => /say nothing about the value/.test(x))).toBe(true);
    expect(f.some((x) => /job is target-encoded/.test(x))).toBe(true);
  });

  it('fails one-hot for job on the job encoding, and on nothing else', () => {
    const f = failures(oneHot);
    expect(f.length).toBe(2);
    expect(only(f, /job is target-encoded/)).toBe(true);
  });
});

describe('tabular-encoding findings', () => {
  it("put the learner's offline and held-out RMSE beside a naive in-sample mean's, whose offline number flatters", () => {
    const found = suite.findings!(runCases(suite, reference, 1));
    expect(found).toHaveLength(2);
    expect(found[0]).toMatch(/^Table \d, .* RMSE [\d.]+ on the training rows .* and [\d.]+ on the held-out workers\.$/);
    for (const seed of [1, 2, 3]) {
      const leak = leakyGap(makeTable(seed));
      expect(leak.train).toBeLessThan(leak.held);
    }
    // A fit case that did not verify reports nothing.
    const failed = runCases(suite, reference, 1).map((o) =>
      o.case.title.includes('ridge regression') ? { ...o, problem: 'RMSE too high' } : o,
    );
    expect(suite.findings!(failed)).toEqual([]);
  });
});
