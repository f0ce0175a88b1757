/**
 * Multi-seed verdicts on the built CLI: an exercise with `seeds: [1, 2, 3]`
 * trains one child per seed, shows each seed's value and the rule, and
 * passes only when every seed does; `--seed N` grades exactly one.
 */
import { checkReportSchema } from '../../src/grader/result';
import { harnessProcesses, makeWorkspace, parseReport, runCli, submit, type JsonResult } from '../helpers/cli';

type SeedResult = JsonResult & {
  seed: number;
  seedRule?: string;
  baselineLabel?: string;
  metrics: (JsonResult['metrics'][number] & { mean?: number; baseline?: number })[];
};

function check(submission: string, extra: string[] = []): { result: SeedResult; code: number | null } {
  const ws = makeWorkspace({ course: true });
  submit(ws, 'm1/seeds', submission);
  const run = runCli(['check', 'm1/seeds', '--json', ...extra], ws);
  const report = parseReport(run.stdout);
  expect(checkReportSchema.safeParse(report).success).toBe(true);
  return { result: report.results[0] as SeedResult, code: run.code };
}

afterAll(() => {
  expect(harnessProcesses()).toEqual([]);
});

test('a submission that passes on one lucky seed fails: every seed must pass', () => {
  const { result, code } = check('iris-seed-lucky.ts');
  expect(code).toBe(1);
  expect(result.status).toBe('failed');
  expect(result.seeds).toEqual([1, 2, 3]);
  expect(result.seedRule).toBe('every-seed');
  const [accuracy] = result.metrics;
  expect(accuracy.values).toHaveLength(3);
  // Seed 1 alone would pass; the two others are a constant guess.
  expect(accuracy.values![0]).toBeGreaterThanOrEqual(0.8);
  expect(accuracy.values![1]).toBeLessThan(0.5);
  expect(accuracy.values![2]).toBeLessThan(0.5);
  expect(accuracy.value).toBe(Math.min(...accuracy.values!));
  expect(accuracy.std).toBeGreaterThan(0.1);
  expect(accuracy.passed).toBe(false);
});

test('an honest submission passes on every seed, with each value, the rule and the baseline in --json', () => {
  const { result, code } = check('iris-pass.ts');
  expect(code).toBe(0);
  expect(result.status).toBe('passed');
  expect(result.seedRule).toBe('every-seed');
  expect(result.baselineLabel).toBe('majority class');
  const [accuracy] = result.metrics;
  expect(accuracy.values).toHaveLength(3);
  for (const v of accuracy.values!) expect(v).toBeGreaterThanOrEqual(0.8);
  expect(accuracy.value).toBe(Math.min(...accuracy.values!));
  expect(accuracy.mean).toBeCloseTo(accuracy.values!.reduce((a, b) => a + b, 0) / 3, 10);
  expect(accuracy.baseline).toBe(0.33);
});

test('the terminal shows each seed, the worst as the value, the rule and the baseline', () => {
  const ws = makeWorkspace({ course: true });
  submit(ws, 'm1/seeds', 'iris-seed-lucky.ts');
  const run = runCli(['check', 'm1/seeds', '--no-record'], ws);
  expect(run.code).toBe(1);
  expect(run.stdout).toMatch(/metric\s+baseline\s+value \(worst seed\)\s+per seed\s+threshold\s+margin/);
  expect(run.stdout).toMatch(/accuracy\s+0\.3300\s+(0\.\d{4})\s+0\.9\d{3} \1 \1\s+>= 0\.8000\s+-0\.\d{4}\s+miss/);
  expect(run.stdout).toContain('graded on seeds 1, 2, 3: every seed must meet each threshold');
  expect(run.stdout).toContain('baseline: majority class');
});

test('--seed N grades exactly that seed', () => {
  const { result, code } = check('iris-seed-lucky.ts', ['--seed', '1']);
  expect(code).toBe(0);
  expect(result.status).toBe('passed');
  expect(result.seed).toBe(1);
  expect(result.seeds).toBeUndefined();
  expect(result.seedRule).toBeUndefined();
  expect(result.metrics[0].values).toBeUndefined();
  expect(check('iris-seed-lucky.ts', ['--seed', '2']).result.status).toBe('failed');
});

test('a pass on a --seed of your choosing is not recorded and earns no points (issue 12: retrying seeds)', () => {
  const ws = makeWorkspace({ course: true });
  submit(ws, 'm1/seeds', 'iris-seed-lucky.ts');
  const run = runCli(['check', 'm1/seeds', '--json', '--seed', '1'], ws);
  const result = parseReport(run.stdout).results[0] as SeedResult;
  expect(result.status).toBe('passed');
  expect((result as SeedResult & { points?: number }).points).toBe(0);
  expect(run.stderr).toMatch(/passed on --seed 1 only; it is graded on seeds 1, 2, 3, so this pass is not recorded/);
  const status = runCli(['status', '--json'], ws);
  expect(status.stdout).not.toMatch(/"passed":\s*true/);
});

test('a seed that crashes is the outcome, named with its seed, and no child is left behind', () => {
  const { result, code } = check('iris-seed-throws.ts');
  expect(code).toBe(1);
  expect(result.status).toBe('error');
  expect(result.error?.kind).toBe('runtime');
  expect(result.error?.message).toContain('this initialisation diverged');
  expect(result.error?.message).toContain('(on seed 2 of 1, 2, 3)');
  expect(result.error?.line).toBe(7);
  expect(harnessProcesses()).toEqual([]);
});
