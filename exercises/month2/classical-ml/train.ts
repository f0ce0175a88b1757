// month2/classical-ml: classical ML on tabular data (Boston house prices).
// Read README.md first. Check your work with:  mlpath check month2/classical-ml
import type { TrainContext, Tensor } from 'mlpath';

type Rows = number[][];

/** What train returns in this exercise: predict may answer with plain numbers, one price per row. */
interface ArrayPredictor {
  predict(x: Tensor): number[];
}

/** Root mean squared error, in the target's unit ($1000s). */
function rmse(predicted: number[], actual: number[]): number {
  return Math.sqrt(predicted.reduce((sum, p, i) => sum + (p - actual[i]) ** 2, 0) / actual.length);
}

export default async function train(ctx: TrainContext): Promise<ArrayPredictor> {
  const { data } = ctx;
  // ml.js models take plain arrays: one array of numbers per row, one target per row.
  const xTrain = data.xTrain.arraySync() as Rows; // 329 rows of 13 columns, named in data.featureNames
  const yTrain = data.yTrain.arraySync() as number[]; // median home value of each tract, $1000s
  const xVal = (data.xVal?.arraySync() ?? []) as Rows; // 76 more rows, to compare models on
  const yVal = (data.yVal?.arraySync() ?? []) as number[];

  // The baseline: the average price, whatever the tract.
  const mean = yTrain.reduce((a, b) => a + b, 0) / yTrain.length;
  const baseline = (rows: Rows): number[] => rows.map(() => mean);
  console.log(`validation RMSE of the baseline: ${rmse(baseline(xVal), yVal).toFixed(2)}`);

  // TODO 1. Fit a real model on xTrain / yTrain. A random forest is one import away:
  //         import { RandomForestRegression } from 'ml-random-forest' (README, "Libraries").
  // TODO 2. Fit a second kind of model (linear regression on better columns, a tree, k-NN...),
  //         compare the two by their RMSE on xVal / yVal, and keep the better one.
  // TODO 3. Return a predictor whose predict(x) runs that model on x.arraySync().
  return { predict: (x) => baseline(x.arraySync() as Rows) };
}
