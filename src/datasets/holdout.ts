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
import { CsvSyntaxError, parseCsv } from './csv';
import { makeDataset, type DatasetParts } from './dataset';
import { rowWidth } from './hash';
import { invalidJsonPosition } from './json-position';
import type { LoadedDataset } from './types';

type Fail = (where: string, message: string) => never;

function failer(file: string): Fail {
  return (where, message) => {
    throw new DatasetError(`${file}${where ? `:${where}` : ''}: ${message}`, 'a holdout is a CSV file whose header ends in `label`, or JSON { "features": [[...]], "labels": [...] }');
  };
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
    return fail(where, `label ${JSON.stringify(raw)} is neither a class index 0..${names.length - 1} nor one of ${names.join(', ')}`);
  }
  const value = typeof raw === 'number' ? raw : typeof raw === 'string' && raw.trim() !== '' ? Number(raw) : NaN;
  if (!Number.isFinite(value)) return fail(where, `label ${JSON.stringify(raw)} is not a number`);
  return value;
}

function finish(like: LoadedDataset, file: string, features: number[], labels: number[], texts?: string[]): LoadedDataset {
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
  let records;
  try {
    records = parseCsv(text);
  } catch (err) {
    if (err instanceof CsvSyntaxError) return fail(String(err.line), err.message);
    throw err;
  }
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
  if (isText && columns[0].toLowerCase() !== 'text') return fail(String(header.line), `the first column must be 'text', got '${columns[0]}'`);
  if (!isText && like.featureNames) {
    const j = like.featureNames.findIndex((name, k) => columns[k] !== name);
    if (j >= 0) return fail(String(header.line), `column ${j + 1} must be '${like.featureNames[j]}' (dataset '${like.id}' feature order), got '${columns[j]}'`);
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
        if (!Number.isFinite(value)) fail(where, `field '${columns[j]}' is not a number: ${JSON.stringify(row.fields[j])}`);
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
  if (!Array.isArray(rows)) return fail(rowsField, `missing, or not an array (dataset '${like.id}' needs ${rowsField})`);
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
    if (values.length !== width) fail(`features[${i}]`, `${values.length} numbers, expected ${width} (shape [${like.featureShape}])`);
    for (const v of values) features.push(v);
  });
  const labels = rawLabels.map((raw, i) => parseLabel(raw, like, `labels[${i}]`, fail));
  return finish(like, file, features, labels, texts);
}

export function loadHoldout(file: string, like: LoadedDataset): LoadedDataset {
  const resolved = path.resolve(file);
  let text: string;
  try {
    text = fs.readFileSync(resolved, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new DatasetError(
      code === 'ENOENT' ? `holdout file not found: ${resolved}` : `cannot read holdout file ${resolved}: ${(err as Error).message}`,
      'check --holdout / MLPATH_HOLDOUT',
    );
  }
  const ext = path.extname(resolved).toLowerCase();
  const json = ext === '.json' || (ext !== '.csv' && text.trimStart().startsWith('{'));
  return json ? fromJson(text, like, resolved) : fromCsv(text, like, resolved);
}
