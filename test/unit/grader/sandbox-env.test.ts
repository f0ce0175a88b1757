import { childEnv } from '../../../src/grader/sandbox';

describe('childEnv', () => {
  const saved = { ...process.env };
  afterEach(() => {
    process.env = { ...saved };
  });

  it("passes no secret, and nothing that tunes the child's allocator or its memory use", () => {
    process.env.GITHUB_TOKEN = 'ghp_secret';
    process.env.MLPATH_HOLDOUT = '/private/holdout.csv';
    // Huge pages make one byte touched count 2 MB against the memory watch: the verdict would depend on the host.
    process.env.GLIBC_TUNABLES = 'glibc.malloc.hugetlb=1';
    process.env.MALLOC_ARENA_MAX = '1';
    const env = childEnv();
    expect(env.GITHUB_TOKEN).toBeUndefined();
    expect(env.MLPATH_HOLDOUT).toBeUndefined();
    expect(env.GLIBC_TUNABLES).toBeUndefined();
    expect(env.MALLOC_ARENA_MAX).toBeUndefined();
  });
});
