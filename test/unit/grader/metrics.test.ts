/**
 * Expected values are computed independently of the code under test: by hand
 * (shown in comments), from scikit-learn's documented examples, or once with
 * the NumPy script quoted where used (pairwise AUC rather than ranks, direct
 * formulas in float64).
 */
import { GradingError } from '../../../src/errors';
import {
  accuracy,
  balancedAccuracy,
  checkThreshold,
  classProbabilities,
  computeMetric,
  f1,
  logLoss,
  logLossMulticlass,
  mae,
  METRIC_TASKS,
  SUITE_METRICS,
  mse,
  precision,
  r2,
  rankingMetrics,
  recall,
  rmse,
  rocAuc,
  rocAucOvr,
  type ScoredItem,
} from '../../../src/grader/metrics';
import { InvalidOutputError, normalizePredictions } from '../../../src/grader/predictions';
import { METRIC_NAMES } from '../../../src/curriculum/schema';

const f32 = (values: number[]): Float32Array => Float32Array.from(values);

describe('accuracy and balanced accuracy', () => {
  it('counts exact matches', () => {
    expect(accuracy([0, 1, 2, 1], [0, 2, 2, 1])).toBe(0.75);
    expect(accuracy([3, 3], [3, 3])).toBe(1);
    expect(accuracy([0, 1], [1, 0])).toBe(0);
  });

  it('balanced accuracy matches the scikit-learn example', () => {
    // sklearn docs: balanced_accuracy_score([0,1,0,0,1,0], [0,1,0,0,0,1]) == 0.625
    expect(balancedAccuracy([0, 1, 0, 0, 1, 0], [0, 1, 0, 0, 0, 1])).toBeCloseTo(0.625, 12);
  });

  it('averages recall over the classes in the labels only', () => {
    // class 0: 1/2, class 2: 2/2; predicted class 5 never occurs in the labels
    expect(balancedAccuracy([0, 0, 2, 2], [0, 5, 2, 2])).toBeCloseTo(0.75, 12);
  });

  it('is 1 on a single-class set predicted perfectly', () => {
    expect(balancedAccuracy([1, 1, 1], [1, 1, 1])).toBe(1);
  });

  it('refuses empty and mismatched inputs', () => {
    expect(() => accuracy([], [])).toThrow(GradingError);
    expect(() => accuracy([1, 0], [1])).toThrow(/2 labels but 1 predictions/);
    expect(() => balancedAccuracy([0.5], [0])).toThrow(/class indices/);
  });
});

describe('precision, recall, F1', () => {
  // y = [0,1,1,0,1,1,0], pred = [1,1,0,1,1,1,0]: TP 3, FP 2, FN 1
  const y = [0, 1, 1, 0, 1, 1, 0];
  const p = [1, 1, 0, 1, 1, 1, 0];

  it('scores class 1 in binary mode', () => {
    expect(precision(y, p)).toBeCloseTo(3 / 5, 12);
    expect(recall(y, p)).toBeCloseTo(3 / 4, 12);
    expect(f1(y, p)).toBeCloseTo(6 / 9, 12);
  });

  it('macro-averages the scikit-learn multi-class example', () => {
    // sklearn docs: y_true=[0,1,2,0,1,2], y_pred=[0,2,1,0,0,1]
    // precision macro 0.222..., recall macro 0.333..., f1 macro 0.267...
    const yt = [0, 1, 2, 0, 1, 2];
    const yp = [0, 2, 1, 0, 0, 1];
    expect(precision(yt, yp, 'macro')).toBeCloseTo(2 / 9, 12);
    expect(recall(yt, yp, 'macro')).toBeCloseTo(1 / 3, 12);
    expect(f1(yt, yp, 'macro')).toBeCloseTo(0.8 / 3, 12);
  });

  it('macro F1 averages per-class F1, not the F1 of the averages', () => {
    // class 0: P 2/3 R 1 F1 0.8; class 1: P 1 R 1/2 F1 2/3
    const yt = [0, 0, 1, 1];
    const yp = [0, 0, 0, 1];
    expect(f1(yt, yp, 'macro')).toBeCloseTo((0.8 + 2 / 3) / 2, 12);
  });

  it('macro averages over classes seen in labels or predictions', () => {
    // class 3 is only predicted (P 0, R 0/0=0); class 0 perfect otherwise
    expect(precision([0, 0, 0], [0, 0, 3], 'macro')).toBeCloseTo((1 + 0) / 2, 12);
    expect(recall([0, 0, 0], [0, 0, 3], 'macro')).toBeCloseTo((2 / 3 + 0) / 2, 12);
  });

  it('defines 0/0 as 0', () => {
    // no positive predicted: precision 0/0; no positive in labels: recall 0/0
    expect(precision([1, 0], [0, 0])).toBe(0);
    expect(recall([0, 0], [1, 0])).toBe(0);
    expect(f1([0, 0], [0, 0])).toBe(0);
    expect(precision([0, 0], [0, 0])).toBe(0);
  });

  it('is 1 on perfect predictions', () => {
    expect(precision([1, 0, 1], [1, 0, 1])).toBe(1);
    expect(recall([2, 0, 1], [2, 0, 1], 'macro')).toBe(1);
    expect(f1([2, 0, 1], [2, 0, 1], 'macro')).toBe(1);
  });

  it('refuses non-binary values in binary mode', () => {
    expect(() => precision([0, 2], [0, 1])).toThrow(/binary labels must be 0 or 1, got 2 at row 1/);
    expect(() => recall([0, 1], [0, 2])).toThrow(GradingError);
  });
});

