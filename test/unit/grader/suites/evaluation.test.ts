/**
 * The evaluation suite's verify() against the reference solution and against
 * the mistakes learners make: unseeded shuffles, unstratified cuts, duplicates
 * and groups split apart, selection that peeks at test or train rows.
 */
import { buildSuite } from '../../../../src/grader/suites/evaluation';
import { neighbours } from '../../../../src/grader/suites/evaluation/candidates';
import { loadEvaluationData } from '../../../../src/grader/suites/evaluation/data';
import { checkSelection, referenceSelect } from '../../../../src/grader/suites/evaluation/selection-checks';
import {
  blockClasses,
  checkPartition,
  checkSizes,
  checkStratified,
  checkUnits,
  readSplit,
  sizeSlack,
  unitsOf,
} from '../../../../src/grader/suites/evaluation/split-checks';
import type {
  Candidate,
  EvaluationData,
  SplitIndices,
  SplitOptions,
  Table,
} from '../../../../src/grader/suites/evaluation/types';
import { suiteFor } from '../../../../src/grader/suites';
import type { Suite, SuiteCase } from '../../../../src/grader/suites/types';
import * as reference from '../../../../solutions/month2/evaluation/evaluation';

type SplitFn = (rows: number[][], labels: number[], groups: number[] | null, opts: SplitOptions) => SplitIndices;
type SelectFn = (candidates: Candidate[], labels: number[], split: SplitIndices) => unknown;
interface Submission {
  split: SplitFn;
  selectModel: SelectFn;
}

/** Runs every case as the grader does (arguments through a structured copy) and returns the failures by title. */
function grade(suite: Suite, sub: Submission, seed = 1): Map<string, string> {
  const failures = new Map<string, string>();
  for (const c of suite.cases(seed)) {
    const args = structuredClone<unknown[]>(c.args);
    let problem: string | undefined;
    try {
      const value = (sub[c.fn as keyof Submission] as (...a: unknown[]) => unknown)(...args);
      problem = c.verify(structuredClone(value));
    } catch (err) {
      problem = `threw: ${(err as Error).message}`;
    }
    if (problem) failures.set(c.title, problem);
  }
  return failures;
}

const titles = (failures: Map<string, string>): string[] => [...failures.keys()];
const anyTitle = (failures: Map<string, string>, re: RegExp): boolean => titles(failures).some((t) => re.test(t));

function shuffled(n: number, random: () => number): number[] {
  const order = Array.from({ length: n }, (_, i) => i);
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [order[i], order[j]] = [order[j], order[i]];
  }
  return order;
}

/** Cuts a list into test, val, train by the fractions. */
function cut(order: number[], opts: SplitOptions): SplitIndices {
  const nTest = Math.round(order.length * opts.test);
  const nVal = Math.round(order.length * opts.val);
  return { test: order.slice(0, nTest), val: order.slice(nTest, nTest + nVal), train: order.slice(nTest + nVal) };
}

/** Stratified by row label, seeded, but blind to duplicates and groups. */
const perRowStratified: SplitFn = (_rows, labels, _groups, opts) => {
  const random = reference.mulberry32(opts.seed);
  const out: SplitIndices = { train: [], val: [], test: [] };
  for (const y of [...new Set(labels)].sort((a, b) => a - b)) {
    const members = labels.flatMap((l, i) => (l === y ? [i] : []));
    const order = shuffled(members.length, random).map((k) => members[k]);
    const part = cut(order, opts);
    out.train.push(...part.train);
    out.val.push(...part.val);
    out.test.push(...part.test);
  }
  return out;
};

let data: EvaluationData;
let suite: Suite;

beforeAll(async () => {
  data = await loadEvaluationData();
  suite = buildSuite(data);
});

describe('evaluation suite: registry and data', () => {
  it('is registered, loads once and lists the exports its cases call', async () => {
    const a = await suiteFor('evaluation');
    const b = await suiteFor('evaluation');
    expect(a).toBeDefined();
    expect(a).toBe(b);
    expect([...new Set(a!.cases(1).map((c) => c.fn))].sort()).toEqual([...a!.exports].sort());
  });

  it('uses real rows with the structure the cases rely on', () => {
    expect(data.iris.rows).toHaveLength(150);
    expect(data.wages.rows.length).toBeGreaterThan(500);
    // CPS has workers with identical records; Boston's towns are real groups of tracts.
    expect(
      Math.max(...[...blockClasses(data.wages.labels, unitsOf(data.wages)).values()].map((b) => b.largest)),
    ).toBeGreaterThan(1);
    const towns = new Set(data.towns.groups);
    expect(towns.size).toBeGreaterThan(20);
    expect(towns.size).toBeLessThan(data.towns.rows.length / 2);
  });

  it('derives its split seeds from the grading seed', () => {
    const seedsOf = (cases: SuiteCase[]) =>
      cases.filter((c) => c.fn === 'split').map((c) => (c.args[3] as SplitOptions).seed);
    expect(seedsOf(suite.cases(1))).toEqual(seedsOf(suite.cases(1)));
    expect(seedsOf(suite.cases(1))).not.toEqual(seedsOf(suite.cases(2)));
  });
});

