// month2/data-quality: reference solution.
// Every check reads the schema; the leak is found by its correlation with the target, not by its name.

export type Value = number | string | null;
export type Row = Record<string, Value>;

export type DefectKind = 'missing' | 'out-of-range' | 'invalid-category' | 'duplicate' | 'leak';

/** A cell (row and column), a whole row (duplicate: column null) or a whole column (leak: row null). */
export interface Defect {
  row: number | null;
  column: string | null;
  kind: DefectKind;
}

export type ColumnSpec = { type: 'number'; min: number; max: number } | { type: 'category'; levels: string[] };

/** Given: what a valid row of the survey holds. `wage` (dollars per hour) is the target. */
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

/** What is wrong with one value of a schema column, or undefined when it is valid. */
export function checkCell(column: string, value: Value | undefined): DefectKind | undefined {
  const spec = SCHEMA[column];
  if (value === null || value === undefined || value === '' || (typeof value === 'number' && Number.isNaN(value)))
    return 'missing';
  if (spec.type === 'number') {
    const ok = typeof value === 'number' && Number.isFinite(value) && value >= spec.min && value <= spec.max;
    return ok ? undefined : 'out-of-range';
  }
  return typeof value === 'string' && spec.levels.includes(value) ? undefined : 'invalid-category';
}

/** The same key for two rows with the same values, whatever the order of their keys. */
export function rowKey(row: Row): string {
  return JSON.stringify(
    Object.keys(row)
      .sort()
      .map((k) => [k, row[k]]),
  );
}

function pearson(a: number[], b: number[]): number {
  const n = a.length;
  const ma = a.reduce((s, v) => s + v, 0) / n;
  const mb = b.reduce((s, v) => s + v, 0) / n;
  let sab = 0;
  let saa = 0;
  let sbb = 0;
  for (let i = 0; i < n; i++) {
    sab += (a[i] - ma) * (b[i] - mb);
    saa += (a[i] - ma) ** 2;
    sbb += (b[i] - mb) ** 2;
  }
  return saa > 0 && sbb > 0 ? sab / Math.sqrt(saa * sbb) : 0;
}

/** Numeric columns (other than the target) whose values follow the target too closely to be known before it. */
export function leakingColumns(rows: Row[], threshold = 0.9): string[] {
  const columns = [...new Set(rows.flatMap((r) => Object.keys(r)))].filter((c) => c !== TARGET);
  const good = rows.filter((r) => checkCell(TARGET, r[TARGET]) === undefined);
  return columns.filter((c) => {
    const pairs = good.filter((r) => typeof r[c] === 'number' && Number.isFinite(r[c]));
    if (pairs.length < 30) return false;
    const x = pairs.map((r) => r[c] as number);
    const y = pairs.map((r) => r[TARGET] as number);
    return Math.abs(pearson(x, y)) > threshold;
  });
}

export function validate(rows: Row[]): Defect[] {
  const defects: Defect[] = [];
  const seen = new Set<string>();
  rows.forEach((row, i) => {
    for (const column of Object.keys(SCHEMA)) {
      const kind = checkCell(column, row[column]);
      if (kind) defects.push({ row: i, column, kind });
    }
    const key = rowKey(row);
    if (seen.has(key)) defects.push({ row: i, column: null, kind: 'duplicate' });
    seen.add(key);
  });
  for (const column of leakingColumns(rows)) defects.push({ row: null, column, kind: 'leak' });
  return defects;
}

export function clean(rows: Row[]): Row[] {
  const defects = validate(rows);
  const bad = new Set(defects.filter((d) => d.row !== null).map((d) => d.row));
  const leaks = defects.filter((d) => d.kind === 'leak').map((d) => d.column!);
  return rows
    .filter((_, i) => !bad.has(i))
    .map((row) => Object.fromEntries(Object.entries(row).filter(([k]) => !leaks.includes(k))));
}