describe('ROC AUC', () => {
  it('matches the scikit-learn example', () => {
    // sklearn docs: roc_auc_score([0,0,1,1], [0.1,0.4,0.35,0.8]) == 0.75
    expect(rocAuc([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8])).toBeCloseTo(0.75, 12);
  });

  it('counts tied scores as one half', () => {
    // pairwise by hand: positives .5,.9,.5,.2 vs negatives .5,.5,.1,.2
    // 3 + 4 + 3 + 1.5 = 11.5 wins out of 16 pairs
    const y = [0, 0, 1, 1, 0, 1, 1, 0];
    const s = [0.5, 0.5, 0.5, 0.9, 0.1, 0.5, 0.2, 0.2];
    expect(rocAuc(y, s)).toBeCloseTo(11.5 / 16, 12);
  });

  it('is 0.5 for constant scores, 1 for a perfect ranking, 0 for a reversed one', () => {
    expect(rocAuc([0, 1, 0, 1], [0.3, 0.3, 0.3, 0.3])).toBe(0.5);
    expect(rocAuc([0, 1, 0, 1], [0.1, 0.9, 0.2, 0.8])).toBe(1);
    expect(rocAuc([0, 1, 0, 1], [0.9, 0.1, 0.8, 0.2])).toBe(0);
  });

  it('does not depend on the order of the rows', () => {
    expect(rocAuc([1, 1, 0, 0], [0.8, 0.35, 0.4, 0.1])).toBeCloseTo(0.75, 12);
  });

  it('throws when the labels hold a single class', () => {
    expect(() => rocAuc([1, 1, 1], [0.2, 0.5, 0.9])).toThrow(/single class \(only positives\)/);
    expect(() => rocAuc([0, 0], [0.2, 0.5])).toThrow(GradingError);
  });

  it('macro one-vs-rest on softmaxed logits', () => {
    // numpy: P = softmax(L) row-wise; mean over classes 0,1,2 of pairwise AUC(y==c, P[:,c])
    // = mean(0.5, 0.6667, 1.0) = 0.7222222222222222
    const logits = [2, 1, 0, 0.5, -1, 3, 0, 0, 0, 1, 4, 1];
    expect(rocAucOvr([0, 2, 1, 0], logits, 3)).toBeCloseTo(0.7222222222222222, 6);
  });

  it('one-vs-rest with two classes equals binary AUC of the positive column', () => {
    const probs = [0.9, 0.1, 0.6, 0.4, 0.65, 0.35, 0.2, 0.8];
    expect(rocAucOvr([0, 0, 1, 1], probs, 2)).toBeCloseTo(0.75, 12);
  });

  it('one-vs-rest needs two classes in the labels and a column per label', () => {
    expect(() => rocAucOvr([1, 1], [0.5, 0.5, 0.5, 0.5], 2)).toThrow(/single class/);
    expect(() => rocAucOvr([0, 2], [0.5, 0.5, 0.5, 0.5], 2)).toThrow(/no score column/);
  });
});