describe('evaluation suite: the reference solution', () => {
  it.each([1, 2, 7, 123456])('passes every case at seed %i', (seed) => {
    expect(Object.fromEntries(grade(suite, reference, seed))).toEqual({});
  });
});

/** Another honest split: blocks by first row's class, val dealt before test, quotas rounded down. */
const otherHonest: SplitFn = (rows, labels, groups, opts) => {
  const random = reference.mulberry32(opts.seed ^ 0x5bd1e995);
  const units = unitsOf({ rows, groups });
  const blocks = new Map<number, number[]>();
  units.forEach((u, i) => {
    if (!blocks.has(u)) blocks.set(u, []);
    blocks.get(u)!.push(i);
  });
  const out: SplitIndices = { train: [], val: [], test: [] };
  for (const y of [...new Set(labels)].sort((a, b) => b - a)) {
    const mine = [...blocks.values()].filter((b) => labels[b[0]] === y);
    const total = mine.reduce((sum, b) => sum + b.length, 0);
    const order = shuffled(mine.length, random).map((k) => mine[k]);
    let val = 0;
    let test = 0;
    for (const block of order) {
      if (val < Math.floor(total * opts.val)) {
        out.val.push(...block);
        val += block.length;
      } else if (test < Math.floor(total * opts.test)) {
        out.test.push(...block);
        test += block.length;
      } else out.train.push(...block);
    }
  }
  return out;
};

describe('evaluation suite: other honest answers pass', () => {
  it.each([1, 2, 3, 4, 5, 6])('floor quotas and val dealt first, seed %i', (seed) => {
    expect(Object.fromEntries(grade(suite, { ...reference, split: otherHonest }, seed))).toEqual({});
  });
});

describe('evaluation suite: split mistakes', () => {
  it('an unseeded shuffle is caught by the same-seed case', () => {
    const sub: Submission = {
      ...reference,
      split: (rows, labels, groups, opts) =>
        reference.split(rows, labels, groups, { ...opts, seed: Math.floor(Math.random() * 2 ** 32) }),
    };
    const failures = grade(suite, sub);
    expect(anyTitle(failures, /the same seed gives the same split/)).toBe(true);
    expect([...failures.values()].join('\n')).toMatch(/Math\.random cannot be seeded/);
  });

  it('ignoring the seed is caught by the other-seed case', () => {
    const sub: Submission = {
      ...reference,
      split: (rows, labels, groups, opts) => reference.split(rows, labels, groups, { ...opts, seed: 42 }),
    };
    const failures = grade(suite, sub);
    expect(titles(failures).filter((t) => /another seed/.test(t))).toHaveLength(3);
    expect(anyTitle(failures, /same seed/)).toBe(false);
  });

  it('a seeded but unstratified cut fails the class-proportion cases', () => {
    const sub: Submission = {
      ...reference,
      split: (rows, _labels, _groups, opts) => cut(shuffled(rows.length, reference.mulberry32(opts.seed)), opts),
    };
    const failures = grade(suite, sub);
    expect(anyTitle(failures, /iris.*class proportions/)).toBe(true);
    expect([...failures.values()].join('\n')).toMatch(/holds \d+ of the 50 rows of (setosa|versicolor|virginica)/);
  });

  it('splitting identical rows apart fails the duplicate case on CPS wages', () => {
    const failures = grade(suite, { ...reference, split: perRowStratified });
    expect(anyTitle(failures, /CPS 1985 wages.*repeated row on one side/)).toBe(true);
    expect(failures.get([...failures.keys()].find((t) => /CPS.*repeated/.test(t))!)).toMatch(
      /are identical but row \d+ is in \w+ and row \d+ in \w+/,
    );
  });

  it('ignoring groups fails the town case', () => {
    const sub: Submission = {
      ...reference,
      split: (rows, labels, _groups, opts) => reference.split(rows, labels, null, opts),
    };
    const failures = grade(suite, sub);
    expect(anyTitle(failures, /Boston tracts.*each town/)).toBe(true);
    expect([...failures.values()].join('\n')).toMatch(/are in the same town/);
  });

  it('handling duplicates and groups one after the other, without chaining them, fails a linked case', () => {
    // Keeps groups together, then separately moves each duplicate next to its first copy: the
    // duplicate's group stays behind.
    const sub: Submission = {
      ...reference,
      split(rows, labels, groups, opts) {
        // Distinct stand-in rows, so only the groups bind rows together here.
        const out = reference.split(
          rows.map((_, i) => [i]),
          labels,
          groups,
          opts,
        );
        const side = new Map<number, keyof SplitIndices>();
        for (const part of ['train', 'val', 'test'] as const) for (const i of out[part]) side.set(i, part);
        const first = new Map<string, number>();
        rows.forEach((row, i) => {
          const key = JSON.stringify(row);
          if (!first.has(key)) return void first.set(key, i);
          const from = side.get(i)!;
          const to = side.get(first.get(key)!)!;
          if (from === to) return;
          out[from] = out[from].filter((r) => r !== i);
          out[to].push(i);
        });
        return out;
      },
    };
    const failing = [1, 2, 3, 4, 5].filter((seed) => anyTitle(grade(suite, sub, seed), /linked groups stay together/));
    // Three linked cases per seed: chance alone should rarely keep the groups together in all of them.
    expect(failing.length).toBeGreaterThanOrEqual(4);
  });

  it('a row in two parts is reported as a leak', () => {
    const sub: Submission = {
      ...reference,
      split(rows, labels, groups, opts) {
        const out = reference.split(rows, labels, groups, opts);
        return { ...out, train: [...out.train, out.test[0]] };
      },
    };
    const failures = grade(suite, sub);
    expect(anyTitle(failures, /every row in exactly one part/)).toBe(true);
    expect([...failures.values()].join('\n')).toMatch(/is in both train and test: a row in two parts leaks/);
  });
});

