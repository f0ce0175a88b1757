/**
 * The curriculum that grades is never the learner's: a workspace whose
 * mlpath.json names an easier curriculum gets no pass in CI and no points
 * from `mlpath grade`, and a broken pin is an error in every report format.
 * Cheap on purpose: the graded cases use month1/tensors, the others grade
 * nothing.
 */
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { COURSE, ROOT, makeWorkspace, parseReport, runCli, tempDir, type JsonResult } from '../helpers/cli';

const BUILT_IN = path.join(ROOT, 'curriculum', 'curriculum.yaml');
/** The learner's own terminal: none of the variables that mark CI. */
const LOCAL = Object.fromEntries(
  [
    'CI',
    'GITHUB_ACTIONS',
    'GITLAB_CI',
    'BUILDKITE',
    'CIRCLECI',
    'TRAVIS',
    'JENKINS_URL',
    'TF_BUILD',
    'MLPATH_GRADING',
    'MLPATH_CURRICULUM',
  ].map((v) => [v, '']),
);
const IN_CI = { ...LOCAL, CI: 'true' };

type StampedResult = JsonResult & { curriculum?: { source: string } };

function readConfig(ws: string): Record<string, unknown> {
  return JSON.parse(fs.readFileSync(path.join(ws, 'mlpath.json'), 'utf8'));
}

function writeConfig(ws: string, config: Record<string, unknown>): void {
  fs.writeFileSync(path.join(ws, 'mlpath.json'), JSON.stringify(config, null, 2));
}

/** A copy of `source` as `file`, its folders made absolute; `edit` changes the rest. */
function copyCurriculum(source: string, file: string, edit: (yaml: string) => string): string {
  const base = path.dirname(source);
  const yaml = fs
    .readFileSync(source, 'utf8')
    .replace(/(template|solution): (\S+)/g, (_, key: string, rel: string) => `${key}: ${path.resolve(base, rel)}`);
  fs.writeFileSync(file, edit(yaml));
  return file;
}

// Every bar made trivial, and the baselines dropped (a curriculum whose baseline passes would not load).
const trivialThresholds = (yaml: string): string =>
  yaml
    .replace(/\bmin: [0-9.e-]+/g, 'min: 0')
    .replace(/\bmax: [0-9.e-]+/g, 'max: 1000000000')
    .replace(/^ +baseline: \{.*\}$/gm, '');

/** The strongest hijack: mlpath.json names the easy copy and pins its hash, so no mismatch is left to notice. */
function hijacked(): { ws: string; easy: string } {
  const ws = makeWorkspace();
  const easy = copyCurriculum(BUILT_IN, path.join(ws, 'easy.yaml'), trivialThresholds);
  writeConfig(ws, {
    ...readConfig(ws),
    curriculumFile: 'easy.yaml',
    curriculumHash: createHash('sha256').update(fs.readFileSync(easy)).digest('hex'),
  });
  return { ws, easy };
}

