import { childEnv } from '../../../src/grader/sandbox';

describe('childEnv', () => {
  const saved = { ...process.env };
  afterEach(() => {
    process.env = { ...saved };
  });

  it('passes no secret and sets its own allocator tuning, whatever the grader ran with', () => {
    process.env.GITHUB_TOKEN = 'ghp_secret';
    process.env.MLPATH_HOLDOUT = '/private/holdout.csv';
    process.env.GLIBC_TUNABLES = 'glibc.malloc.check=3';
    const env = childEnv();
    expect(env.GITHUB_TOKEN).toBeUndefined();
    expect(env.MLPATH_HOLDOUT).toBeUndefined();
    if (process.platform === 'linux') expect(env.GLIBC_TUNABLES).toBe('glibc.malloc.hugetlb=1');
    else expect(env.GLIBC_TUNABLES).toBeUndefined();
  });
});
