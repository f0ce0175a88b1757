/**
 * Each diagnosis of the coach on a record that shows it and on one that must
 * not, and a healthy run that shows none. The records are what a check
 * leaves behind: the curve the learner logged, the graded metrics (with every
 * seed's value), the confusion matrix and the scale of the inputs.
 */
import { diagnose, diagnosisSchema, type CoachInput, type Diagnosis, type DiagnosisId } from '../../../src/coach';
import { loggedMetric } from '../../../src/coach/reading';
import type { MetricResult } from '../../../src/grader/result';

function epochs(values: Record<string, number[]>): Record<string, number>[] {
  const n = Math.max(...Object.values(values).map((v) => v.length));
  return Array.from({ length: n }, (_, i) => {
    const step: Record<string, number> = { epoch: i + 1 };
    for (const [k, v] of Object.entries(values)) if (v[i] !== undefined) step[k] = v[i];
    return step;
  });
}

const accuracy = (value: number, passed = value >= 0.9): MetricResult => ({
  name: 'accuracy',
  value,
  min: 0.9,
  passed,
});

/** A classifier that learned: loss falls, validation follows, held-out agrees, predictions spread over both classes. */
function healthy(over: Partial<CoachInput> = {}, result: Partial<CoachInput['result']> = {}): CoachInput {
  return {
    kind: 'train',
    result: { status: 'passed', metrics: [accuracy(0.94)], seed: 1, error: null, ...result },
    curve: epochs({
      loss: [0.69, 0.45, 0.33, 0.27, 0.23, 0.21, 0.2, 0.19],
      valLoss: [0.6, 0.42, 0.33, 0.29, 0.26, 0.25, 0.24, 0.24],
      valAccuracy: [0.8, 0.86, 0.9, 0.92, 0.93, 0.94, 0.94, 0.95],
    }),
    confusion: [
      [470, 30],
      [30, 470],
    ],
    classNames: ['ham', 'spam'],
    inputScale: { min: 0, max: 1 },
    ...over,
  };
}

const failed = (metrics: MetricResult[] = [accuracy(0.6)]): Partial<CoachInput['result']> => ({
  status: 'failed',
  metrics,
});

function ids(input: CoachInput): DiagnosisId[] {
  return diagnose(input).map((d) => d.id);
}

function only(input: CoachInput, id: DiagnosisId): Diagnosis {
  const found = diagnose(input).find((d) => d.id === id);
  if (!found) throw new Error(`expected ${id}, got ${ids(input).join(', ') || 'nothing'}`);
  return found;
}

test('a healthy run gets no diagnosis, passed or narrowly failed', () => {
  expect(diagnose(healthy())).toEqual([]);
  expect(diagnose(healthy({}, failed([accuracy(0.89)])))).toEqual([]);
});

test('every diagnosis is a valid, strict schema object', () => {
  const all = [
    ...diagnose(healthy({ curve: [] }, failed())),
    ...diagnose(
      healthy(
        { nonFinite: [{ index: 2, keys: ['loss'] }], inputScale: { min: 0, max: 711, feature: 'TAX' } },
        failed(),
      ),
    ),
  ];
  expect(all.length).toBeGreaterThan(0);
  for (const d of all) expect(diagnosisSchema.parse(d)).toEqual(d);
  expect(diagnosisSchema.safeParse({ ...all[0], extra: 1 }).success).toBe(false);
});

describe("logged keys map to the grader's metrics", () => {
  test.each([
    ['valAccuracy', 'accuracy'],
    ['val_accuracy', 'accuracy'],
    ['val_acc', 'accuracy'],
    ['validationAccuracy', 'accuracy'],
    ['accVal', 'accuracy'],
    ['val_f1', 'f1'],
    ['valF1', 'f1'],
    ['val_rmse', 'rmse'],
    ['valMae', 'mae'],
    ['val_auc', 'roc_auc'],
    ['val_r2', 'r2'],
  ])('%s is %s', (key, metric) => {
    expect(loggedMetric(key)?.metric).toBe(metric);
  });

  test('losses, training values and unrelated keys are not validation metrics', () => {
    for (const key of ['valLoss', 'val_loss', 'accuracy', 'loss', 'interval', 'lr'])
      expect(loggedMetric(key)).toBeUndefined();
    expect(loggedMetric('val_rmse')?.higherIsBetter).toBe(false);
    expect(loggedMetric('val_acc')?.higherIsBetter).toBe(true);
  });
});

