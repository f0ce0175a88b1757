/**
 * An instructor's secret for the cases of `functions` exercises (review of
 * issue 12: a table of answers computed ahead with the shipped generators):
 * the suite's cases come from a seed derived from the secret, the same for
 * the same secret, and none without one.
 */
import { secretSeed } from '../../../../src/grader/kinds/functions/parent';
import { suiteFor } from '../../../../src/grader/suites';

test("without a secret the seed is the exercise's own; with one, a fixed other seed per secret", () => {
  expect(secretSeed(1, undefined)).toBe(1);
  expect(secretSeed(1, '')).toBe(1);
  expect(secretSeed(1, 'alpha')).toBe(secretSeed(1, 'alpha'));
  expect(secretSeed(1, 'alpha')).not.toBe(1);
  expect(secretSeed(1, 'alpha')).not.toBe(secretSeed(1, 'bravo'));
  expect(secretSeed(1, 'alpha')).not.toBe(secretSeed(2, 'alpha'));
});

test('the drift suite draws other batches under a secret', async () => {
  const suite = (await suiteFor('drift'))!;
  const fixture = await suite.prepare?.(1);
  const plain = JSON.stringify(suite.cases(1, fixture).map((c) => c.args));
  const secret = secretSeed(1, 'alpha');
  const hidden = JSON.stringify(suite.cases(secret, await suite.prepare?.(secret)).map((c) => c.args));
  expect(hidden).not.toBe(plain);
});
