/**
 * The data-quality suite: its dirty tables hold what its record says, its
 * model rewards cleaning, and the reference passes every case while the
 * starter and the cheap ways through (no checks, missing values only,
 * dropping anything unusual, calling every unknown column a leak) do not.
 */
import { suiteFor } from '../../../../src/grader/suites';
import {
  cellProblem,
  heldOutRmse,
  INJECTED,
  makeDirtyTable,
  SCHEMA,
  scoreKind,
  suite,
  type Row,
} from '../../../../src/grader/suites/data-quality';
import type { SuiteCase } from '../../../../src/grader/suites/types';
import * as reference from '../../../../solutions/month2/data-quality/data-quality';
import * as starter from '../../../../exercises/month2/data-quality/data-quality';
import * as identity from '../../../fixtures/submissions/data-quality-identity';
import * as missingOnly from '../../../fixtures/submissions/data-quality-missing-only';
import * as dropUnusual from '../../../fixtures/submissions/data-quality-drop-unusual';
import * as unknownColumns from '../../../fixtures/submissions/data-quality-unknown-columns';

type Submission = Record<'validate' | 'clean', (rows: Row[]) => unknown>;

const cases: SuiteCase[] = suite.cases(1);

/** The titles of the failing cases, each call's value going through JSON as it does from the child. */
function failures(sub: Submission): string[] {
  return cases.flatMap((c) => {
    const value: unknown = JSON.parse(JSON.stringify(sub[c.fn as keyof Submission](...(c.args as [Row[]]))));
    return c.verify(value) ? [c.title] : [];
  });
}

describe('data-quality tables', () => {
  it('is registered, with 8 cases on each of 3 tables', async () => {
    expect(await suiteFor('data-quality')).toBe(suite);
    expect(cases).toHaveLength(24);
    expect(suite.cases(1).map((c) => c.title)).toEqual(cases.map((c) => c.title));
  });

  it('records exactly the defects it injected, and a seed changes them', () => {
    const t = makeDirtyTable(11);
    expect(t.rows).toHaveLength(534 - 134 + INJECTED.duplicate);
    const count = (kind: string): number => t.truth.filter((d) => d.kind === kind).length;
    expect([count('missing'), count('out-of-range'), count('invalid-category'), count('duplicate')]).toEqual([
      INJECTED.missing,
      INJECTED['out-of-range'],
      INJECTED['invalid-category'],
      INJECTED.duplicate,
    ]);
    // Every bad cell of the table is in the record, and nothing else is.
    const cells = t.rows.flatMap((r, i) =>
      Object.keys(SCHEMA).flatMap((c) => {
        const kind = cellProblem(c, r[c]);
        return kind ? [`${i}|${c}|${kind}`] : [];
      }),
    );
    const recorded = t.truth
      .filter((d) => d.row !== null && d.column !== null)
      .map((d) => `${d.row}|${d.column}|${d.kind}`);
    expect(cells.sort()).toEqual(recorded.sort());
    // Each recorded duplicate repeats an earlier row exactly.
    for (const d of t.truth.filter((x) => x.kind === 'duplicate'))
      expect(t.rows.slice(0, d.row!).some((r) => JSON.stringify(r) === JSON.stringify(t.rows[d.row!]))).toBe(true);
    expect(t.heldOut.every((r) => Object.keys(SCHEMA).every((c) => cellProblem(c, r[c]) === undefined))).toBe(true);
    expect(makeDirtyTable(12).truth).not.toEqual(t.truth);
  });

  it('scores recall and precision per kind', () => {
    const truth = [
      { row: 1, column: 'age', kind: 'missing' as const },
      { row: 2, column: 'wage', kind: 'missing' as const },
    ];
    const got = [
      { row: 1, column: 'age', kind: 'missing' as const },
      { row: 3, column: 'age', kind: 'missing' as const },
      { row: 3, column: 'age', kind: 'missing' as const },
      { row: 2, column: 'wage', kind: 'out-of-range' as const },
    ];
    expect(scoreKind(got, truth, 'missing')).toEqual({
      recall: 0.5,
      precision: 0.5,
      found: 1,
      injected: 2,
      reported: 2,
    });
  });

  it("the grader's model does better on defect-free rows than on dirty ones, and a kept leak hurts it", () => {
    const t = makeDirtyTable(3);
    const noLeak = (r: Row): Row => Object.fromEntries(Object.entries(r).filter(([k]) => k !== t.leak));
    const dirty = heldOutRmse(t.rows, t.heldOut, t.leak);
    const original = heldOutRmse(t.original.map(noLeak), t.heldOut, t.leak);
    expect(original).toBeLessThan(dirty - 0.05);
    expect(heldOutRmse(t.original, t.heldOut, t.leak)).toBeGreaterThan(original + 0.05);
  });
});

describe('submissions on the graded tables', () => {
  it('the reference passes every case', () => {
    expect(failures(reference)).toEqual([]);
  });

  it('the starter fails all but the rows-kept cases', () => {
    const failed = failures(starter);
    expect(failed).toHaveLength(21);
    expect(failed.some((t) => t.includes('keeps the rows'))).toBe(false);
  });

  it('no checks and the rows as they came fail', () => {
    expect(failures(identity)).toHaveLength(21);
  });

  it('checking only for missing values fails on every other kind, and on the model', () => {
    const failed = failures(missingOnly);
    for (const what of [
      'finds the out-of-range',
      'finds the invalid',
      'finds the duplicate',
      'names the leak',
      'beats one fitted',
    ])
      expect(failed.filter((t) => t.includes(what))).toHaveLength(3);
    expect(failed.filter((t) => t.includes('finds the missing'))).toHaveLength(0);
  });

  it('dropping every unusual row, valid ones included, fails on precision and on the rows kept', () => {
    const failed = failures(dropUnusual);
    expect(failed.filter((t) => t.includes('finds the out-of-range'))).toHaveLength(3);
    expect(failed.filter((t) => t.includes('keeps the rows'))).toHaveLength(3);
  });

  it('calling every column the schema does not know a leak fails the leak cases', () => {
    expect(failures(unknownColumns)).toEqual(
      cases.filter((c) => c.title.includes('names the leak')).map((c) => c.title),
    );
  });
});