describe('no-training-curve', () => {
  test('a failed train exercise that logged nothing', () => {
    const d = only(healthy({ curve: [] }, failed()), 'no-training-curve');
    expect(d.evidence).toContain('0 logged steps');
    expect(d.next).toContain('ctx.log');
  });

  test('also after a timeout', () => {
    expect(
      ids(healthy({ curve: [] }, { status: 'error', metrics: [], error: { kind: 'timeout', message: 'over budget' } })),
    ).toContain('no-training-curve');
  });

  test('not on a pass, not for kinds that do not train, not when training never started', () => {
    expect(ids(healthy({ curve: [] }))).not.toContain('no-training-curve');
    expect(ids(healthy({ kind: 'functions', curve: [] }, failed()))).not.toContain('no-training-curve');
    expect(
      ids(healthy({ curve: [] }, { status: 'error', metrics: [], error: { kind: 'compile', message: 'x' } })),
    ).not.toContain('no-training-curve');
    expect(ids(healthy({}, failed()))).not.toContain('no-training-curve');
  });
});

describe('diverged', () => {
  test('a NaN in the log, with the last finite loss before it', () => {
    const curve = epochs({ loss: [3.1, 40, 9000] });
    curve.push({ epoch: 4 });
    const d = only(healthy({ curve, nonFinite: [{ index: 3, keys: ['loss'] }] }, failed()), 'diverged');
    expect(d.evidence).toContain('loss was NaN or Infinity at epoch 4');
    expect(d.evidence).toContain('the last finite loss was 9000, at epoch 3');
  });

  test('a loss that grows by orders of magnitude', () => {
    const d = only(healthy({ curve: epochs({ loss: [600, 2000, 1e5, 1e8] }) }, failed()), 'diverged');
    expect(d.evidence).toContain('loss went from 600 at epoch 1');
    expect(d.evidence).toContain('1.00e+8 at epoch 4');
  });

  test('not for a spike the loss recovers from', () => {
    expect(ids(healthy({ curve: epochs({ loss: [0.7, 5, 0.3, 0.2] }) }, failed()))).not.toContain('diverged');
    expect(ids(healthy({}, failed()))).not.toContain('diverged');
  });
});

describe('unnormalised-inputs', () => {
  const raw = { min: 0, max: 711, feature: 'TAX' };

  test('raw-scale inputs and a loss that diverged', () => {
    const d = only(
      healthy({ inputScale: raw, curve: epochs({ loss: [600, 2000, 1e5, 1e8] }) }, failed()),
      'unnormalised-inputs',
    );
    expect(d.evidence).toContain('range from 0 to 711 (the largest in TAX), and loss grew from 600 to 1.00e+8');
    expect(d.next).toContain('standardise');
  });

  test('raw-scale inputs and a loss that barely moved', () => {
    const input = healthy({ inputScale: raw, curve: epochs({ loss: [612, 611, 610, 609] }) }, failed());
    expect(ids(input)).toEqual(['unnormalised-inputs', 'underfitting']);
    expect(only(input, 'unnormalised-inputs').evidence).toContain('and loss barely moved, from 612 to 609');
  });

  test('not when the loss falls, not for scaled inputs, not on a pass', () => {
    expect(ids(healthy({ inputScale: raw }, failed()))).not.toContain('unnormalised-inputs');
    expect(ids(healthy({ curve: epochs({ loss: [0.69, 0.69, 0.69, 0.69] }) }, failed()))).not.toContain(
      'unnormalised-inputs',
    );
    expect(ids(healthy({ inputScale: raw, curve: epochs({ loss: [600, 2000, 1e5, 1e8] }) }))).not.toContain(
      'unnormalised-inputs',
    );
  });
});