describe('evaluation suite: selection mistakes', () => {
  const accuracy = (c: Candidate, labels: number[], rows: number[]) =>
    rows.filter((i) => c.predictions[i] === labels[i]).length / rows.length;
  const pickBy =
    (part: 'train' | 'test'): SelectFn =>
    (candidates, labels, split) => {
      const honest = reference.selectModel(candidates, labels, split);
      const scores = candidates.map((c) => accuracy(c, labels, split[part]));
      const best = scores.indexOf(Math.max(...scores));
      return { ...honest, chosen: candidates[best].name, testScore: accuracy(candidates[best], labels, split.test) };
    };

  it('choosing on test fails the poisoned-test cases', () => {
    const failures = grade(suite, { ...reference, selectModel: pickBy('test') });
    expect(anyTitle(failures, /test labels changed/)).toBe(true);
    expect(anyTitle(failures, /test predictions of .* changed/)).toBe(true);
    expect([...failures.values()].join('\n')).toMatch(
      /only the test labels changed: you chose '.*' is the best on the test rows, which must not decide/,
    );
  });

  it('choosing on train fails (1-NN memorises its training rows)', () => {
    const failures = grade(suite, { ...reference, selectModel: pickBy('train') });
    expect(anyTitle(failures, /train labels changed/)).toBe(true);
    expect([...failures.values()].join('\n')).toMatch(/is the best on the (test and the )?training rows/);
  });

  it('reporting the validation score as the final score fails', () => {
    const sub: Submission = {
      ...reference,
      selectModel(candidates, labels, split) {
        const s = reference.selectModel(candidates, labels, split);
        return { ...s, testScore: Math.max(...s.valScores) };
      },
    };
    expect([...grade(suite, sub).values()].join('\n')).toMatch(/testScore is .* on the test rows/);
  });

  it('breaking a tie by the last listed fails the tie case', () => {
    const sub: Submission = {
      ...reference,
      selectModel(candidates, labels, split) {
        const s = reference.selectModel(candidates, labels, split);
        const top = Math.max(...s.valScores);
        const last = s.valScores.lastIndexOf(top);
        return { ...s, chosen: candidates[last].name, testScore: accuracy(candidates[last], labels, split.test) };
      },
    };
    const failures = grade(suite, sub);
    expect(titles(failures)).toContain('two models tied on validation: the first listed wins');
    expect(failures.get('two models tied on validation: the first listed wins')).toMatch(
      /both 0.500: on a tie the first listed wins/,
    );
  });

  it('the poisoned and relabelled cases are built so that they can fail', () => {
    const cases = suite.cases(3).filter((c) => c.fn === 'selectModel');
    const [honest, testLabels, testPreds, trainLabels, valLabels] = cases.map((c) => ({
      c,
      want: referenceSelect(c.args[0] as Candidate[], c.args[1] as number[], c.args[2] as SplitIndices),
    }));
    const split = honest.c.args[2] as SplitIndices;
    for (const poisoned of [testLabels, testPreds, trainLabels]) expect(poisoned.want.chosen).toBe(honest.want.chosen);
    expect(valLabels.want.chosen).not.toBe(honest.want.chosen);
    // After poisoning, some other model is strictly the best on the poisoned rows.
    const bestOn = (c: SuiteCase, rows: number[]) => {
      const cands = c.args[0] as Candidate[];
      const scores = cands.map((m) => accuracy(m, c.args[1] as number[], rows));
      return cands[scores.indexOf(Math.max(...scores))].name;
    };
    expect(bestOn(testLabels.c, split.test)).not.toBe(honest.want.chosen);
    expect(bestOn(testPreds.c, split.test)).not.toBe(honest.want.chosen);
    expect(bestOn(trainLabels.c, split.train)).not.toBe(honest.want.chosen);
  });
});

