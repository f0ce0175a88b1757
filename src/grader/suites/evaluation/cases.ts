/**
 * The graded cases of month2/evaluation: the split checks on each table, the
 * linked-groups table, and the selection cases, some of which poison the test
 * or train rows (the choice must not move) or the validation rows (it must).
 */
import { deriveSeed } from '../../../datasets';
import type { SuiteCase } from '../types';
import { trainCandidates } from './candidates';
import { linkedTable, stratifiedSplit } from './data';
import { checkSelection, referenceSelect } from './selection-checks';
import {
  checkPartition,
  checkSizes,
  checkStratified,
  checkUnits,
  readSplit,
  sameSplit,
  sizeSlack,
  unitsOf,
} from './split-checks';
import type { Candidate, EvaluationData, SplitIndices, SplitOptions, Table } from './types';

/** The candidate that disagrees most with `chosen` on `rows` (first listed among ties). */
function decoyFor(candidates: Candidate[], chosen: number, rows: number[]): number {
  let best = -1;
  let most = -1;
  candidates.forEach((c, i) => {
    if (i === chosen) return;
    const differ = rows.filter((r) => c.predictions[r] !== candidates[chosen].predictions[r]).length;
    if (differ > most) {
      most = differ;
      best = i;
    }
  });
  return best;
}

export function splitCases(table: Table, opts: SplitOptions, otherSeed: number, stratified: boolean): SuiteCase[] {
  const n = table.rows.length;
  const units = unitsOf(table);
  const slack = sizeSlack(table.labels, units);
  const args = (seed: number): unknown[] => [table.rows, table.labels, table.groups, { ...opts, seed }];
  const label = `${table.name} (${n} rows, seed ${opts.seed})`;
  let first: SplitIndices | undefined;
  const read = (value: unknown): SplitIndices | string => {
    const split = readSplit(value, n);
    if (typeof split === 'string') return split;
    return checkPartition(split, n) ?? split;
  };
  const cases: SuiteCase[] = [
    {
      fn: 'split',
      title: `${label}: every row in exactly one part`,
      args: args(opts.seed),
      verify(value) {
        const split = read(value);
        if (typeof split === 'string') return split;
        first = split;
        return undefined;
      },
    },
    {
      fn: 'split',
      title: `${label}: ${table.groups ? `each ${table.groupName ?? 'group'} and each` : 'each'} repeated row on one side`,
      args: args(opts.seed),
      verify(value) {
        const split = read(value);
        return typeof split === 'string' ? split : checkUnits(split, table, units);
      },
    },
    {
      fn: 'split',
      title: `${label}: part sizes match test ${opts.test} and val ${opts.val}`,
      args: args(opts.seed),
      verify(value) {
        const split = read(value);
        return typeof split === 'string' ? split : checkSizes(split, n, opts, slack);
      },
    },
  ];
  if (stratified) {
    cases.push({
      fn: 'split',
      title: `${label}: class proportions kept in val and test`,
      args: args(opts.seed),
      verify(value) {
        const split = read(value);
        return typeof split === 'string' ? split : checkStratified(split, table, units, opts);
      },
    });
  }
  cases.push(
    {
      fn: 'split',
      title: `${label}: the same seed gives the same split`,
      args: args(opts.seed),
      verify(value) {
        const split = read(value);
        if (typeof split === 'string') return split;
        if (!first) return 'the first call with this seed did not return a valid split';
        if (!sameSplit(first, split)) {
          return 'two calls with the same seed put rows on different sides: draw every random number from a generator seeded with opts.seed (Math.random cannot be seeded)';
        }
        return undefined;
      },
    },
    {
      fn: 'split',
      title: `${table.name}: another seed (${otherSeed}) gives another split`,
      args: args(otherSeed),
      verify(value) {
        const split = read(value);
        if (typeof split === 'string') return split;
        if (first && sameSplit(first, split))
          return `seeds ${opts.seed} and ${otherSeed} gave the same split: the seed must drive the shuffle`;
        return undefined;
      },
    },
  );
  return cases;
}

