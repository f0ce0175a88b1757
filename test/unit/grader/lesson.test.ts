/**
 * Judging a lesson from what the child saw (grader/lesson.ts): each
 * requirement on its own, held to the worst seed, and the curriculum's
 * `options.lesson` parsed and checked.
 */
import { GradingError } from '../../../src/errors';
import {
  judgeLesson,
  lessonOf,
  lessonSchema,
  lessonWatch,
  observeRequest,
  type Lesson,
  type LessonRun,
} from '../../../src/grader/lesson';
import type { TrainPayload } from '../../../src/grader/protocol';

const lesson = (fields: Partial<Lesson>): Lesson => lessonSchema.parse({ what: 'a loop you write', ...fields });
const opts = { fitAllowed: false, trainingBytes: 22e6 };
const run = (steps: number, fields: Partial<LessonRun> = {}): LessonRun => ({
  // A run that took steps had its scoring call recorded (child/recompute.ts).
  observed: { steps, losses: steps ? [2.3, 1.1, 0.4] : [], ...(steps ? { recomputed: { least: 0.9 } } : {}) },
  curve: [],
  ...fields,
});

describe('judgeLesson', () => {
  it('passes runs that show every requirement, with a table row for each measured one', () => {
    const l = lesson({ minSteps: 100, minEpochs: 2, validation: true, lossFalls: true, maxModelMb: 10 });
    const r = run(1100, {
      observed: { steps: 1100, recomputed: { least: 0.9 }, losses: [2.3, 0.9, 0.2], retainedBytes: 1.2e6 },
      curve: [
        { epoch: 1, loss: 0.6, valAccuracy: 0.9 },
        { epoch: 2, loss: 0.3, valAccuracy: 0.93 },
      ],
    });
    const verdict = judgeLesson(l, [r], opts);
    expect(verdict.problems).toEqual([]);
    expect(verdict.metrics.map((m) => [m.name, m.value, m.passed])).toEqual([
      ['optimizer_steps', 1100, true],
      ['epochs', 2, true],
      ['model_mb', 1.2, true],
    ]);
  });

  it('says nothing was trained when no optimizer step was taken, and leaves the loss out of it', () => {
    const verdict = judgeLesson(lesson({ minSteps: 100, lossFalls: true }), [run(0)], opts);
    expect(verdict.metrics[0]).toMatchObject({ name: 'optimizer_steps', value: 0, min: 100, passed: false });
    expect(verdict.problems).toHaveLength(1);
    expect(verdict.problems[0]).toMatch(/took no optimizer steps, so nothing was trained/);
    expect(verdict.problems[0]).not.toMatch(/model\.fit/);
    expect(judgeLesson(lesson({ minSteps: 100 }), [run(3)], { ...opts, fitAllowed: true }).problems[0]).toMatch(
      /took 3 optimizer steps.*at least 100.*model\.fit\(\) included/,
    );
  });

  it('with minRelied, holds reliance to that share in place of half, both when predict() is asked and when its call is rerun', () => {
    // month3/recsys: ratings near 3.5 move by less than a tenth of themselves for most users when a bias is zeroed.
    const seen = (asked: number, rerun: number): LessonRun =>
      run(400, {
        observed: { steps: 400, recomputed: { least: rerun }, losses: [], reliance: { weights: 2000, least: asked } },
      });
    const strict = lesson({ minSteps: 50 });
    const lenient = lesson({ minSteps: 50, minRelied: 0.25 });
    expect(judgeLesson(strict, [seen(0.42, 0.9)], opts).problems).toEqual([
      expect.stringMatching(
        /does not rely on what the optimizer trained: .* 58% of its answers on validation rows stayed the same/,
      ),
    ]);
    expect(judgeLesson(lenient, [seen(0.42, 0.9)], opts).problems).toEqual([]);
    expect(judgeLesson(strict, [seen(0.9, 0.42)], opts).problems).toEqual([
      expect.stringMatching(/ran the operations of that very call again .* 58% of the answers stayed the same/),
    ]);
    expect(judgeLesson(lenient, [seen(0.9, 0.42)], opts).problems).toEqual([]);
    expect(judgeLesson(lenient, [seen(0.2, 0.9)], opts).problems[0]).toMatch(
      /80% of its answers on validation rows stayed the same/,
    );
    expect(judgeLesson(lenient, [seen(0.9, 0.2)], opts).problems[0]).toMatch(/80% of the answers stayed the same/);
    expect(() => lesson({ minRelied: 0 })).toThrow();
  });

  it('with usesPretrained, asks that zeroing the pretrained weights changes most answers, on every seed', () => {
    const l = lesson({ minSteps: 10, usesPretrained: true });
    const seen = (base?: number): LessonRun =>
      run(50, {
        observed: { steps: 50, recomputed: { least: 0.9 }, losses: [], reliance: { weights: 650, least: 0.9, base } },
      });
    expect(judgeLesson(l, [seen(0.93), seen(0.88)], opts).problems).toEqual([]);
    const beside = judgeLesson(l, [seen(0.93), seen(0)], opts).problems;
    expect(beside).toHaveLength(1);
    expect(beside[0]).toMatch(/^predict\(\) does not use the pretrained model: .*100% of its answers/);
    expect(judgeLesson(l, [seen(undefined)], opts).problems).toEqual([
      'predict() was not built on a pretrained model: train() never loaded one with ctx.pretrained(), or disposed it',
    ]);
    // Without the option nothing is asked of the base.
    expect(judgeLesson(lesson({ minSteps: 10 }), [seen(0)], opts).problems).toEqual([]);
  });

  it('holds each requirement to the worst seed', () => {
    const l = lesson({ minSteps: 100, maxModelMb: 10 });
    const good = run(500, { observed: { steps: 500, recomputed: { least: 0.9 }, losses: [], retainedBytes: 1e6 } });
    const bad = run(40, { observed: { steps: 40, recomputed: { least: 0.9 }, losses: [], retainedBytes: 30e6 } });
    const verdict = judgeLesson(l, [good, bad, good], opts);
    expect(verdict.metrics.find((m) => m.name === 'optimizer_steps')!.value).toBe(40);
    expect(verdict.metrics.find((m) => m.name === 'model_mb')!.value).toBe(30);
  });

  it('reads epochs and validation from what train() logged', () => {
    const l = lesson({ minEpochs: 2, validation: true });
    expect(judgeLesson(l, [run(10, { curve: [] })], opts).problems.join('\n')).toMatch(
      /logged no epoch[\s\S]*no validation number/,
    );
    const oneEpoch = judgeLesson(l, [run(10, { curve: [{ epoch: 1, loss: 1, val_loss: 1.2 }] })], opts);
    expect(oneEpoch.problems).toEqual([expect.stringMatching(/logged 1 epoch: .*at least 2 passes/)]);
  });

  it("judges the fall of the optimizer steps' losses, or without steps the logged ones", () => {
    const l = lesson({ lossFalls: true, minLosses: 3 });
    const flat = run(200, { observed: { steps: 200, recomputed: { least: 0.9 }, losses: [0.7, 0.69, 0.68] } });
    expect(judgeLesson(l, [flat], opts).problems[0]).toMatch(
      /loss the optimizer steps returned did not fall: 0\.700 at first, 0\.680 at the end/,
    );
    const byHand = (losses: number[]): LessonRun => ({
      observed: { steps: 0, losses: [] },
      curve: losses.map((loss, i) => ({ epoch: i, loss })),
    });
    expect(judgeLesson(l, [byHand([580, 100, 24])], opts).problems).toEqual([]);
    expect(judgeLesson(l, [byHand([])], opts).problems[0]).toMatch(/logged no training loss/);
    expect(judgeLesson(l, [byHand([580, 24])], opts).problems[0]).toMatch(/logged 2 losses; .*at least 3 steps/);
  });

  it("judges gradient descent by hand on the grader's replayed losses and step alignment, never on the log", () => {
    const l = lesson({ descent: 'mse', minRounds: 50, lossFalls: true });
    const logged = [
      { epoch: 1, loss: 500 },
      { epoch: 2, loss: 50 },
      { epoch: 3, loss: 5 },
    ];
    const replayed = (fields: Partial<NonNullable<NonNullable<LessonRun['observed']>['replay']>>): LessonRun => ({
      observed: {
        steps: 0,
        losses: [],
        replay: { rounds: 2000, losses: [590, 60, 22], alignment: [1, 1, 1], rank: 14, inputs: 13, ...fields },
      },
      curve: logged,
    });
    expect(judgeLesson(l, [replayed({})], opts).problems).toEqual([]);
    expect(judgeLesson(l, [replayed({})], opts).metrics.map((m) => m.name)).toEqual([
      'weight_updates',
      'descent_alignment',
    ]);
    expect(judgeLesson(l, [replayed({ rounds: 0, losses: [] })], opts).problems).toEqual([
      expect.stringMatching(/^train\(\) updated no tf\.variable with assign\(\)/),
    ]);
    expect(judgeLesson(l, [replayed({ rounds: 12 })], opts).problems).toEqual([
      expect.stringMatching(/updated its variables 12 times, .*at least 50 steps/),
    ]);
    expect(judgeLesson(l, [replayed({ losses: [22, 22, 22] })], opts).problems).toEqual([
      expect.stringMatching(/replaying the weights .* did not fall: 22\.00 at first, 22\.00 at the end/),
    ]);
    expect(judgeLesson(l, [replayed({ alignment: [0.43, 0.5, 0.43] })], opts).problems).toEqual([
      expect.stringMatching(/were not gradient descent: .*only 45% of the weights/),
    ]);
    expect(judgeLesson(l, [replayed({ rank: 1 })], opts).problems).toEqual([
      expect.stringMatching(/depends on the weights train\(\) updated in 1 independent direction, .*13 input columns/),
    ]);
    expect(
      judgeLesson(l, [replayed({ problem: 'predict(x) threw while the grader replayed' })], opts).problems,
    ).toEqual(['predict(x) threw while the grader replayed']);
    // One seed that did not descend fails the lesson, as a metric's worst seed does.
    expect(judgeLesson(l, [replayed({}), replayed({ alignment: [] })], opts).problems).toHaveLength(1);
    expect(observeRequest(l).replay).toBe('mse');
  });

  it('reads the loss from the steps the grader watched when the lesson asks for steps, never from the log', () => {
    const l = lesson({ minSteps: 100, lossFalls: true });
    const logged = run(120, {
      observed: { steps: 120, recomputed: { least: 0.9 }, losses: [] },
      curve: [
        { epoch: 1, loss: 1 },
        { epoch: 2, loss: 0.3 },
        { epoch: 3, loss: 0.1 },
      ],
    });
    expect(judgeLesson(l, [logged], opts).problems).toEqual([
      expect.stringMatching(
        /^the grader saw the loss of 0 optimizer steps, too few to see it fall: .*what ctx\.log reports is not read/,
      ),
    ]);
  });

  it("fails the model's weight when TensorFlow.js's byte count was changed, whatever it reads", () => {
    const l = lesson({ maxModelMb: 10 });
    const verdict = judgeLesson(
      l,
      [run(0, { observed: { steps: 0, losses: [], retainedBytes: 1e6, tampered: 'numBytes written' } })],
      opts,
    );
    expect(verdict.metrics[0]).toMatchObject({ name: 'model_mb', value: 1, passed: false });
    expect(verdict.problems).toEqual([
      expect.stringMatching(/^TensorFlow\.js's memory bookkeeping was changed \(numBytes written\)/),
    ]);
  });

  it('names a predictor that kept the training set apart from one that kept too much', () => {
    const l = lesson({ maxModelMb: 10 });
    const kept = judgeLesson(l, [run(0, { observed: { steps: 0, losses: [], retainedBytes: 22.01e6 } })], opts);
    expect(kept.problems[0]).toMatch(
      /^predict\(\) kept the training set: 22\.0 MB .*\(the training inputs are 22\.0 MB\), over the 10 MB a trained model needs here/,
    );
    const leaky = judgeLesson(l, [run(0, { observed: { steps: 0, losses: [], retainedBytes: 12e6 } })], opts);
    expect(leaky.problems[0]).toMatch(/^train\(\) left 12\.0 MB .*dispose what you made from the training data/);
  });

  it("explains a missed metric with the curriculum's note, and only a missed one", () => {
    const l = lesson({ metricNotes: { log_loss: "not a sigmoid's probabilities" } });
    const scored = [
      { name: 'accuracy', value: 0.87, min: 0.85, passed: true },
      { name: 'log_loss', value: 0.3096, max: 0.28, passed: false },
    ];
    expect(judgeLesson(l, [run(0)], { ...opts, scored }).problems).toEqual([
      "log_loss 0.310 is above its maximum 0.28: not a sigmoid's probabilities",
    ]);
    expect(
      judgeLesson(l, [run(0)], { ...opts, scored: [{ ...scored[1], value: 0.23, passed: true }] }).problems,
    ).toEqual([]);
  });
});

describe('lessonOf and the watch request', () => {
  const ex = (options?: Record<string, unknown>) => ({ key: 'month2/mnist', options, forbid: [] as string[] });

  it('is undefined without options.lesson, and a GradingError naming the field when it is wrong', () => {
    expect(lessonOf(ex())).toBeUndefined();
    expect(lessonOf(ex({ suite: 'x' }))).toBeUndefined();
    expect(() => lessonOf(ex({ lesson: { what: 'x', minSteps: -1 } }))).toThrow(GradingError);
    expect(() => lessonOf(ex({ lesson: { what: 'x', minStep: 1 } }))).toThrow(/month2\/mnist: options\.lesson/);
  });

  it('asks the child to release the data whenever it measures memory', () => {
    expect(observeRequest(lesson({ maxModelMb: 3 }))).toEqual({
      release: true,
      measure: true,
      lesson: 'a loop you write',
    });
    expect(observeRequest(lesson({ minSteps: 5 }))).toEqual({
      release: false,
      measure: false,
      lesson: 'a loop you write',
    });
  });

  it('leaves an exercise without a lesson exactly as it was', () => {
    const watch = lessonWatch(ex());
    const payload = {
      xTrain: { values: new Float32Array(4), shape: [2, 2], dtype: 'float32' },
    } as unknown as TrainPayload;
    expect(watch.request(payload)).toBe(payload);
    expect(watch.judge({ metrics: [], output: 'printed' })).toEqual({ metrics: [], output: 'printed', passed: true });
  });

  it('heads the findings with the lesson, after what the program printed', () => {
    const watch = lessonWatch(ex({ lesson: { what: 'a loop you write', minSteps: 100 } }));
    const payload = watch.request({
      xTrain: { values: new Float32Array(4), shape: [2, 2], dtype: 'float32' },
    } as unknown as TrainPayload);
    expect(payload.observe).toEqual({ release: false, measure: false, lesson: 'a loop you write' });
    watch.note({ steps: 0, losses: [] }, []);
    const judged = watch.judge({ metrics: [], output: 'printed\n' });
    expect(judged.passed).toBe(false);
    expect(judged.output.split('\n').slice(0, 3)).toEqual([
      'printed',
      '--- the lesson is a loop you write ---',
      expect.stringMatching(/^train\(\) took no optimizer steps/),
    ]);
    expect(judged.metrics).toEqual([expect.objectContaining({ name: 'optimizer_steps', passed: false })]);
  });
});

describe('a measurement that is missing is not a pass (review 18)', () => {
  const l = lesson({ minSteps: 100 });

  it('a run that took steps but whose scoring call could not be recorded', () => {
    const r = run(500, { observed: { steps: 500, losses: [] } });
    expect(judgeLesson(l, [run(500), r], opts).problems).toEqual([
      expect.stringMatching(/^the grader could not record predict\(\)'s answers .* none of them was alive/),
    ]);
  });

  it('predict() that gave the validation rows no answer the grader could read', () => {
    const r = run(500, {
      observed: {
        steps: 500,
        losses: [],
        recomputed: { least: 0.9 },
        reliance: { weights: 100, least: 0, unanswered: true },
      },
    });
    expect(judgeLesson(l, [r], opts).problems).toEqual([
      expect.stringMatching(/^predict\(\) gave no answers the grader could read on validation rows/),
    ]);
  });
});