describe('log loss', () => {
  it('matches the scikit-learn binary example', () => {
    // sklearn docs: log_loss(["spam","ham","ham","spam"], [[.1,.9],[.9,.1],[.8,.2],[.35,.65]])
    // = -(ln .9 + ln .9 + ln .8 + ln .65) / 4 = 0.21616187468057912
    expect(logLoss([1, 0, 0, 1], [0.9, 0.1, 0.2, 0.65])).toBeCloseTo(0.21616187468057912, 12);
  });

  it('clips to [1e-15, 1 - 1e-15]', () => {
    // -(ln 1e-15 + ln(1 - 1e-15)) / 2 = 17.269388197455342
    expect(logLoss([1, 0], [0, 0])).toBeCloseTo(17.269388197455342, 9);
    expect(Number.isFinite(logLoss([0], [1]))).toBe(true);
    expect(logLoss([1, 0], [1, 0])).toBeLessThan(1e-14);
  });

  it('reads rows that sum to 1 as probabilities', () => {
    // -(ln .7 + ln .8 + ln .4) / 3 = 0.49870307570903244
    const probs = [0.7, 0.2, 0.1, 0.1, 0.8, 0.1, 0.3, 0.3, 0.4];
    expect(logLossMulticlass([0, 1, 2], probs, 3)).toBeCloseTo(0.49870307570903244, 12);
    // float32 rounding leaves sums a hair off 1; still probabilities
    expect(logLossMulticlass([0, 1, 2], f32(probs), 3)).toBeCloseTo(0.49870307570903244, 6);
  });

  it('softmaxes logits first', () => {
    // numpy: -mean(log(softmax(L)[range(4), [0,2,1,0]])) = 1.1742038847369582
    const logits = [2, 1, 0, 0.5, -1, 3, 0, 0, 0, 1, 4, 1];
    expect(logLossMulticlass([0, 2, 1, 0], logits, 3)).toBeCloseTo(1.1742038847369582, 12);
  });

  it('softmaxes the whole matrix when one row is not a distribution', () => {
    // row 0 sums to 1 but row 1 does not: both go through softmax, so uniform row 1 -> ln 2
    const loss = logLossMulticlass([0, 0], [0.5, 0.5, 3, 3], 2);
    expect(loss).toBeCloseTo(Math.log(2), 12);
  });

  it('refuses labels without a score column and non-binary labels', () => {
    expect(() => logLossMulticlass([3], [0.5, 0.5], 2)).toThrow(/label 3 at row 0 has no score column/);
    expect(() => logLoss([2], [0.5])).toThrow(GradingError);
    expect(() => logLossMulticlass([0], [0.2, 0.3, 0.5], 2)).toThrow(GradingError);
  });
});

describe('classProbabilities', () => {
  it('softmax is shift-invariant and stable on large logits', () => {
    const p = classProbabilities([1000, 1000, 999], 3);
    const e = Math.exp(-1);
    expect(p[0]).toBeCloseTo(1 / (2 + e), 12);
    expect(p[2]).toBeCloseTo(e / (2 + e), 12);
  });

  it('rescales near-distributions to sum to exactly 1', () => {
    const p = classProbabilities([0.3, 0.6995], 2);
    expect(p[0] + p[1]).toBeCloseTo(1, 15);
    expect(p[0]).toBeCloseTo(0.3 / 0.9995, 12);
  });
});