describe('evaluation suite: the checks on their own', () => {
  const table = (rows: number[][], labels: number[], groups: number[] | null = null): Table => ({
    name: 't',
    rows,
    labels,
    groups,
  });

  it('readSplit names what is malformed', () => {
    expect(readSplit(null, 3)).toMatch(/expected \{ train, val, test \}/);
    expect(readSplit({ train: [0], val: [] }, 3)).toMatch(/`test` must be an array/);
    expect(readSplit({ train: [0, 1.5], val: [], test: [] }, 3)).toMatch(/train\[1\] is 1.5, not a row index in 0..2/);
    expect(readSplit({ train: [0], val: [], test: [3] }, 3)).toMatch(/test\[0\] is 3/);
    expect(readSplit({ train: [0], val: [1], test: [2] }, 3)).toEqual({ train: [0], val: [1], test: [2] });
  });

  it('checkPartition finds repeats, overlaps and missing rows', () => {
    expect(checkPartition({ train: [0, 0], val: [], test: [1] }, 2)).toMatch(/row 0 appears twice in train/);
    expect(checkPartition({ train: [0], val: [0], test: [1] }, 2)).toMatch(/row 0 is in both train and val/);
    expect(checkPartition({ train: [0], val: [], test: [] }, 3)).toMatch(
      /2 of 3 rows are in no part \(the first is row 1\)/,
    );
    expect(checkPartition({ train: [0], val: [2], test: [1] }, 3)).toBeUndefined();
  });

  it('unitsOf chains duplicates and groups', () => {
    const t = table([[1], [2], [3], [1], [5], [6]], [0, 0, 0, 0, 0, 0], [0, 0, 1, 1, 2, 2]);
    const u = unitsOf(t);
    // Row 3 repeats row 0, so group 0 (rows 0, 1) and group 1 (rows 2, 3) are one block.
    expect(new Set([u[0], u[1], u[2], u[3]]).size).toBe(1);
    expect(u[4]).toBe(u[5]);
    expect(u[4]).not.toBe(u[0]);
    expect(checkUnits({ train: [0, 1, 2, 3], val: [4, 5], test: [] }, t, u)).toBeUndefined();
    expect(checkUnits({ train: [0, 1, 2], val: [3, 4, 5], test: [] }, t, u)).toMatch(
      /rows 0 and 3 .* row 0 is in train and row 3 in val/,
    );
  });

  it('checkStratified allows less than one block off each class share', () => {
    const labels = [...new Array(10).fill(0), ...new Array(10).fill(1)];
    const t = table(
      labels.map((_, i) => [i]),
      labels,
    );
    const u = unitsOf(t);
    const opts = { seed: 1, test: 0.2, val: 0.2 };
    const exact = { test: [0, 1, 10, 11], val: [2, 3, 12, 13], train: [4, 5, 6, 7, 8, 9, 14, 15, 16, 17, 18, 19] };
    expect(checkStratified(exact, t, u, opts)).toBeUndefined();
    const skewed = { test: [0, 1, 2, 10], val: [3, 4, 12, 13], train: [5, 6, 7, 8, 9, 11, 14, 15, 16, 17, 18, 19] };
    expect(checkStratified(skewed, t, u, opts)).toMatch(
      /test holds 3 of the 10 rows of class 0; .* is 2, and it must be less than one row off/,
    );
  });

  it('sizeSlack and checkSizes grow with the blocks that cannot be cut', () => {
    const labels = [0, 0, 0, 0, 1, 1, 1, 1];
    const rows = [[1], [1], [1], [2], [3], [4], [5], [6]];
    const u = unitsOf(table(rows, labels));
    expect(sizeSlack(labels, u)).toBe(3 + 1);
    const opts = { seed: 1, test: 0.25, val: 0.25 };
    expect(checkSizes({ test: [0, 1, 2, 4], val: [3, 5], train: [6, 7] }, 8, opts, 4)).toBeUndefined();
    expect(checkSizes({ test: [], val: [3, 5], train: [0, 1, 2, 4, 6, 7] }, 8, opts, 4)).toMatch(/test is empty/);
    expect(checkSizes({ test: [0, 1, 2, 3, 4, 5, 6], val: [7], train: [] }, 8, opts, 4)).toMatch(
      /test has 7 rows; .* less than 4 rows off/,
    );
  });

  it('checkSelection checks names, scores and the reported test accuracy', () => {
    const labels = [0, 1, 0, 1, 0, 1];
    const split = { train: [0, 1], val: [2, 3], test: [4, 5] };
    const cands: Candidate[] = [
      { name: 'a', predictions: [0, 0, 0, 0, 0, 0] },
      { name: 'b', predictions: [0, 1, 0, 1, 0, 0] },
    ];
    expect(checkSelection({ chosen: 'b', valScores: [0.5, 1], testScore: 0.5 }, cands, labels, split)).toBeUndefined();
    expect(checkSelection({ chosen: 'c', valScores: [0.5, 1], testScore: 0.5 }, cands, labels, split)).toMatch(
      /one of the candidate names \(a, b\)/,
    );
    expect(checkSelection({ chosen: 'b', valScores: [0.5], testScore: 0.5 }, cands, labels, split)).toMatch(
      /one validation accuracy per candidate \(2\)/,
    );
    expect(checkSelection({ chosen: 'b', valScores: [0.5, 0.9], testScore: 0.5 }, cands, labels, split)).toMatch(
      /valScores\[1\] \(b\)/,
    );
    expect(checkSelection({ chosen: 'a', valScores: [0.5, 1], testScore: 0.5 }, cands, labels, split)).toMatch(
      /you chose 'a', but 'b' has the best validation accuracy \(1 vs 0.500\)/,
    );
    expect(checkSelection({ chosen: 'b', valScores: [0.5, 1], testScore: 1 }, cands, labels, split)).toMatch(
      /'b' scores 0.500 on the test rows/,
    );
  });
});

