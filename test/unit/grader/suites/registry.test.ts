/**
 * The registry suite: its scenarios hold the situations their titles name,
 * its cases accept the reference solution (run in-process, values passed
 * through JSON as the channel does) and reject the starter and the shortcuts
 * learners take: promoting every challenger, judging on the training metric,
 * a registry that overwrites its versions.
 */
import { suiteFor } from '../../../../src/grader/suites';
import { suite, refDecide, type Registry, type Rule } from '../../../../src/grader/suites/registry';
import type { SuiteCase } from '../../../../src/grader/suites/types';
import * as reference from '../../../../solutions/month4/registry/registry';
import * as starter from '../../../../exercises/month4/registry/registry';
import * as alwaysPromote from '../../../fixtures/submissions/registry-always-promote';
import * as trainMetric from '../../../fixtures/submissions/registry-train-metric';
import * as overwrite from '../../../fixtures/submissions/registry-overwrite';

type Impl = Record<string, unknown>;

function failures(impl: Impl, seed = 1): string[] {
  const out: string[] = [];
  for (const c of suite.cases(seed)) {
    let value: unknown;
    try {
      // The child receives its arguments through the channel: copies, never the grader's objects.
      const args = JSON.parse(JSON.stringify(c.args)) as unknown[];
      value = (impl[c.fn] as (...a: unknown[]) => unknown)(...args);
    } catch (err) {
      out.push(`${c.fn}: ${c.title}: threw ${(err as Error).message}`);
      continue;
    }
    const problem = c.verify(JSON.parse(JSON.stringify(value ?? null)));
    if (problem) out.push(`${c.fn}: ${c.title}: ${problem}`);
  }
  return out;
}

const promoteCases = (seed = 1): SuiteCase[] => suite.cases(seed).filter((c) => c.fn === 'promote');

describe('registry suite', () => {
  it('is registered, and its cases call its exports', async () => {
    expect(await suiteFor('registry')).toBe(suite);
    const cases = suite.cases(1);
    expect([...new Set(cases.map((c) => c.fn))].sort()).toEqual([...suite.exports].sort());
    expect(cases).toHaveLength(22);
  });

  it('draws the same cases from the same seed and other numbers from another', () => {
    const args = (seed: number): string => JSON.stringify(suite.cases(seed).map((c) => c.args));
    expect(args(3)).toBe(args(3));
    expect(args(3)).not.toBe(args(4));
  });

  it('builds promotions whose decisions are the ones their titles name', () => {
    const decisions = promoteCases().map((c) => c.tag);
    expect(decisions).toEqual([
      'beats-champion',
      'stale-data',
      'within-margin',
      'within-margin',
      'beats-champion',
      'beats-champion',
      'hash-mismatch',
      'beats-champion',
      'within-margin',
      'first-champion',
      'already-production',
      'beats-champion',
      'within-margin',
      'archived',
      'unknown-version',
      'missing-metric',
      'beats-champion',
    ]);
    for (const seed of [1, 2, 3, 4, 5, 6]) expect(promoteCases(seed).map((c) => c.tag)).toEqual(decisions);
  });

  it('puts at most one version in production in every state it hands out', () => {
    for (const c of suite.cases(2)) {
      const registry = c.args[0] as Registry;
      expect(registry.versions.filter((v) => v.stage === 'production').length).toBeLessThanOrEqual(1);
    }
  });

  it('tells training and validation apart: the overfit challenger wins on train, the other loses on train', () => {
    const [, , , overfit, underfit] = promoteCases();
    for (const [c, trainWins] of [
      [overfit, true],
      [underfit, false],
    ] as const) {
      const registry = c.args[0] as Registry;
      const rule = c.args[2] as Rule;
      const champ = registry.versions.find((v) => v.stage === 'production')!;
      const cand = registry.versions.find((v) => v.version === c.args[1])!;
      const gain = cand.metrics.train[rule.metric] - champ.metrics.train[rule.metric];
      expect(gain >= rule.minDelta).toBe(trainWins);
      expect(refDecide(registry, cand.version, rule)).toBe(trainWins ? 'within-margin' : 'beats-champion');
    }
  });

  it('passes the reference solution on every case, on several seeds', () => {
    for (const seed of [1, 2, 3, 7]) expect(failures(reference as unknown as Impl, seed)).toEqual([]);
  });

  it('fails the starter, which changes nothing', () => {
    const failed = failures(starter);
    expect(failed.length).toBeGreaterThanOrEqual(10);
    expect(failed.join('\n')).toMatch(/register: the first model into an empty registry: unexpected|version 1/);
  });

  it('fails a registry that promotes every challenger', () => {
    const failed = failures(alwaysPromote).join('\n');
    expect(failed).toMatch(
      /older data version .*promoted is true, expected false: the challenger was trained on an older/,
    );
    expect(failed).toMatch(/less than minDelta.*promoted is true, expected false/);
    expect(failed).toMatch(/another data lock hash.*promoted is true, expected false/);
    expect(failed).toMatch(/higher \(worse\) rmse.*promoted is true, expected false/);
    expect(failed).toMatch(
      /again \(idempotent.*promoted is true, expected false: the candidate is already in production/,
    );
    expect(failed).toMatch(/second rollback goes back one more promotion.*restored is \d+, expected \d+/);
  });

  it('fails a registry that applies the rule to the training metric', () => {
    const failed = failures(trainMetric);
    // Two cases are built to split train from validation; others fail when the draw's train gap is small.
    expect(failed.length).toBeGreaterThanOrEqual(2);
    for (const seed of [2, 3]) expect(failures(trainMetric as unknown as Impl, seed).length).toBeGreaterThanOrEqual(2);
    expect(failed.join('\n')).toMatch(/worse on validation \(it overfits\).*promoted is true, expected false/);
    expect(failed.join('\n')).toMatch(
      /worse than the champion on the training metric.*promoted is false, expected true/,
    );
  });

  it('fails a registry that overwrites versions', () => {
    const failed = failures(overwrite).join('\n');
    expect(failed).toMatch(/register: a new model .*: version numbers \[2, 2\] repeat/);
    expect(failed).toMatch(
      /promote: a challenger better on validation by more than minDelta, on the same data .*version 1 is gone/,
    );
    expect(failed).toMatch(/rollback: after two promotions.*restored is null, expected 1/);
  });
});
