/**
 * Instructor holdout files: a test set learners have never seen, replacing
 * the built-in test split (`--holdout <path>` / MLPATH_HOLDOUT).
 *
 * Two formats, chosen by extension (.json / .csv; otherwise by content):
 *
 * CSV, with a header row; the last column is `label`:
 *     sepal_length_cm,sepal_width_cm,petal_length_cm,petal_width_cm,label
 *     5.1,3.5,1.4,0.2,setosa
 *   - one column per feature (prod(featureShape) of them); when the dataset
 *     names its features, the header must use those names in that order;
 *   - text datasets (spam) have exactly two columns: `text,label`;
 *   - fields may be quoted as in RFC 4180 (needed for text with commas or
 *     line breaks).
 *
 * JSON:
 *     { "features": [[5.1, 3.5, 1.4, 0.2], ...], "labels": ["setosa", ...] }
 *     { "texts": ["Subject: ...", ...], "labels": [1, ...] }           (text datasets)
 *   - a row may be nested (e.g. 28 x 28 for images) as long as it flattens to
 *     prod(featureShape) numbers.
 *
 * Labels: for datasets with classes, a class index 0..k-1 or a class name;
 * otherwise a number. Every problem is a DatasetError naming the file, the
 * line (CSV) or the JSON path, and the field.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { DatasetError } from '../errors';
import { CsvSyntaxError, parseCsv, type CsvRecord } from './csv';
import { makeDataset, type DatasetParts } from './dataset';
import { rowWidth } from './hash';
import { invalidJsonPosition } from './json-position';
import type { LoadedDataset } from './types';

type Fail = (where: string, message: string) => never;

function failer(file: string): Fail {
  return (where, message) => {
    throw new DatasetError(
      `${file}${where ? `:${where}` : ''}: ${message}`,
      'a holdout is a CSV file whose header ends in `label`, or JSON { "features": [[...]], "labels": [...] }',
    );
  };
}

/** The records of a CSV file; a syntax error fails with its line. */
function csvRecords(text: string, fail: Fail): CsvRecord[] {
  try {
    return parseCsv(text);
  } catch (err) {
    if (err instanceof CsvSyntaxError) return fail(String(err.line), err.message);
    throw err;
  }
}

function parseLabel(raw: unknown, like: LoadedDataset, where: string, fail: Fail): number {
  const names = like.classNames;
  if (names) {
    if (typeof raw === 'string') {
      const byName = names.indexOf(raw.trim());
      if (byName >= 0) return byName;
    }
    const value = typeof raw === 'number' ? raw : typeof raw === 'string' && raw.trim() !== '' ? Number(raw) : NaN;
    if (Number.isInteger(value) && value >= 0 && value < names.length) return value;
    return fail(
      where,
      `label ${JSON.stringify(raw)} is neither a class index 0..${names.length - 1} nor one of ${names.join(', ')}`,
    );
  }
  const value = typeof raw === 'number' ? raw : typeof raw === 'string' && raw.trim() !== '' ? Number(raw) : NaN;
  if (!Number.isFinite(value)) return fail(where, `label ${JSON.stringify(raw)} is not a number`);
  return value;
}

function finish(
  like: LoadedDataset,
  file: string,
  features: number[],
  labels: number[],
  texts?: string[],
): LoadedDataset {
  if (labels.length === 0) failer(file)('', 'no examples');
  const parts: DatasetParts = {
    id: like.id,
    features: Float32Array.from(features),
    featureShape: like.featureShape.slice(),
    labels: Float32Array.from(labels),
    meta: { holdout: file },
  };
  if (texts) parts.texts = texts;
  if (like.featureNames) parts.featureNames = like.featureNames.slice();
  if (like.classNames) parts.classNames = like.classNames.slice();
  return makeDataset(parts);
}

