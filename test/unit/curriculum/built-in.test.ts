/**
 * What the built-in curriculum promises about its own grading: every
 * exercise shows a baseline, and every exercise whose reference training
 * depends on the seed is graded on three seeds.
 */
import { loadCurriculum } from '../../../src/curriculum';

const ready = loadCurriculum().exercises.filter((e) => e.status === 'ready');

test.each(ready.map((e) => [e.key, e] as const))('%s has a baseline for its metrics', (_key, ex) => {
  expect(ex.baseline?.label).toBeTruthy();
  expect(Object.keys(ex.baseline!.metrics).length).toBeGreaterThan(0);
});

test('train exercises are graded on three seeds, except the one whose model is a fixed exact fit', () => {
  const train = ready.filter((e) => e.kind === 'train');
  const oneSeed = train.filter((e) => e.seeds.length < 3).map((e) => e.key);
  // month3/tabular: the learner changes only the columns of the starter's closed-form ridge fit.
  expect(oneSeed).toEqual(['month3/tabular']);
});
