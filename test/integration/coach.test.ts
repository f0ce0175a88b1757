/**
 * The coach on the built CLI. A month3/nlp submission that fits its
 * vocabulary on the training mails but rebuilds it from the held-out mails
 * inside predict() logs excellent validation accuracy and fails on held-out
 * F1: the check names the train/serve skew, with the numbers, in `--json`,
 * in the terminal and in the HTML report. The reference gets no diagnosis.
 * A month1 linear regression on raw features logs a loss that turns NaN: the
 * child keeps the key, and the coach names divergence and the raw scale.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { checkReportSchema, type ExerciseResult } from '../../src/grader/result';
import { harnessProcesses, ROOT, runCli, submit, tempDir } from '../helpers/cli';

let ws: string;

beforeAll(() => {
  ws = path.join(tempDir(), 'ws');
  const r = runCli(['start', ws, '--yes', '--track', 'nlp'], ROOT);
  if (r.code !== 0) throw new Error(`mlpath start --track nlp failed: ${r.stderr}`);
});

afterAll(() => {
  expect(harnessProcesses()).toEqual([]);
});

/** One check, read both ways: the terminal text on stdout and the JSON report written beside it. */
function check(exercise: string): { result: ExerciseResult; stdout: string; code: number | null } {
  const json = path.join(tempDir(), 'result.json');
  const run = runCli(['check', exercise, '--json', json], ws);
  const report = checkReportSchema.parse(JSON.parse(fs.readFileSync(json, 'utf8')));
  return { result: report.results[0], stdout: run.stdout, code: run.code };
}

function latestRecord(exercise: string): {
  result: ExerciseResult;
  curve: Record<string, unknown>[];
  nonFinite?: { index: number; keys: string[] }[];
} {
  const dir = path.join(ws, '.mlpath', 'runs');
  const name = fs
    .readdirSync(dir)
    .filter((f) => f.endsWith(`-${exercise.replace('/', '-')}.json`))
    .sort()
    .pop()!;
  return JSON.parse(fs.readFileSync(path.join(dir, name), 'utf8'));
}

describe('month3/nlp', () => {
  test('a vocabulary rebuilt inside predict() is diagnosed as train/serve skew', () => {
    submit(ws, 'month3/nlp', 'month3-nlp-skew.ts');
    const { result, stdout, code } = check('month3/nlp');
    expect(code).toBe(1);
    expect(result.status).toBe('failed');
    const skew = result.diagnoses?.find((d) => d.id === 'train-serve-skew');
    expect(skew).toBeDefined();
    const [, logged, held] =
      /valAccuracy logged during training ended at ([\d.]+) \(epoch 8\), but held-out accuracy is ([\d.]+)/.exec(
        skew!.evidence,
      ) ?? [];
    expect(Number(logged)).toBeGreaterThan(0.95);
    expect(Number(logged) - Number(held)).toBeGreaterThanOrEqual(0.15);
    expect(skew!.evidence).toContain(`(graded f1: ${Number(result.metrics[0].value!.toPrecision(3))})`);
    expect(result.diagnoses!.map((d) => d.id)).not.toContain('perfect-validation');

    expect(stdout).toContain('  coach:');
    expect(stdout).toContain(`  ! ${skew!.title} [train-serve-skew]`);
    expect(stdout).toContain(`    ${skew!.evidence}`);
    expect(stdout).toContain(`    try: ${skew!.next}`);

    expect(latestRecord('month3/nlp').result.diagnoses).toEqual(result.diagnoses);
    const html = fs.readFileSync(path.join(ws, '.mlpath', 'reports', 'month3-nlp.html'), 'utf8');
    expect(html).toContain('<li class="diagnosis" data-id="train-serve-skew">');
  });

  test('the reference gets no diagnosis', () => {
    fs.copyFileSync(
      path.join(ROOT, 'solutions', 'month3', 'nlp', 'train.ts'),
      path.join(ws, 'month3', 'nlp', 'train.ts'),
    );
    const { result, stdout, code } = check('month3/nlp');
    expect(code).toBe(0);
    expect(result.status).toBe('passed');
    expect(result.diagnoses).toBeUndefined();
    expect(stdout).not.toContain('coach:');
    expect(fs.readFileSync(path.join(ws, '.mlpath', 'reports', 'month3-nlp.html'), 'utf8')).not.toContain('id="coach"');
  });
});

describe('month1/linear-regression', () => {
  test('a loss that turns NaN on raw features: divergence and the raw scale, from a curve that stays numeric', () => {
    submit(ws, 'month1/linear-regression', 'month1-linreg-diverge.ts');
    const { result, stdout } = check('month1/linear-regression');
    expect(result.status).toBe('error');
    expect(result.diagnoses?.map((d) => d.id)).toEqual(['diverged', 'unnormalised-inputs']);
    expect(result.diagnoses![0].evidence).toMatch(
      /^loss was NaN or Infinity at epoch \d+ \(the last finite loss was [\d.e+]+, at epoch \d+\)/,
    );
    expect(result.diagnoses![1].evidence).toMatch(
      /^the training inputs range from 0 to 711 \(the largest in tax\), and loss became NaN or Infinity at epoch \d+/,
    );
    expect(stdout).toContain('[diverged]');

    const record = latestRecord('month1/linear-regression');
    expect(record.nonFinite!.length).toBeGreaterThan(0);
    const blown = record.curve[record.nonFinite![0].index];
    expect(blown.epoch).toBeGreaterThan(1);
    expect(blown).not.toHaveProperty('loss');
    for (const step of record.curve) for (const v of Object.values(step)) expect(Number.isFinite(v)).toBe(true);
  });
});