function fromCsv(text: string, like: LoadedDataset, file: string): LoadedDataset {
  const fail = failer(file);
  const records = csvRecords(text, fail);
  if (records.length === 0) return fail('', 'empty file; expected a header row ending in `label`');
  const [header, ...rows] = records;
  const columns = header.fields.map((f) => f.trim());
  if (columns[columns.length - 1]?.toLowerCase() !== 'label') {
    return fail(String(header.line), `the last column must be 'label', got '${columns[columns.length - 1]}'`);
  }
  const isText = like.texts !== undefined;
  const width = isText ? 1 : rowWidth(like);
  if (columns.length !== width + 1) {
    const expected = isText ? "2 columns: 'text,label'" : `${width + 1} columns (${width} features, then 'label')`;
    return fail(String(header.line), `header has ${columns.length} columns, expected ${expected}`);
  }
  if (isText && columns[0].toLowerCase() !== 'text')
    return fail(String(header.line), `the first column must be 'text', got '${columns[0]}'`);
  if (!isText && like.featureNames) {
    const j = like.featureNames.findIndex((name, k) => columns[k] !== name);
    if (j >= 0)
      return fail(
        String(header.line),
        `column ${j + 1} must be '${like.featureNames[j]}' (dataset '${like.id}' feature order), got '${columns[j]}'`,
      );
  }

  const features: number[] = [];
  const labels: number[] = [];
  const texts: string[] | undefined = isText ? [] : undefined;
  for (const row of rows) {
    const where = String(row.line);
    if (row.fields.length !== columns.length) fail(where, `${row.fields.length} fields, expected ${columns.length}`);
    if (texts) texts.push(row.fields[0]);
    else {
      for (let j = 0; j < width; j++) {
        const raw = row.fields[j].trim();
        const value = raw === '' ? NaN : Number(raw);
        if (!Number.isFinite(value))
          fail(where, `field '${columns[j]}' is not a number: ${JSON.stringify(row.fields[j])}`);
        features.push(value);
      }
    }
    labels.push(parseLabel(row.fields[width], like, `${where}: field 'label'`, fail));
  }
  return finish(like, file, features, labels, texts);
}

function jsonError(text: string, err: Error): string {
  const at = invalidJsonPosition(text);
  return at ? `line ${at.line}, column ${at.column}: ${err.message}` : err.message;
}

function flatten(value: unknown, out: number[]): boolean {
  if (typeof value === 'number') {
    out.push(value);
    return Number.isFinite(value);
  }
  if (!Array.isArray(value)) return false;
  return value.every((v) => flatten(v, out));
}

function fromJson(text: string, like: LoadedDataset, file: string): LoadedDataset {
  const fail = failer(file);
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (err) {
    return fail('', `not valid JSON: ${jsonError(text, err as Error)}`);
  }
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) {
    return fail('', 'expected an object { "features": [...], "labels": [...] }');
  }
  const { features: rawFeatures, texts: rawTexts, labels: rawLabels } = doc as Record<string, unknown>;
  if (!Array.isArray(rawLabels)) return fail('labels', 'missing, or not an array');
  const isText = like.texts !== undefined;
  const rowsField = isText ? 'texts' : 'features';
  const rows = isText ? rawTexts : rawFeatures;
  if (!Array.isArray(rows))
    return fail(rowsField, `missing, or not an array (dataset '${like.id}' needs ${rowsField})`);
  if (rows.length !== rawLabels.length) return fail(rowsField, `${rows.length} rows but ${rawLabels.length} labels`);

  const width = rowWidth(like);
  const features: number[] = [];
  const texts: string[] | undefined = isText ? [] : undefined;
  rows.forEach((row, i) => {
    if (texts) {
      if (typeof row !== 'string') fail(`texts[${i}]`, 'not a string');
      texts.push(row as string);
      return;
    }
    const values: number[] = [];
    if (!flatten(row, values)) fail(`features[${i}]`, 'must be an array of finite numbers');
    if (values.length !== width)
      fail(`features[${i}]`, `${values.length} numbers, expected ${width} (shape [${like.featureShape}])`);
    for (const v of values) features.push(v);
  });
  const labels = rawLabels.map((raw, i) => parseLabel(raw, like, `labels[${i}]`, fail));
  return finish(like, file, features, labels, texts);
}

function readText(file: string): string {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new DatasetError(
      code === 'ENOENT'
        ? `holdout file not found: ${file}`
        : `cannot read holdout file ${file}: ${(err as Error).message}`,
      'check --holdout / MLPATH_HOLDOUT',
    );
  }
}

/**
 * `file` is a holdout file, or `<bundle>#<exercise id>` for one entry of a
 * bundle (see openHoldouts).
 */
export function loadHoldout(file: string, like: LoadedDataset): LoadedDataset {
  const resolved = path.resolve(file);
  const cut = resolved.lastIndexOf('#');
  if (!fs.existsSync(resolved) && cut > 0) {
    const entry = readBundle(resolved.slice(0, cut)).holdouts[resolved.slice(cut + 1)];
    if (!entry)
      throw new DatasetError(`holdout bundle ${resolved.slice(0, cut)} has no entry '${resolved.slice(cut + 1)}'`);
    return entry.format === 'json' ? fromJson(entry.content, like, resolved) : fromCsv(entry.content, like, resolved);
  }
  const text = readText(resolved);
  const ext = path.extname(resolved).toLowerCase();
  const json = ext === '.json' || (ext !== '.csv' && text.trimStart().startsWith('{'));
  return json ? fromJson(text, like, resolved) : fromCsv(text, like, resolved);
}

/**
 * Several holdouts in one file, so a CI secret or an upload can carry a
 * course's worth (`mlpath holdout pack`):
 *     { "mlpathHoldouts": 1, "holdouts": { "week1/iris": { "format": "csv", "content": "..." } } }
 */