describe('underfitting', () => {
  test('a flat loss on a failed check', () => {
    const d = only(healthy({ curve: epochs({ loss: [0.693, 0.692, 0.691, 0.69, 0.69] }) }, failed()), 'underfitting');
    expect(d.evidence).toContain('loss went from 0.693 at epoch 1 to 0.69 at epoch 5');
    expect(d.evidence).toContain('a drop of 0% over 5 logged steps');
  });

  test('not when the loss fell, not on a pass, not with fewer than three steps', () => {
    expect(ids(healthy({}, failed()))).not.toContain('underfitting');
    expect(ids(healthy({ curve: epochs({ loss: [0.693, 0.692, 0.691, 0.69] }) }))).not.toContain('underfitting');
    expect(ids(healthy({ curve: epochs({ loss: [0.693, 0.692] }) }, failed()))).not.toContain('underfitting');
  });
});

describe('overfitting', () => {
  test('validation loss rising over the last epochs while training loss falls', () => {
    const curve = epochs({
      loss: [0.6, 0.4, 0.3, 0.2, 0.12, 0.07, 0.04],
      val_loss: [0.55, 0.42, 0.36, 0.35, 0.39, 0.45, 0.52],
    });
    const d = only(healthy({ curve }), 'overfitting');
    expect(d.evidence).toContain('val_loss rose from 0.35 at epoch 4 to 0.52 at epoch 7');
    expect(d.evidence).toContain('loss fell from 0.2 to 0.04');
    expect(d.next).toContain('stop near epoch 4');
  });

  test('not for one noisy last epoch, nor when both losses rise', () => {
    const blip = epochs({ loss: [0.6, 0.4, 0.3, 0.2, 0.12], valLoss: [0.55, 0.42, 0.36, 0.35, 0.4] });
    expect(ids(healthy({ curve: blip }))).not.toContain('overfitting');
    const both = epochs({ loss: [0.6, 0.4, 0.3, 0.35, 0.45], valLoss: [0.55, 0.42, 0.36, 0.45, 0.5] });
    expect(ids(healthy({ curve: both }))).not.toContain('overfitting');
  });
});

describe('perfect-validation', () => {
  test('validation perfect from the first epoch while held-out is lower', () => {
    const d = only(
      healthy({ curve: epochs({ loss: [0.3, 0.1, 0.05], valAccuracy: [1, 1, 1] }) }, failed([accuracy(0.84)])),
      'perfect-validation',
    );
    expect(d.evidence).toBe('valAccuracy was 1 from epoch 1 on (3 logged steps), yet held-out accuracy is 0.84.');
  });

  test('perfect at the end, far above held-out; skew is then not reported twice', () => {
    const input = healthy(
      { curve: epochs({ loss: [0.6, 0.3, 0.1], val_acc: [0.7, 0.9, 1] }) },
      failed([accuracy(0.7)]),
    );
    expect(ids(input)).toContain('perfect-validation');
    expect(ids(input)).not.toContain('train-serve-skew');
  });

  test('not for a small validation set that reaches 1 on an easy task', () => {
    expect(
      ids(
        healthy(
          { curve: epochs({ loss: [0.9, 0.4, 0.2], valAccuracy: [0.8, 0.93, 1] }) },
          { metrics: [accuracy(0.97)] },
        ),
      ),
    ).toEqual([]);
  });
});

