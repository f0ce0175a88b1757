import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { CurriculumError, type CurriculumIssue } from '../../../src/errors';
import { defaultCurriculumPath, loadCurriculum } from '../../../src/curriculum';

const FIXTURES = path.resolve(__dirname, '../../fixtures/curricula');
const fixture = (name: string): string => path.join(FIXTURES, name);

function issuesOf(file: string): CurriculumIssue[] {
  try {
    loadCurriculum(file);
  } catch (err) {
    expect(err).toBeInstanceOf(CurriculumError);
    return (err as CurriculumError).issues;
  }
  throw new Error(`${file} loaded without problems`);
}

/**
 * The problems a fixture expects, read from its `# expect <field>, <field>`
 * comments: each field must be reported on the line that carries the comment.
 */
function expectedIn(file: string): Array<{ field: string; line: number }> {
  return fs
    .readFileSync(file, 'utf8')
    .split('\n')
    .flatMap((text, i) => {
      const marker = /#\s*expect\s+(.+)$/.exec(text);
      return marker ? marker[1].split(/,\s*/).map((field) => ({ field: field.trim(), line: i + 1 })) : [];
    });
}

describe('loadCurriculum on a valid file', () => {
  const file = fixture('valid.yaml');
  const curriculum = loadCurriculum(file);

  it('flattens exercises in path order with their keys and months', () => {
    expect(curriculum.exercises.map((e) => e.key)).toEqual([
      'month1/tensors',
      'month1/linear',
      'month2/search',
      'month2/serve',
    ]);
    expect(curriculum.exercises.map((e) => e.monthId)).toEqual(['month1', 'month1', 'month2', 'month2']);
  });

  it('records where the file is and a sha256 of its bytes', () => {
    expect(curriculum.file).toBe(file);
    expect(curriculum.dir).toBe(FIXTURES);
    expect(curriculum.hash).toBe(createHash('sha256').update(fs.readFileSync(file)).digest('hex'));
  });

  it('resolves template and solution folders against the curriculum folder', () => {
    const linear = curriculum.exercises[1];
    expect(linear.templateDir).toBe(path.join(FIXTURES, 'exercises/hello'));
    expect(linear.solutionDir).toBe(path.join(FIXTURES, 'solutions/hello'));
    expect(curriculum.exercises[2].solutionDir).toBeUndefined();
    expect(curriculum.exercises[3].templateDir).toBeUndefined();
  });

  it('applies schema defaults and keeps explicit values', () => {
    const [tensors, linear, search, serve] = curriculum.exercises;
    expect(tensors.status).toBe('ready');
    expect(tensors.budget).toEqual({ seconds: 120, memoryMb: 1536 });
    expect(linear.budget).toEqual({ seconds: 30, memoryMb: 1536 });
    expect(linear.seeds).toEqual([1, 2]);
    expect(tensors.seeds).toEqual([1]);
    expect(linear.dataset?.split).toEqual({ seed: 7, test: 0.25, val: 0.1 });
    expect(search.dataset?.split.val).toBe(0);
    expect(search.metrics).toEqual([{ name: 'ndcg_at_k', k: 10, min: 0.3 }]);
    expect(serve.status).toBe('planned');
    expect(curriculum.tracks[0].description).toBe('');
    expect(curriculum.defaultTrack).toBe('nlp');
  });

  it('resolves a relative path against the current directory', () => {
    const relative = path.relative(process.cwd(), file);
    expect(loadCurriculum(relative).file).toBe(file);
  });
});

