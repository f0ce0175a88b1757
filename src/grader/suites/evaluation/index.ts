/**
 * Suite of month2/evaluation: honest evaluation, graded on properties rather
 * than on one expected answer, because many splits are right.
 *
 * - `split(rows, labels, groups, { seed, test, val })` returns train / val /
 *   test index lists. Checked on real rows from the registry (iris, CPS 1985
 *   wages with its duplicate rows, Boston tracts grouped by town) and on a
 *   small table whose duplicates link two groups: every row in exactly one
 *   part, rows that must stay together on one side, class shares kept, the
 *   same seed giving the same split and another seed another one.
 * - `selectModel(candidates, labels, split)` picks a model on validation
 *   accuracy and reports its test accuracy. The candidates are real models
 *   (majority class, nearest centroid, k-NN) trained here on the train rows of
 *   Boston tracts; some cases poison the test or train rows and check that the
 *   choice does not move, one changes the validation rows and checks that it
 *   does.
 *
 * Data loads once, when the suite is first asked for (`loadSuite`).
 */
import { deriveSeed } from '../../../datasets';
import type { Suite, SuiteCase } from '../types';
import { linkedCases, selectionCases, splitCases } from './cases';
import { loadEvaluationData } from './data';
import type { EvaluationData } from './types';

export function buildSuite(data: EvaluationData): Suite {
  return {
    id: 'evaluation',
    exports: ['split', 'selectModel'],
    cases(seed: number): SuiteCase[] {
      const s = (what: string): number => deriveSeed(seed, what);
      return [
        ...splitCases(data.iris, { seed: s('iris'), test: 0.2, val: 0.2 }, s('iris-other'), true),
        ...splitCases(data.wages, { seed: s('wages'), test: 0.25, val: 0.15 }, s('wages-other'), true),
        ...splitCases(data.towns, { seed: s('towns'), test: 0.2, val: 0.2 }, s('towns-other'), false),
        ...linkedCases(seed),
        ...selectionCases(data, seed),
      ];
    },
  };
}

let loading: Promise<Suite> | undefined;

/** The suite, with its datasets loaded once per process. */
export function loadSuite(): Promise<Suite> {
  loading ??= loadEvaluationData().then(buildSuite);
  return loading;
}
