// month2/classical-ml: classical ML on tabular data (Boston house prices).
// Read README.md first. Check your work with:  mlpath check month2/classical-ml
import type { TrainContext, Tensor } from 'mlpath';

type Rows = number[][];

/** One model you compared: fitted on xTrain only, measured on xVal / yVal. */
interface Candidate {
  name: string;
  /** true for the baseline, the simplest answer the others must beat. */
  baseline?: boolean;
  /** Its RMSE on the validation rows, as you measured it; the grader measures it again. */
  valRmse: number;
  predict(x: Tensor): number[];
}

/** What train returns here: the model you chose, and the comparison that chose it. */
interface Selection {
  /** The chosen candidate's own predict, as it was compared; it may answer with plain numbers, one price per row. */
  predict(x: Tensor): number[];
  /** The name of the candidate you chose. */
  chosen: string;
  candidates: Candidate[];
}

/** Root mean squared error, in the target's unit ($1000s). */
function rmse(predicted: number[], actual: number[]): number {
  return Math.sqrt(predicted.reduce((sum, p, i) => sum + (p - actual[i]) ** 2, 0) / actual.length);
}

export default async function train(ctx: TrainContext): Promise<Selection> {
  const { data } = ctx;
  // ml.js models take plain arrays: one array of numbers per row, one target per row.
  const xTrain = data.xTrain.arraySync() as Rows; // 329 rows of 13 columns, named in data.featureNames
  const yTrain = data.yTrain.arraySync() as number[]; // median home value of each tract, $1000s
  const xVal = (data.xVal?.arraySync() ?? []) as Rows; // 76 more rows, to compare models on
  const yVal = (data.yVal?.arraySync() ?? []) as number[];

  // The baseline: the average price, whatever the tract.
  const mean = yTrain.reduce((a, b) => a + b, 0) / yTrain.length;
  const baseline = (rows: Rows): number[] => rows.map(() => mean);
  const baselineRmse = rmse(baseline(xVal), yVal);
  console.log(`validation RMSE of the baseline: ${baselineRmse.toFixed(2)}`);
  const candidates: Candidate[] = [
    { name: 'training mean', baseline: true, valRmse: baselineRmse, predict: (x) => baseline(x.arraySync() as Rows) },
  ];

  // TODO 1. Fit a real model on xTrain / yTrain. A random forest is one import away:
  //         import { RandomForestRegression } from 'ml-random-forest' (README, "Libraries").
  //         Measure its RMSE on xVal / yVal and add it to `candidates` the way the baseline is.
  // TODO 2. Fit a second kind of model (linear regression on better columns, a tree, k-NN...)
  //         and add it too.
  // TODO 3. Choose the candidate with the lowest validation RMSE and return its name as
  //         `chosen` and its own predict as `predict`: the model you hand in is the one you compared.
  return { predict: (x) => baseline(x.arraySync() as Rows), chosen: 'training mean', candidates };
}
