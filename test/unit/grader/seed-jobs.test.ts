import * as os from 'node:os';
import { seedJobs } from '../../../src/grader/kinds/train/parent';

test('seeds train one child per core at most, never more children than seeds', () => {
  const cores = os.availableParallelism();
  expect(seedJobs(1, 512, {})).toBe(1);
  expect(seedJobs(3, 512, {})).toBeLessThanOrEqual(Math.min(3, cores));
  expect(seedJobs(3, 512, {})).toBeGreaterThanOrEqual(1);
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