describe('a workspace naming its own curriculum', () => {
  test('locally the untouched starter "passes", and the result says whose curriculum graded it', () => {
    const { ws } = hijacked();
    const r = runCli(['check', 'month1/tensors', '--json'], ws, LOCAL);
    const [result] = parseReport(r.stdout).results as StampedResult[];
    expect(result.status).toBe('passed');
    expect(result.curriculum?.source).toBe('workspace');
    // The pin matches (the learner rewrote both), so locally nothing is flagged: CI and `mlpath grade` are where it counts.
  });

  test.each([
    ['CI', IN_CI],
    ['GITLAB_CI', { ...LOCAL, GITLAB_CI: 'true' }],
    ['MLPATH_GRADING', { ...LOCAL, MLPATH_GRADING: '1' }],
  ])('in CI (%s) check refuses it and names the fix, rather than grade with the built-in curriculum', (_name, env) => {
    const { ws } = hijacked();
    const r = runCli(['check', 'month1/tensors', '--json'], ws, env);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/mlpath\.json names its own curriculum file \(easy\.yaml\)/);
    expect(r.stderr).toMatch(/--curriculum <the instructor's copy>.*MLPATH_CURRICULUM/);
  });

  test('in CI with the instructor curriculum given, the starter is graded against the real thresholds and fails', () => {
    const { ws } = hijacked();
    const r = runCli(['check', 'month1/tensors', '--json'], ws, { ...IN_CI, MLPATH_CURRICULUM: BUILT_IN });
    const [result] = parseReport(r.stdout).results as StampedResult[];
    expect(result.status).toBe('failed');
    expect(result.curriculum?.source).toBe('built-in');
    // The pin names the easy file; for the built-in curriculum (which changes with upgrades) that only warns.
    expect(r.stderr).toMatch(/warning: the curriculum file changed/);
    expect(r.code).toBe(1);
  });

  test('`mlpath grade` without --curriculum gives it no points and says why', () => {
    const { ws } = hijacked();
    const out = path.join(tempDir(), 'grades.json');
    const r = runCli(['grade', ws, '--json', out], path.dirname(ws), LOCAL);
    const { grades } = JSON.parse(fs.readFileSync(out, 'utf8')) as {
      grades: { results: { points?: number }[]; failure?: string }[];
    };
    expect(grades).toHaveLength(1);
    expect(grades[0].results.reduce((a, x) => a + (x.points ?? 0), 0)).toBe(0);
    expect(grades[0].failure).toMatch(/names its own curriculum file/);
    expect(r.stderr + r.stdout).not.toMatch(/internal error/);
  });

  test('deleting curriculumHash silences nothing: locally an error of kind curriculum, in CI a refusal', () => {
    const ws = makeWorkspace({ course: true });
    const { curriculumHash, ...config } = readConfig(ws);
    expect(curriculumHash).toBeDefined();
    writeConfig(ws, config);
    const local = runCli(['check', '--all', '--json'], ws, LOCAL);
    const report = parseReport(local.stdout);
    expect(report.results.length).toBeGreaterThan(0);
    for (const r of report.results) {
      expect(r.status).toBe('error');
      expect(r.error?.kind).toBe('curriculum');
      expect(r.error?.message).toMatch(/pins no curriculumHash/);
    }
    expect(runCli(['check', '--all', '--json'], ws, IN_CI).code).toBe(2);
    const instructor = parseReport(runCli(['check', '--all', '--json', '--curriculum', COURSE], ws, IN_CI).stdout);
    expect(instructor.results.every((r) => r.error?.kind === 'curriculum')).toBe(true);
  });
});

describe('a pin that does not match the instructor curriculum', () => {
  test('every result is an error of kind curriculum in JSON, JUnit and Gradescope output', () => {
    const ws = makeWorkspace({ course: true });
    const dir = tempDir();
    // The instructor's copy, one comment newer than the one the workspace was made with.
    const instructor = copyCurriculum(COURSE, path.join(dir, 'course.yaml'), (yaml) => `${yaml}# fixed a typo\n`);
    const junit = path.join(dir, 'junit.xml');
    const gradescope = path.join(dir, 'results.json');
    const r = runCli(
      ['check', '--all', '--json', '--junit', junit, '--gradescope', gradescope, '--curriculum', instructor],
      ws,
      IN_CI,
    );
    expect(r.code).toBe(1);
    const report = parseReport(r.stdout);
    expect(report.results.length).toBeGreaterThan(0);
    expect(report.errors).toBe(report.results.length);
    for (const x of report.results) {
      expect(x.error).toMatchObject({
        kind: 'curriculum',
        message: expect.stringMatching(/not graded: the curriculum file changed/),
      });
    }
    const xml = fs.readFileSync(junit, 'utf8');
    expect(xml).toContain(`errors="${report.results.length}"`);
    expect(xml.match(/<error [^>]*type="curriculum"/g)).toHaveLength(report.results.length);
    const gs = JSON.parse(fs.readFileSync(gradescope, 'utf8')) as {
      score: number;
      tests: { status: string; output: string }[];
    };
    expect(gs.score).toBe(0);
    expect(gs.tests.every((t) => t.status === 'failed' && t.output.startsWith('curriculum: not graded'))).toBe(true);
    expect(
      fs.existsSync(path.join(ws, '.mlpath', 'runs')) ? fs.readdirSync(path.join(ws, '.mlpath', 'runs')) : [],
    ).toHaveLength(0);
  });
});