describe('the k-NN candidates’ neighbours', () => {
  /** Every train row by distance, ties to the lower index: the order the k nearest must follow. */
  const sorted = (space: number[][], train: number[], q: number[]): number[] =>
    train
      .map((i) => [space[i].reduce((s, v, j) => s + (v - q[j]) ** 2, 0), i] as const)
      .sort((a, b) => a[0] - b[0] || a[1] - b[1])
      .map(([, i]) => i);

  it('are the first k of the full order, ties, repeats, infinities and NaN included', () => {
    let s = 7;
    const rnd = (): number => (s = (Math.imul(s, 1103515245) + 12345) >>> 0) / 2 ** 32;
    // Few distinct values: many rows at the same distance, so the tie-break decides.
    const space = Array.from({ length: 120 }, () => [Math.floor(rnd() * 4), Math.floor(rnd() * 3)]);
    space[5] = [Infinity, 0];
    space[9] = [Infinity, 1];
    const train = Array.from({ length: 120 }, (_, i) => i)
      .filter((i) => i % 3 !== 0)
      .sort(() => rnd() - 0.5);
    for (const k of [1, 5, 15, 200]) {
      const got = neighbours(space, train, k);
      space.forEach((q, r) => expect(got[r]).toEqual(sorted(space, train, q).slice(0, k)));
    }
    const withNaN = space.map((row, i) => (i === 40 ? [NaN, 1] : row));
    const got = neighbours(withNaN, train, 15);
    withNaN.forEach((q, r) => expect(got[r]).toEqual(sorted(withNaN, train, q).slice(0, 15)));
  });

  it('give the Boston candidates the predictions of a full sort', async () => {
    const data = await loadEvaluationData();
    const { rows } = data.houses;
    const train = rows.map((_, i) => i).filter((i) => i % 2 === 0);
    const got = neighbours(rows, train, 15);
    rows.forEach((q, r) => expect(got[r]).toEqual(sorted(rows, train, q).slice(0, 15)));
  });
});
