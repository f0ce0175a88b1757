/**
 * The nlp-errors suite: the grader's own naive Bayes makes real mistakes on
 * real mail bodies, its cases accept the reference (run in-process, values
 * passed through JSON as the channel does) and reject the starter and the
 * shortcuts learners take: a confusion fixed at 0.5, the most extreme scores
 * instead of the mistakes, tokens ranked by their number of errors.
 */
import { suiteFor } from '../../../../src/grader/suites';
import {
  buildScored,
  referenceConfusion,
  suite,
  DATA_SEEDS,
  SCORED_MAILS,
  type Scored,
} from '../../../../src/grader/suites/nlp-errors';
import type { SuiteFixture } from '../../../../src/grader/suites/types';
import * as reference from '../../../../solutions/month3/nlp-errors/errors';
import * as starter from '../../../../exercises/month3/nlp-errors/errors';
import * as fixedThreshold from '../../../fixtures/submissions/nlp-errors-fixed-threshold';
import * as topScores from '../../../fixtures/submissions/nlp-errors-top-scores';
import * as errorCounts from '../../../fixtures/submissions/nlp-errors-error-counts';

jest.setTimeout(120_000);

type Impl = Record<string, unknown>;
let fixture: SuiteFixture;

beforeAll(async () => {
  fixture = await suite.prepare!(1);
});

function failures(impl: Impl): string[] {
  const out: string[] = [];
  for (const c of suite.cases(1, fixture)) {
    const args = JSON.parse(JSON.stringify(c.args)) as unknown[];
    const value = (impl[c.fn] as (...a: unknown[]) => unknown)(...args);
    const problem = c.verify(JSON.parse(JSON.stringify(value ?? null)));
    if (problem) out.push(`${c.fn}: ${c.title}: ${problem}`);
  }
  return out;
}

describe('nlp-errors suite', () => {
  it('is registered, and its cases call its exports', async () => {
    expect(await suiteFor('nlp-errors')).toBe(suite);
    const cases = suite.cases(1, fixture);
    expect([...new Set(cases.map((c) => c.fn))].sort()).toEqual([...suite.exports].sort());
    expect(cases).toHaveLength(4 * DATA_SEEDS);
  });

  it('scores real mails with real mistakes of both kinds, the same on every build', async () => {
    const sets = fixture.data as Scored[];
    expect(sets).toHaveLength(DATA_SEEDS);
    for (const s of sets) {
      expect(s.texts).toHaveLength(SCORED_MAILS);
      const c = referenceConfusion(s.labels, s.scores, 0.5);
      expect(c.fp).toBeGreaterThan(0);
      expect(c.fn).toBeGreaterThan(0);
      // a usable classifier: most answers right
      expect(c.tp + c.tn).toBeGreaterThan(0.7 * SCORED_MAILS);
    }
    expect(JSON.stringify(await buildScored(1))).toBe(JSON.stringify(sets));
  });

  it('passes the reference', () => {
    expect(failures(reference as unknown as Impl)).toEqual([]);
  });

  it('fails the starter on every case', () => {
    expect(failures(starter as unknown as Impl)).toHaveLength(4 * DATA_SEEDS);
  });

  it('fails a confusion fixed at 0.5 on the other threshold only', () => {
    const f = failures(fixedThreshold);
    expect(f.length).toBeGreaterThan(0);
    expect(f.every((p) => p.startsWith('confusion:') && !p.includes('threshold 0.5:'))).toBe(true);
  });

  it('fails the most extreme scores taken for the most confident mistakes', () => {
    const f = failures(topScores);
    expect(f).toHaveLength(DATA_SEEDS);
    expect(f.every((p) => p.startsWith('confidentlyWrong:') && p.includes('return only mistakes'))).toBe(true);
  });

  it('fails tokens ranked by their number of errors', () => {
    const f = failures(errorCounts);
    expect(f).toHaveLength(DATA_SEEDS);
    expect(f.every((p) => p.startsWith('errorTokens:') && p.includes('rank by the share'))).toBe(true);
  });
});
