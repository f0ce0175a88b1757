import { columnChart, resample, sparkline, thresholdBar, trainingPicture } from '../../../src/reporters/chart';
import type { MetricResult } from '../../../src/grader/result';

const NON_ASCII = /[^\x20-\x7e\n]/;

describe('resample', () => {
  test('averages buckets of a long series and widens a short one', () => {
    expect(resample([1, 3, 5, 7], 2)).toEqual([2, 6]);
    expect(resample([1, 2], 6)).toEqual([1, 1, 1, 2, 2, 2]);
    expect(resample([1, 2, 3], 4)).toEqual([1, 2, 3]);
  });
});

describe('columnChart', () => {
  const loss = [2, 1, 0.5, 0.25];

  test('has the requested height, labels max and min, and a falling series falls', () => {
    const lines = columnChart(loss, { color: false, height: 5, width: 4, label: 'loss', xLabel: 'epoch 1..4' });
    expect(lines[0]).toBe('  loss');
    expect(lines).toHaveLength(1 + 5 + 1);
    expect(lines[1]).toMatch(/^ {2}2\.0000 \|#/);
    expect(lines[5]).toMatch(/^ {2}0\.2500 \|/);
    expect(lines[6]).toMatch(/\+-{4} epoch 1\.\.4$/);
    // Column heights: count filled cells per column, top to bottom.
    const grid = lines.slice(1, 6).map((l) => l.slice(l.indexOf('|') + 1).padEnd(4));
    const heights = [0, 1, 2, 3].map((col) => grid.filter((row) => row[col] === '#').length);
    expect(heights[0]).toBe(5);
    for (let i = 1; i < 4; i++) expect(heights[i]).toBeLessThanOrEqual(heights[i - 1]);
  });

  test('ASCII when colour is off, block characters when on', () => {
    expect(columnChart(loss, { color: false }).join('\n')).not.toMatch(NON_ASCII);
    expect(columnChart(loss, { color: true, ascii: false }).join('\n')).toMatch(/█/);
  });

  test('a flat series and an empty one do not break it', () => {
    expect(columnChart([1, 1, 1], { color: false, height: 3 })).toHaveLength(4);
    expect(columnChart([], { color: false })).toEqual([]);
    expect(columnChart([NaN, 1, 2], { color: false, height: 2 })).toHaveLength(3);
  });
});

test('sparkline: lowest and highest values get the lowest and highest marks', () => {
  expect(sparkline([0, 0.5, 1], false, 3)).toBe('▁▅█');
  expect(sparkline([0, 1], true, 2)).toBe('_#');
  expect(sparkline([], true)).toBe('');
});

describe('thresholdBar', () => {
  const metric = (value: number, extra: Partial<MetricResult>): MetricResult => ({
    name: 'accuracy',
    value,
    passed: true,
    ...extra,
  });

  test('marks the threshold and fills up to the value, on a 0..1 scale', () => {
    const bar = thresholdBar(metric(0.5, { min: 0.9, passed: false }), { color: false, width: 11 })!;
    expect(bar).toBe('  accuracy [======   | ] 0.5000  (needs >= 0.9000) miss');
  });

  test('a lower-is-better metric scales to its values and says so', () => {
    const bar = thresholdBar({ name: 'rmse', value: 2, max: 4, passed: true }, { color: false, width: 10 })!;
    expect(bar).toMatch(/^ {2}rmse \[====.*\|.*\] 2\.0000 {2}\(needs <= 4\.0000\) pass$/);
    const inside = bar.slice(bar.indexOf('[') + 1, bar.indexOf(']'));
    expect(inside).toHaveLength(10);
    expect(inside.indexOf('|')).toBeGreaterThan(inside.lastIndexOf('='));
  });

  test('nothing to draw without a value or a threshold', () => {
    expect(thresholdBar({ name: 'accuracy', value: null, min: 0.5, passed: false }, { color: false })).toBeUndefined();
    expect(thresholdBar({ name: 'accuracy', value: 0.5, passed: true }, { color: false })).toBeUndefined();
  });
});

describe('trainingPicture', () => {
  const curve = [1, 2, 3, 4, 5].map((epoch) => ({ epoch, loss: 1 / epoch, valAccuracy: 0.5 + epoch / 20 }));
  const metrics: MetricResult[] = [{ name: 'accuracy', value: 0.8, min: 0.75, passed: true }];

  test('loss chart with first and last values, a sparkline per other metric, the threshold bar', () => {
    const text = trainingPicture(curve, metrics, { color: false }).join('\n');
    expect(text).toMatch(/loss {2}1\.0000 -> 0\.2000/);
    expect(text).toMatch(/epoch 1\.\.5/);
    expect(text).toMatch(/valAccuracy \S+ 0\.5500 -> 0\.7500/);
    expect(text).toMatch(/accuracy \[.*\] 0\.8000 {2}\(needs >= 0\.7500\) pass/);
    expect(text).not.toMatch(NON_ASCII);
  });

  test('steps without an epoch count as steps; a single point draws no chart', () => {
    expect(trainingPicture([{ loss: 2 }, { loss: 1 }], [], { color: false }).join('\n')).toMatch(/2 steps/);
    expect(trainingPicture([{ epoch: 1, loss: 1 }], [], { color: false })).toEqual([]);
    expect(trainingPicture([], [], { color: false })).toEqual([]);
  });
});

test('a first-step spike does not flatten the curve: positive values spanning 50x are drawn on a log scale', () => {
  const values = [2000, 0.9, 0.6, 0.45, 0.35, 0.3, 0.28, 0.27];
  const lines = columnChart(values, { color: false, width: 8, height: 6 });
  expect(lines[lines.length - 1]).toMatch(/\(log scale\)$/);
  // The epochs after the spike still fall visibly: their columns differ in height.
  const heights = [...Array(8).keys()].map(
    (col) => lines.slice(0, -1).filter((l) => l.split('|')[1]?.[col] === '#').length,
  );
  expect(new Set(heights.slice(1)).size).toBeGreaterThan(1);
  expect(heights[0]).toBeGreaterThan(heights[7]);
  const flat = columnChart([1, 0.8, 0.6, 0.5], { color: false, width: 4, height: 6 });
  expect(flat[flat.length - 1]).not.toMatch(/log scale/);
});