describe('regression metrics', () => {
  // sklearn docs: y_true=[3,-0.5,2,7], y_pred=[2.5,0.0,2,8]
  // mse 0.375, mae 0.5, r2 0.9486081370449679; rmse = sqrt(0.375)
  const yt = [3, -0.5, 2, 7];
  const yp = [2.5, 0, 2, 8];

  it('match the scikit-learn examples', () => {
    expect(mse(yt, yp)).toBeCloseTo(0.375, 12);
    expect(rmse(yt, yp)).toBeCloseTo(0.6123724356957945, 12);
    expect(mae(yt, yp)).toBeCloseTo(0.5, 12);
    expect(r2(yt, yp)).toBeCloseTo(0.9486081370449679, 12);
  });

  it('are exact on perfect predictions', () => {
    expect(mse(yt, yt)).toBe(0);
    expect(mae(yt, yt)).toBe(0);
    expect(r2(yt, yt)).toBe(1);
  });

  it('r2 is 0 for predicting the mean and negative for worse', () => {
    const mean = [2.875, 2.875, 2.875, 2.875];
    expect(r2(yt, mean)).toBeCloseTo(0, 12);
    expect(r2([1, 2, 3], [3, 2, 1])).toBeCloseTo(1 - 8 / 2, 12);
  });

  it('r2 of a constant target is 1 when perfect, 0 otherwise', () => {
    expect(r2([0.1, 0.1, 0.1], f32([0.1, 0.1, 0.1]))).toBe(0);
    expect(r2(f32([0.1, 0.1, 0.1]), f32([0.1, 0.1, 0.1]))).toBe(1);
    expect(r2([5, 5], [5, 6])).toBe(0);
  });

  it('refuse empty sets', () => {
    expect(() => mse([], [])).toThrow(/empty/);
    expect(() => r2([], [])).toThrow(GradingError);
  });
});

describe('rankingMetrics', () => {
  const lists = (entries: [number, [number, number][]][]): Map<number, ScoredItem[]> =>
    new Map(entries.map(([u, items]) => [u, items.map(([item, score]) => ({ item, score }))]));

  it('matches a hand calculation', () => {
    // user 1 ranks 10,11,12,13,14; relevant {11,14,99}; top 3 relevance [0,1,0]
    //   P@3 1/3, R@3 1/3, NDCG = (1/log2 3) / (1 + 1/log2 3 + 1/2) = 0.2960819109658652
    // user 2 ranks 20,21; relevant {20}; relevance [1,0]
    //   P@3 1/3 (divided by k, not by 2), R@3 1, NDCG 1
    // user 3 has nothing relevant: left out of the mean
    const scores = lists([
      [
        1,
        [
          [12, 0.5],
          [10, 0.9],
          [14, 0.1],
          [11, 0.7],
          [13, 0.3],
        ],
      ],
      [
        2,
        [
          [21, 1],
          [20, 2],
        ],
      ],
      [3, [[30, 1]]],
    ]);
    const relevant = new Map([
      [1, new Set([11, 14, 99])],
      [2, new Set([20])],
      [3, new Set<number>()],
    ]);
    const r = rankingMetrics(scores, relevant, 3);
    expect(r.users).toBe(2);
    expect(r.precisionAtK).toBeCloseTo(1 / 3, 12);
    expect(r.recallAtK).toBeCloseTo((1 / 3 + 1) / 2, 12);
    expect(r.ndcgAtK).toBeCloseTo((0.2960819109658652 + 1) / 2, 12);
  });

  it('is 1 on a perfect ranking and 0 for a user left without recommendations', () => {
    const relevant = new Map([
      [1, new Set([5, 6])],
      [2, new Set([7])],
    ]);
    const perfect = rankingMetrics(
      lists([
        [
          1,
          [
            [5, 2],
            [6, 1],
            [8, 0],
          ],
        ],
        [2, [[7, 1]]],
      ]),
      relevant,
      1,
    );
    expect(perfect).toEqual({ precisionAtK: 1, recallAtK: 0.75, ndcgAtK: 1, users: 2 });
    const missing = rankingMetrics(
      lists([
        [
          1,
          [
            [5, 2],
            [6, 1],
          ],
        ],
      ]),
      relevant,
      2,
    );
    expect(missing.precisionAtK).toBeCloseTo(0.5, 12);
    expect(missing.ndcgAtK).toBeCloseTo(0.5, 12);
  });

  it('breaks score ties by item id', () => {
    // items 4 and 2 tie: 2 ranks first, so it is the one hit at k=1
    const relevant = new Map([[1, new Set([2])]]);
    expect(
      rankingMetrics(
        lists([
          [
            1,
            [
              [4, 1],
              [2, 1],
            ],
          ],
        ]),
        relevant,
        1,
      ).precisionAtK,
    ).toBe(1);
    const other = new Map([[1, new Set([4])]]);
    expect(
      rankingMetrics(
        lists([
          [
            1,
            [
              [4, 1],
              [2, 1],
            ],
          ],
        ]),
        other,
        1,
      ).precisionAtK,
    ).toBe(0);
  });

  it('rejects duplicate items and non-finite scores as invalid output', () => {
    const relevant = new Map([[1, new Set([2])]]);
    expect(() =>
      rankingMetrics(
        lists([
          [
            1,
            [
              [2, 1],
              [2, 0.5],
            ],
          ],
        ]),
        relevant,
        2,
      ),
    ).toThrow(InvalidOutputError);
    expect(() => rankingMetrics(lists([[1, [[2, NaN]]]]), relevant, 2)).toThrow(/score NaN/);
  });

  it('refuses a bad k and a set with no relevant items', () => {
    expect(() => rankingMetrics(new Map(), new Map([[1, new Set([1])]]), 0)).toThrow(GradingError);
    expect(() => rankingMetrics(new Map(), new Map([[1, new Set<number>()]]), 5)).toThrow(/no user/);
  });
});

