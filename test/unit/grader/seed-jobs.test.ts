import * as os from 'node:os';
import { seedJobs } from '../../../src/grader/kinds/train/parent';

test('seeds train one child per core, never more children than seeds', () => {
  expect(seedJobs(1, 512, {}, 2)).toBe(1);
  expect(seedJobs(2, 512, {}, 2)).toBe(2);
  expect(seedJobs(3, 512, {}, 4)).toBe(3);
  expect(seedJobs(4, 512, {}, 2)).toBe(2);
  expect(seedJobs(6, 512, {}, 4)).toBe(4);
  expect(seedJobs(3, 512, {})).toBeGreaterThanOrEqual(1);
});

test('one seed more than there are cores trains all at once, so the last one does not train alone', () => {
  expect(seedJobs(3, 512, {}, 2)).toBe(3);
  expect(seedJobs(5, 512, {}, 4)).toBe(5);
  // One core gains nothing from it: two seeds take two seeds' time either way.
  expect(seedJobs(2, 512, {}, 1)).toBe(1);
});

test("free memory bounds the children at the exercise's heap cap", () => {
  const tooBig = Math.ceil(os.freemem() / (1024 * 1024)) + 1;
  expect(seedJobs(3, tooBig, {})).toBe(1);
});

test('MLPATH_SEED_JOBS overrides the core count, within the number of seeds', () => {
  expect(seedJobs(3, 512, { MLPATH_SEED_JOBS: '1' })).toBe(1);
  expect(seedJobs(3, 512, { MLPATH_SEED_JOBS: '8' })).toBe(3);
  expect(seedJobs(3, 512, { MLPATH_SEED_JOBS: 'lots' })).toBeLessThanOrEqual(3);
});
