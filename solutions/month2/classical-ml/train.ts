// Reference solution for month2/classical-ml: two classical models compared on
// the validation rows (a linear model on engineered features, and a random
// forest on the raw columns); the winner is refitted on train + val.
import type { TrainContext, Tensor } from 'mlpath';
import MultivariateLinearRegression from 'ml-regression-multivariate-linear';
import { RandomForestRegression } from 'ml-random-forest';

type Rows = number[][];

/** What train returns here: predict answers with plain numbers, one per row. */
interface ArrayPredictor {
  predict(x: Tensor): number[];
}

interface Model {
  predict(rows: Rows): number[];
}

interface Candidate {
  name: string;
  fit(rows: Rows, y: number[]): Model;
}

function rmse(predicted: number[], actual: number[]): number {
  return Math.sqrt(predicted.reduce((sum, p, i) => sum + (p - actual[i]) ** 2, 0) / actual.length);
}

export default async function train(ctx: TrainContext): Promise<ArrayPredictor> {
  const { data } = ctx;
  const names = data.featureNames ?? [];
  const column = (name: string): number => names.indexOf(name);
  // `b` encodes the share of Black residents: we leave it out. The other
  // twelve columns predict as well without it.
  const kept = names.map((_, j) => j).filter((j) => names[j] !== 'b');
  const raw = (rows: Rows): Rows => rows.map((row) => kept.map((j) => row[j]));
  // Prices fall with the log of the share of low-status households, rise with
  // the square of the room count, and so on: curves a line cannot bend to
  // unless we hand it the bent columns.
  const engineered = (rows: Rows): Rows => rows.map((row) => [
    ...kept.map((j) => row[j]),
    Math.log(row[column('lstat')]),
    row[column('rm')] ** 2,
    Math.log(row[column('crim')]),
    Math.log(row[column('dis')]),
  ]);

  const candidates: Candidate[] = [
    {
      name: 'linear regression on engineered features',
      fit(rows, y) {
        const model = new MultivariateLinearRegression(engineered(rows), y.map((v) => [v]));
        return { predict: (x) => model.predict(engineered(x)).map((r) => r[0]) };
      },
    },
    {
      name: 'random forest (100 trees)',
      fit(rows, y) {
        const forest = new RandomForestRegression({ nEstimators: 100, maxFeatures: 0.6, seed: ctx.seed, noOOB: true });
        forest.train(raw(rows), y);
        return { predict: (x) => forest.predict(raw(x)) };
      },
    },
  ];

  const xTrain = data.xTrain.arraySync() as Rows;
  const yTrain = data.yTrain.arraySync() as number[];
  const xVal = (data.xVal?.arraySync() ?? []) as Rows;
  const yVal = (data.yVal?.arraySync() ?? []) as number[];

  // Choose on validation rows the models did not train on.
  let best = candidates[0];
  let bestRmse = Infinity;
  for (const candidate of candidates) {
    const valRmse = rmse(candidate.fit(xTrain, yTrain).predict(xVal), yVal);
    console.log(`validation RMSE ${valRmse.toFixed(2)}  ${candidate.name}`);
    if (valRmse < bestRmse) {
      best = candidate;
      bestRmse = valRmse;
    }
  }

  // The choice is made; more rows make the chosen model a little better.
  const model = best.fit([...xTrain, ...xVal], [...yTrain, ...yVal]);
  console.log(`chose ${best.name}`);
  return { predict: (x) => model.predict(x.arraySync() as Rows) };
}