export interface HoldoutBundle {
  mlpathHoldouts: 1;
  holdouts: Record<string, { format: 'csv' | 'json'; content: string }>;
}

function isBundle(doc: unknown): doc is HoldoutBundle {
  return typeof doc === 'object' && doc !== null && (doc as { mlpathHoldouts?: unknown }).mlpathHoldouts === 1;
}

export function readBundle(file: string): HoldoutBundle {
  const text = readText(file);
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (err) {
    throw new DatasetError(`${file}: not valid JSON: ${jsonError(text, err as Error)}`);
  }
  if (!isBundle(doc) || typeof doc.holdouts !== 'object' || doc.holdouts === null) {
    throw new DatasetError(
      `${file} is not a holdout bundle (expected { "mlpathHoldouts": 1, "holdouts": { ... } })`,
      'make one with `mlpath holdout pack <folder>`',
    );
  }
  for (const [key, entry] of Object.entries(doc.holdouts)) {
    if (!entry || typeof entry.content !== 'string' || (entry.format !== 'csv' && entry.format !== 'json')) {
      throw new DatasetError(`${file}: holdouts.${key}: expected { "format": "csv" | "json", "content": "..." }`);
    }
  }
  return doc;
}

/** The holdout files of a folder keyed by exercise id (`<folder>/<month>/<exercise>.csv` or `.json`). */
export function holdoutFolderFiles(dir: string): Map<string, string> {
  const found = new Map<string, string>();
  const walk = (sub: string): void => {
    for (const entry of fs.readdirSync(path.join(dir, sub), { withFileTypes: true })) {
      const rel = sub ? `${sub}/${entry.name}` : entry.name;
      if (entry.isDirectory()) walk(rel);
      else if (/\.(csv|json)$/i.test(entry.name)) {
        const key = rel.replace(/\.(csv|json)$/i, '');
        if (found.has(key))
          throw new DatasetError(
            `${dir} has two holdouts for ${key}: ${path.basename(found.get(key)!)} and ${entry.name}; keep one`,
          );
        found.set(key, path.join(dir, rel));
      }
    }
  };
  walk('');
  return found;
}

export interface HoldoutTarget {
  key: string;
  dataset?: { id: string };
}

export interface HoldoutSet {
  /** The holdout of an exercise as loadHoldout takes it; undefined: its built-in test split. */
  fileFor(target: HoldoutTarget): string | undefined;
  /** Exercises graded on their built-in test split although holdouts were given. */
  warnings: string[];
}

/**
 * `--holdout` / MLPATH_HOLDOUT, in one of three forms:
 * - a folder keyed by exercise id (`holdouts/week1/iris.csv`): each exercise
 *   gets its own file; one with none keeps its built-in test split, with a
 *   warning;
 * - a bundle of the same (`mlpath holdout pack`), one file for CI;
 * - one data file, for a course whose graded exercises share one dataset.
 * Checked before anything is graded, so a wrong shape costs no training.
 */