describe('train-serve-skew', () => {
  test('validation accuracy far above held-out: compared with the confusion matrix when accuracy is not graded', () => {
    const f1 = { name: 'f1', value: 0.27, min: 0.95, passed: false };
    const d = only(
      healthy(
        {
          curve: epochs({ loss: [0.3, 0.15, 0.1], valAccuracy: [0.95, 0.97, 0.985] }),
          confusion: [
            [560, 270],
            [300, 79],
          ],
        },
        failed([f1]),
      ),
      'train-serve-skew',
    );
    expect(d.evidence).toContain(
      'valAccuracy logged during training ended at 0.985 (epoch 3), but held-out accuracy is 0.529',
    );
    expect(d.evidence).toContain('(graded f1: 0.27)');
    expect(d.next).toContain('never refit it on the inputs predict() receives');
  });

  test('an error metric several times worse on held-out data', () => {
    const rmse = { name: 'rmse', value: 9.1, max: 5, passed: false };
    const d = only(
      healthy({ curve: epochs({ loss: [40, 20, 12], val_rmse: [6, 4.2, 3.4] }), confusion: undefined }, failed([rmse])),
      'train-serve-skew',
    );
    expect(d.evidence).toContain('held-out rmse is 9.1, 2.68 times higher');
  });

  test("the first seed's value is compared, since the curve is the first seed's", () => {
    const f1 = { name: 'f1', value: 0.2, min: 0.95, passed: false, values: [0.97, 0.2] };
    expect(
      ids(
        healthy(
          { curve: epochs({ loss: [0.3, 0.1, 0.05], val_f1: [0.9, 0.95, 0.98] }) },
          { status: 'failed', metrics: [f1], seeds: [1, 2] },
        ),
      ),
    ).not.toContain('train-serve-skew');
  });

  test('not when validation and held-out agree', () => {
    const f1 = { name: 'f1', value: 0.97, min: 0.95, passed: true };
    expect(
      ids(
        healthy(
          {
            curve: epochs({ loss: [0.3, 0.15, 0.1], valAccuracy: [0.95, 0.97, 0.985] }),
            confusion: [
              [820, 10],
              [15, 364],
            ],
          },
          { metrics: [f1] },
        ),
      ),
    ).toEqual([]);
  });
});

describe('one-class', () => {
  test('nearly every prediction in one column', () => {
    const d = only(
      healthy(
        {
          confusion: [
            [828, 2],
            [377, 2],
          ],
        },
        failed(),
      ),
      'one-class',
    );
    expect(d.title).toContain("'ham'");
    expect(d.evidence).toBe(
      "1205 of 1209 held-out predictions (100%) are 'ham', which is only 69% of the true labels.",
    );
  });

  test('names the classes never predicted', () => {
    expect(
      only(
        healthy(
          {
            confusion: [
              [5, 0, 0],
              [7, 0, 0],
              [9, 0, 0],
            ],
            classNames: undefined,
          },
          failed(),
        ),
        'one-class',
      ).evidence,
    ).toContain('class 1, class 2 never predicted');
  });

  test('not for predictions spread over the classes, nor when one class really is almost all of the data', () => {
    expect(ids(healthy({}, failed()))).not.toContain('one-class');
    expect(
      ids(
        healthy(
          {
            confusion: [
              [950, 0],
              [40, 10],
            ],
          },
          failed(),
        ),
      ),
    ).not.toContain('one-class');
  });
});

describe('seed-near-miss', () => {
  const seeds = [1, 2, 3];
  const f1 = (values: number[]): MetricResult => ({
    name: 'f1',
    value: Math.min(...values),
    min: 0.95,
    passed: values.every((v) => v >= 0.95),
    values,
  });

  test('one seed misses by a hair while the others pass', () => {
    const d = only(healthy({}, { status: 'failed', seeds, metrics: [f1([0.962, 0.948, 0.958])] }), 'seed-near-miss');
    expect(d.title).toContain('seed 2');
    expect(d.evidence).toContain('0.948 (seed 2, miss)');
    expect(d.evidence).toContain('seed 2 misses by 0.002');
  });

  test('one seed scrapes past while the others fail', () => {
    expect(
      only(healthy({}, { status: 'failed', seeds, metrics: [f1([0.9, 0.951, 0.88])] }), 'seed-near-miss').evidence,
    ).toContain('seed 2 passes by 0.001');
  });

  test('not when every seed clears the threshold with room, when no disagreeing seed is close, nor with one seed', () => {
    expect(ids(healthy({}, { seeds, metrics: [f1([0.97, 0.975, 0.98])] }))).not.toContain('seed-near-miss');
    expect(ids(healthy({}, { status: 'failed', seeds, metrics: [f1([0.99, 0.5, 0.97])] }))).not.toContain(
      'seed-near-miss',
    );
    expect(ids(healthy({}, failed([{ name: 'f1', value: 0.949, min: 0.95, passed: false }])))).not.toContain(
      'seed-near-miss',
    );
  });
});