describe('computeMetric', () => {
  const binaryPreds = normalizePredictions(
    'binary',
    { values: f32([0.1, 0.4, 0.35, 0.8]), shape: [4], dtype: 'float32' },
    4,
  );
  const binaryLabels = f32([0, 0, 1, 1]);

  it('scores binary predictions: class 1 for precision/recall/f1, probabilities for auc and log loss', () => {
    // classes from p >= 0.5: [0,0,0,1]
    expect(computeMetric('accuracy', binaryPreds, binaryLabels)).toBe(0.75);
    expect(computeMetric('precision', binaryPreds, binaryLabels)).toBe(1);
    expect(computeMetric('recall', binaryPreds, binaryLabels)).toBe(0.5);
    expect(computeMetric('f1', binaryPreds, binaryLabels)).toBeCloseTo(2 / 3, 12);
    // class 0: P 2/3 R 1 F1 .8; class 1: F1 2/3
    expect(computeMetric('macro_f1', binaryPreds, binaryLabels)).toBeCloseTo((0.8 + 2 / 3) / 2, 12);
    expect(computeMetric('balanced_accuracy', binaryPreds, binaryLabels)).toBe(0.75);
    expect(computeMetric('roc_auc', binaryPreds, binaryLabels)).toBeCloseTo(0.75, 12);
    // float32 inputs: -(ln .9 + ln .6 + ln .35 + ln .8)/4 to float32 precision
    const expected = -(Math.log(0.9) + Math.log(0.6) + Math.log(0.35) + Math.log(0.8)) / 4;
    expect(computeMetric('log_loss', binaryPreds, binaryLabels)).toBeCloseTo(expected, 6);
  });

  it('macro-averages multi-class precision, recall and f1', () => {
    const preds = normalizePredictions(
      'classification',
      { values: f32([0, 2, 1, 0, 0, 1]), shape: [6], dtype: 'float32' },
      6,
      3,
    );
    const labels = f32([0, 1, 2, 0, 1, 2]);
    expect(computeMetric('precision', preds, labels)).toBeCloseTo(2 / 9, 12);
    expect(computeMetric('recall', preds, labels)).toBeCloseTo(1 / 3, 12);
    expect(computeMetric('f1', preds, labels)).toBeCloseTo(0.8 / 3, 12);
    expect(computeMetric('macro_f1', preds, labels)).toBeCloseTo(0.8 / 3, 12);
    expect(computeMetric('accuracy', preds, labels)).toBeCloseTo(1 / 3, 12);
  });

  it('scores multi-class scores with auc and log loss', () => {
    const logits = [2, 1, 0, 0.5, -1, 3, 0, 0, 0, 1, 4, 1];
    const preds = normalizePredictions(
      'classification',
      { values: f32(logits), shape: [4, 3], dtype: 'float32' },
      4,
      3,
    );
    const labels = f32([0, 2, 1, 0]);
    expect(computeMetric('log_loss', preds, labels)).toBeCloseTo(1.1742038847369582, 6);
    expect(computeMetric('roc_auc', preds, labels)).toBeCloseTo(0.7222222222222222, 6);
    // argmax rows: 0, 2, 0 (tie -> lowest), 1
    expect(computeMetric('accuracy', preds, labels)).toBeCloseTo(0.5, 12);
  });

  it('asks the learner for scores when log loss or auc get class indices', () => {
    const preds = normalizePredictions('classification', { values: f32([0, 1]), shape: [2], dtype: 'float32' }, 2, 3);
    expect(() => computeMetric('log_loss', preds, f32([0, 1]))).toThrow(InvalidOutputError);
    expect(() => computeMetric('roc_auc', preds, f32([0, 1]))).toThrow(/needs a score per class.*\[2, k\]/);
  });

  it('scores regression', () => {
    const preds = normalizePredictions(
      'regression',
      { values: f32([2.5, 0, 2, 8]), shape: [4, 1], dtype: 'float32' },
      4,
    );
    const labels = f32([3, -0.5, 2, 7]);
    expect(computeMetric('mse', preds, labels)).toBeCloseTo(0.375, 12);
    expect(computeMetric('rmse', preds, labels)).toBeCloseTo(0.6123724356957945, 12);
    expect(computeMetric('mae', preds, labels)).toBeCloseTo(0.5, 12);
    expect(computeMetric('r2', preds, labels)).toBeCloseTo(0.9486081370449679, 12);
  });

  it('refuses a metric that does not fit the task, listing those that do', () => {
    expect(() => computeMetric('rmse', binaryPreds, binaryLabels)).toThrow(GradingError);
    expect(() => computeMetric('rmse', binaryPreds, binaryLabels)).toThrow(
      /rmse does not apply to a binary task; a binary task can be scored with accuracy, .*log_loss$/,
    );
    const reg = normalizePredictions('regression', { values: f32([1]), shape: [1], dtype: 'float32' }, 1);
    expect(() => computeMetric('accuracy', reg, f32([1]))).toThrow(/mse, rmse, mae, r2/);
  });

  it('points ranking metrics at rankingMetrics', () => {
    expect(() => computeMetric('ndcg_at_k', binaryPreds, binaryLabels, { k: 10 })).toThrow(
      /ndcg_at_k \(k=10\).*rankingMetrics/,
    );
  });

  it('refuses labels that do not match the predictions', () => {
    expect(() => computeMetric('accuracy', binaryPreds, f32([0, 1]))).toThrow(/2 labels but 4 predictions/);
  });

  it('knows the tasks of every metric in the curriculum schema', () => {
    for (const name of METRIC_NAMES) expect(METRIC_TASKS[name].length > 0 || SUITE_METRICS.has(name)).toBe(true);
  });
});

describe('checkThreshold', () => {
  it('treats min and max as inclusive', () => {
    expect(checkThreshold(0.95, { min: 0.95 })).toBe(true);
    expect(checkThreshold(0.9499, { min: 0.95 })).toBe(false);
    expect(checkThreshold(0.3, { max: 0.3 })).toBe(true);
    expect(checkThreshold(0.31, { max: 0.3 })).toBe(false);
    expect(checkThreshold(0.5, { min: 0.4, max: 0.6 })).toBe(true);
    expect(checkThreshold(0.7, { min: 0.4, max: 0.6 })).toBe(false);
    expect(checkThreshold(-5, {})).toBe(true);
  });

  it('never passes NaN', () => {
    expect(checkThreshold(NaN, {})).toBe(false);
    expect(checkThreshold(NaN, { min: 0 })).toBe(false);
    expect(checkThreshold(NaN, { max: 1 })).toBe(false);
  });
});