export function openHoldouts(source: string, targets: HoldoutTarget[]): HoldoutSet {
  const withData = targets.filter((t) => t.dataset);
  let stat: fs.Stats;
  try {
    stat = fs.statSync(source);
  } catch {
    throw new DatasetError(
      `holdout ${source} does not exist`,
      'give a folder keyed by exercise id, a bundle (`mlpath holdout pack`) or one CSV/JSON file',
    );
  }
  let keyed: Map<string, string> | undefined;
  if (stat.isDirectory()) {
    keyed = holdoutFolderFiles(source);
    if (keyed.size === 0)
      throw new DatasetError(
        `holdout folder ${source} holds no .csv or .json file`,
        'lay it out by exercise id, e.g. holdouts/week1/iris.csv (`mlpath holdout make week1/iris`)',
      );
  } else {
    const head = fs.readFileSync(source, 'utf8').slice(0, 4096);
    if (/^\s*\{\s*"mlpathHoldouts"/.test(head)) {
      keyed = new Map(Object.keys(readBundle(source).holdouts).map((key) => [key, `${source}#${key}`]));
    }
  }
  if (!keyed) {
    const datasets = [...new Set(withData.map((t) => t.dataset!.id))];
    if (datasets.length > 1) {
      throw new DatasetError(
        `one holdout file (${source}) for exercises on ${datasets.length} datasets (${datasets.join(', ')}): each needs its own`,
        'give a folder keyed by exercise id instead, e.g. holdouts/week1/iris.csv (`mlpath holdout make <exercise>`)',
      );
    }
    return { fileFor: (t) => (t.dataset ? source : undefined), warnings: [] };
  }
  const files = keyed;
  const missing = withData.filter((t) => !files.has(t.key)).map((t) => t.key);
  const warnings = missing.length
    ? [`no holdout for ${missing.join(', ')} in ${source}: graded on the built-in test split`]
    : [];
  return { fileFor: (t) => (t.dataset ? files.get(t.key) : undefined), warnings };
}

/** The header a holdout CSV of this dataset has: its feature names (or x1..xn), then `label`; `text,label` for text. */
export function holdoutHeader(like: LoadedDataset): string[] {
  if (like.texts !== undefined) return ['text', 'label'];
  const width = rowWidth(like);
  const names =
    like.featureNames && like.featureNames.length === width
      ? like.featureNames
      : Array.from({ length: width }, (_, j) => `x${j + 1}`);
  return [...names, 'label'];
}

function csvField(s: string): string {
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** The shortest decimal that reads back as the same float32. */
function float32Text(v: number): string {
  for (let p = 1; p <= 9; p++) {
    const s = String(Number(v.toPrecision(p)));
    if (Math.fround(Number(s)) === v) return s;
  }
  return String(v);
}

function labelText(like: LoadedDataset, v: number): string {
  return like.classNames?.[v] ?? float32Text(v);
}

/** Rows of a loaded dataset (all, or those listed) as a holdout CSV that loadHoldout reads back. */
export function holdoutCsv(ds: LoadedDataset, rows?: number[]): string {
  const width = rowWidth(ds);
  const lines = [holdoutHeader(ds).map(csvField).join(',')];
  for (const i of rows ?? Array.from({ length: ds.n }, (_, k) => k)) {
    const cells =
      ds.texts !== undefined
        ? [ds.texts[i]]
        : Array.from(ds.features.subarray(i * width, (i + 1) * width), float32Text);
    cells.push(labelText(ds, ds.labels[i]));
    lines.push(cells.map(csvField).join(','));
  }
  return `${lines.join('\n')}\n`;
}

export interface TableColumns {
  /** The column holding the label; default `label` (any case), else the last column. */
  label?: string;
}

export interface ConvertedTable {
  /** The header line, then one line per row (a quoted text may span lines). */
  header: string;
  rows: string[];
  /** Columns of the source that the dataset does not use. */
  ignored: string[];
}

/**
 * An instructor's own CSV as a holdout of `like`'s dataset: columns found by
 * name (in any order, extra ones ignored) when the dataset names its
 * features, else by position; every value checked, with the source's line.
 */
export function holdoutFromCsv(
  text: string,
  like: LoadedDataset,
  source: string,
  cols: TableColumns = {},
): ConvertedTable {
  const fail = failer(source);
  const records = csvRecords(text, fail);
  if (records.length < 2) return fail('', 'needs a header row and at least one row of data');
  const [header, ...rows] = records;
  const columns = header.fields.map((f) => f.trim());
  const find = (name: string): number => {
    const exact = columns.indexOf(name);
    return exact >= 0 ? exact : columns.findIndex((c) => c.toLowerCase() === name.toLowerCase());
  };
  const labelAt = cols.label !== undefined ? find(cols.label) : find('label') >= 0 ? find('label') : columns.length - 1;
  if (labelAt < 0)
    return fail(String(header.line), `no column '${cols.label}' for the label (columns: ${columns.join(', ')})`);
  const wanted = holdoutHeader(like).slice(0, -1);
  const named =
    like.texts !== undefined || (like.featureNames !== undefined && like.featureNames.length === wanted.length);
  let picks: number[];
  if (named) {
    const missing = wanted.filter((w) => find(w) < 0);
    if (missing.length)
      return fail(
        String(header.line),
        `no column for ${missing.map((m) => `'${m}'`).join(', ')} (dataset '${like.id}' needs ${wanted.join(', ')})`,
      );
    picks = wanted.map(find);
  } else {
    picks = columns.map((_, j) => j).filter((j) => j !== labelAt);
    if (picks.length !== wanted.length)
      return fail(
        String(header.line),
        `${picks.length} feature columns besides the label, expected ${wanted.length} (dataset '${like.id}', shape [${like.featureShape}])`,
      );
  }
  const ignored = columns.filter((_, j) => j !== labelAt && !picks.includes(j));
  const lines: string[] = [];
  for (const row of rows) {
    const where = String(row.line);
    if (row.fields.length !== columns.length) fail(where, `${row.fields.length} fields, expected ${columns.length}`);
    const cells = picks.map((j) => {
      if (like.texts !== undefined) return row.fields[j];
      const raw = row.fields[j].trim();
      if (raw === '' || !Number.isFinite(Number(raw)))
        fail(where, `field '${columns[j]}' is not a number: ${JSON.stringify(row.fields[j])}`);
      return raw;
    });
    const label = parseLabel(row.fields[labelAt], like, `${where}: field '${columns[labelAt]}'`, fail);
    cells.push(labelText(like, label));
    lines.push(cells.map(csvField).join(','));
  }
  return { header: holdoutHeader(like).map(csvField).join(','), rows: lines, ignored };
}