export function linkedCases(seed: number): SuiteCase[] {
  const table = linkedTable(deriveSeed(seed, 'linked-rows'));
  const units = unitsOf(table);
  return [0, 1, 2].map((k) => {
    const s = deriveSeed(seed, `linked-${k}`);
    return {
      fn: 'split',
      title: `duplicates across groups (16 rows, seed ${s}): linked groups stay together`,
      args: [table.rows, table.labels, table.groups, { seed: s, test: 0.25, val: 0.25 }],
      verify(value) {
        const split = readSplit(value, table.rows.length);
        if (typeof split === 'string') return split;
        return checkPartition(split, table.rows.length) ?? checkUnits(split, table, units);
      },
    };
  });
}

export function selectionCases(data: EvaluationData, seed: number): SuiteCase[] {
  const { rows, labels } = data.houses;
  const split = stratifiedSplit(labels, deriveSeed(seed, 'select'), 0.25, 0.25);
  const candidates = trainCandidates(rows, labels, split.train);
  const honest = referenceSelect(candidates, labels, split);
  const title = (what: string): string => `Boston tracts over $25k (${candidates.length} models): ${what}`;
  const cases: SuiteCase[] = [];
  const add = (what: string, cands: Candidate[], ys: number[], context = ''): void => {
    cases.push({
      fn: 'selectModel',
      title: title(what),
      args: [cands, ys, split],
      verify: (v) => checkSelection(v, cands, ys, split, context),
    });
  };

  add('choose on validation accuracy, report test accuracy', candidates, labels);

  const testDecoy = decoyFor(candidates, honest.index, split.test);
  const poisonedLabels = labels.slice();
  for (const i of split.test) poisonedLabels[i] = candidates[testDecoy].predictions[i];
  add(
    `test labels changed so '${candidates[testDecoy].name}' is perfect on test`,
    candidates,
    poisonedLabels,
    'only the test labels changed: ',
  );

  const poisonedCands = candidates.map((c, i) =>
    i === testDecoy
      ? { name: c.name, predictions: c.predictions.map((p, r) => (split.test.includes(r) ? labels[r] : p)) }
      : c,
  );
  add(
    `test predictions of '${candidates[testDecoy].name}' changed to match test`,
    poisonedCands,
    labels,
    'only test predictions changed: ',
  );

  const trainDecoy = decoyFor(candidates, honest.index, split.train);
  const trainPoisoned = labels.slice();
  for (const i of split.train) trainPoisoned[i] = candidates[trainDecoy].predictions[i];
  add(
    `train labels changed so '${candidates[trainDecoy].name}' is perfect on train`,
    candidates,
    trainPoisoned,
    'only the train labels changed: ',
  );

  const valTarget = decoyFor(candidates, honest.index, split.val);
  const valChanged = labels.slice();
  for (const i of split.val) valChanged[i] = candidates[valTarget].predictions[i];
  add(`validation labels changed so '${candidates[valTarget].name}' is perfect on validation`, candidates, valChanged);

  // A validation tie the first listed must win; the second is better on test, to catch a test tie-break.
  const tieLabels = [0, 1, 0, 1, 0, 1, 0, 1, 0, 1];
  const tieSplit: SplitIndices = { train: [0, 1], val: [2, 3, 4, 5], test: [6, 7, 8, 9] };
  const tie: Candidate[] = [
    { name: 'simple', predictions: [0, 1, 0, 1, 1, 0, 0, 0, 0, 0] },
    { name: 'complex', predictions: [0, 1, 1, 0, 0, 1, 0, 1, 0, 1] },
  ];
  cases.push({
    fn: 'selectModel',
    title: 'two models tied on validation: the first listed wins',
    args: [tie, tieLabels, tieSplit],
    verify: (v) => checkSelection(v, tie, tieLabels, tieSplit),
  });
  return cases;
}
