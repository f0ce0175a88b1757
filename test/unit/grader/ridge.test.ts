/** The fixed model of month3/tabular: ridge regression on standardised columns, solved exactly. */
import { fitRidge, predictRidge, solveRidge } from '../../../src/grader/ridge';

test('without a penalty it recovers an exact linear relation, on the columns as given', () => {
  const x = Array.from({ length: 20 }, (_, i) => [i, (i * 7) % 5, Math.sin(i)]);
  const y = x.map(([a, b, c]) => 3 + 2 * a - 0.5 * b + 4 * c);
  const model = fitRidge(x, y, 0);
  expect(model.trainRmse).toBeLessThan(1e-6);
  const fresh = [
    [2.5, 1, 0.3],
    [40, 2, -1],
  ];
  const got = Array.from(predictRidge(model, fresh));
  fresh.forEach(([a, b, c], i) => expect(got[i]).toBeCloseTo(3 + 2 * a - 0.5 * b + 4 * c, 6));
});

test('a penalty shrinks the weights, a constant column is ignored, and the mean is the bias', () => {
  const x = Array.from({ length: 10 }, (_, i) => [i, 1]);
  const y = x.map(([a]) => 5 + a);
  const loose = fitRidge(x, y, 0);
  const tight = fitRidge(x, y, 100);
  expect(Math.abs(tight.weights[0])).toBeLessThan(Math.abs(loose.weights[0]));
  expect(tight.weights[1]).toBeCloseTo(0, 12);
  expect(tight.bias).toBeCloseTo(9.5, 12);
});

test('solveRidge solves (A + l2 I) w = b', () => {
  const w = Array.from(
    solveRidge(
      [
        [4, 1],
        [1, 3],
      ],
      [1, 2],
      1,
    ),
  );
  expect(5 * w[0] + w[1]).toBeCloseTo(1, 12);
  expect(w[0] + 4 * w[1]).toBeCloseTo(2, 12);
});