describe('loadCurriculum reports every problem with its field and line', () => {
  const cases: Array<[string, RegExp[]]> = [
    ['syntax-error.yaml', [/nested mappings/i, /keys must be unique/i]],
    [
      'schema-errors.yaml',
      [
        /missing required field .title./,
        /expected number, received string/i,
        /^'acurracy' is not one of accuracy, .*; did you mean 'accuracy'\?$/,
        /unknown field 'hint'; did you mean 'hints'\?/,
        /^unknown field 'colour'$/,
      ],
    ],
    ['duplicate-month.yaml', [/duplicate month id 'month1', already used by months\[0\]$/]],
    [
      'duplicate-exercise.yaml',
      [/duplicate exercise \(in month1\) id 'tensors', already used by months\[0\]\.exercises\[0\]$/],
    ],
    ['unknown-prerequisite.yaml', [/unknown exercise 'month1\/tensor'.*Did you mean: month1\/tensors\?$/]],
    ['prerequisite-cycle.yaml', [/cycle: month1\/a -> month1\/b -> month1\/c -> month1\/a$/]],
    ['self-prerequisite.yaml', [/cycle: month1\/a -> month1\/a$/]],
    ['unknown-track.yaml', [/unknown track 'vison'; declared tracks: nlp/]],
    ['unknown-default-track.yaml', [/unknown track 'vision'/]],
    ['metric-without-threshold.yaml', [/'f1' needs a threshold: set min or max/, /max \(1\) is below min \(2\)/]],
    ['ranking-without-k.yaml', [/'ndcg_at_k' needs k/, /k only applies to ranking metrics/]],
    [
      'seeds-and-baseline.yaml',
      [
        /seed 1 is listed twice/,
        /'f1' is not one of this exercise's metrics \(accuracy, ndcg_at_k@5\)/,
        /the baseline \(the training mean\) meets every threshold, so it would pass/,
        /a functions exercise is graded on one seed .*: list one/,
      ],
    ],
    [
      'lesson-options.yaml',
      [/greater than 0/, /unknown field 'lesson': it is an option of train exercises, and this one is 'functions'/],
    ],
    ['lesson-metric-notes.yaml', [/'log_loss' is not one of this exercise's metrics/]],
    // What validate checks of the meaning: names the registries know, metrics that fit the task, bounded budgets.
    ['unknown-dataset.yaml', [/^unknown dataset 'mnistt'; did you mean 'mnist'\? \(datasets: mnist, /]],
    [
      'unknown-dataset-option.yaml',
      [/^dataset 'ratings' has no option 'userz'; did you mean 'users'\? \(options: users, /],
    ],
    [
      'dataset-option-value.yaml',
      [
        /^dataset 'boston' option 'target' must be one of price, above-median, got "above-medain"; did you mean/,
        /^dataset 'synthetic-linear' option 'n' must be an integer from 2 to \d+, got 0.5$/,
      ],
    ],
    [
      'unknown-suite.yaml',
      [
        /^no grading suite 'tensorz'; did you mean 'tensors'\? \(suites: tensors, /,
        /^no grading suite 'shapes' \(without options.suite, the suite named like the exercise grades it; suites: /,
      ],
    ],
    [
      'suite-metric.yaml',
      [
        /^suite 'tensors' scores cases_passed \(the share of its cases passed\), not 'rmse'$/,
        /^suite 'drift' scores detection_rate, false_alarm_rate, detection_delay, not 'accuracy'$/,
      ],
    ],
    [
      'unknown-kind.yaml',
      [
        /^unknown kind 'split' \(mlpath grades train, functions, service, tracking\)$/,
        /^unknown kind 'trian'; did you mean 'train'\? /,
        /^missing required field 'kind'/,
      ],
    ],
    [
      'metric-task.yaml',
      [
        /^'mse' does not score a binary task; a binary task is scored with accuracy, .*log_loss$/,
        /^'detection_rate' is computed by a grading suite/,
        /^'accuracy' does not score a ranking task; a ranking task is scored with mse, rmse, mae, r2, precision_at_k/,
      ],
    ],
    ['budget-bounds.yaml', [/^must be at most 86400 seconds \(24 hours\)/, /^must be at most 16384 MiB \(16 GiB\)/]],
    [
      'unknown-option.yaml',
      [
        /^unknown field 'minRun'; did you mean 'minRuns'\?$/,
        /^unknown field 'selection': it is an option of train exercises, and this one is 'service'$/,
        /^unknown field 'minStep'; did you mean 'minSteps'\?$/,
      ],
    ],
    [
      'option-task.yaml',
      [
        /^'rmse' does not score a classification task/,
        /^'accuracy' does not score a regression task; a regression task is scored with mse, rmse, mae, r2$/,
        /^a fixed ridge model predicts numbers: the task must be regression, not classification$/,
        /^relevantMin only applies to a ranking task, not classification$/,
        /^a service exercise is graded on the class its server answers: task must be classification, not regression$/,
      ],
    ],
    ['ready-train-incomplete.yaml', [/needs a dataset/, /needs a task/, /needs at least one metric/]],
    [
      'ready-kinds-incomplete.yaml',
      [
        /a ready exercise of kind tracking needs a dataset/,
        /of kind tracking needs a task/,
        /of kind tracking needs at least one metric/,
        /a ready exercise of kind service needs a dataset to serve a model of/,
      ],
    ],
    [
      'ready-incomplete.yaml',
      [/needs a starter template folder/, /needs an entry file/, /at least 3 tiered hints \(has 2\)/],
    ],
    [
      'missing-folders.yaml',
      [
        /template folder 'exercises\/nowhere' not found/,
        /solution folder 'solutions\/nowhere' not found/,
        /entry file 'tensors.ts' not found in template folder 'exercises\/no-entry'/,
        /template folder 'exercises\/tensors\/tensors.ts' not found/,
      ],
    ],
  ];

  it.each(cases)('%s', (name, messages) => {
    const file = fixture(name);
    const expected = expectedIn(file);
    expect(expected.length).toBeGreaterThan(0);

    const issues = issuesOf(file);
    expect(issues.map(({ field, line }) => ({ field, line }))).toEqual(expect.arrayContaining(expected));
    expect(issues).toHaveLength(expected.length);
    for (const issue of issues) expect(issue.file).toBe(file);
    for (const message of messages) {
      expect(issues.some((i) => message.test(i.message))).toBe(true);
    }
  });

  it('sorts problems by line and formats each as file:line: field: message', () => {
    const file = fixture('missing-folders.yaml');
    let error: CurriculumError | undefined;
    try {
      loadCurriculum(file);
    } catch (err) {
      error = err as CurriculumError;
    }
    const lines = error!.issues.map((i) => i.line!);
    expect(lines).toEqual([...lines].sort((a, b) => a - b));
    expect(error!.message.split('\n')[0]).toBe(
      `${file}:${lines[0]}: months[0].exercises[0].template: ${error!.issues[0].message}`,
    );
  });

  it('reports an empty file', () => {
    const issues = issuesOf(fixture('empty.yaml'));
    expect(issues).toHaveLength(1);
    expect(issues[0].message).toMatch(/empty/);
  });

  it('reports a missing file clearly, with a hint', () => {
    const file = fixture('does-not-exist.yaml');
    let error: unknown;
    try {
      loadCurriculum(file);
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(CurriculumError);
    expect((error as CurriculumError).issues).toEqual([{ file, field: 'file', message: 'curriculum file not found' }]);
    expect((error as CurriculumError).hint).toMatch(/mlpath validate/);
    expect((error as CurriculumError).exitCode).toBe(2);
  });

  it('reports a folder passed as the file', () => {
    expect(issuesOf(FIXTURES)[0].message).toMatch(/folder/);
  });
});

describe('defaultCurriculumPath', () => {
  it('points at curriculum/curriculum.yaml in the package root', () => {
    expect(defaultCurriculumPath()).toBe(path.resolve(__dirname, '../../../curriculum/curriculum.yaml'));
  });
});
