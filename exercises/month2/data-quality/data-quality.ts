// month2/data-quality: validate and clean data before any model sees it.
// Read README.md first. Check your work with:  mlpath check month2/data-quality
//
// validate(rows) lists every defect it finds; clean(rows) returns rows a model
// can be trained on. The starter finds nothing and cleans nothing, so the
// grader's model trains on the dirty rows as they are.

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

/**
 * 1. What is wrong with one value of a schema column: 'missing' (null,
 * undefined, NaN or ''), 'out-of-range' (a number column holding something
 * that is not a number within [min, max]) or 'invalid-category' (a category
 * column holding a value not in its levels); undefined when it is valid.
 */
export function checkCell(column: string, value: Value | undefined): DefectKind | undefined {
  // TODO: read SCHEMA[column] and test the value against it.
  void column;
  void value;
  return undefined;
}

/**
 * 2. Columns other than the target whose values follow the target so
 * closely that they cannot be known before it (a pay total computed from the
 * wage, say). The rows carry columns the schema does not describe: look at
 * every numeric column, not only the schema's.
 */
export function leakingColumns(rows: Row[]): string[] {
  // TODO: for each numeric column, the correlation with the target over the rows whose target is valid.
  void rows;
  return [];
}

/** 3. Every defect of the table: cells, duplicate rows (the later copies), leaking columns. */
export function validate(rows: Row[]): Defect[] {
  // TODO: checkCell on every schema column of every row, duplicates by the row's values, leakingColumns.
  void rows;
  return [];
}

/** 4. Rows a model can be trained on: valid under the schema, no duplicates, no leaking column. */
export function clean(rows: Row[]): Row[] {
  // TODO: drop (or repair) what validate reports, and drop the leaking columns.
  return rows;
}
