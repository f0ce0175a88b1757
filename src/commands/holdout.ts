/**
 * `mlpath holdout make <exercise>`: a holdout file for one exercise, in the
 * folder keyed by exercise id that `--holdout <folder>` reads
 * (`holdouts/week1/iris.csv`). From the instructor's own CSV (columns found
 * by name, labels checked), or from the exercise's dataset: its built-in
 * test rows, which show the format but are no secret (a generator's other
 * seeds are other tasks, not fresh rows of this one).
 *
 * `mlpath holdout pack <folder>`: the folder as one bundle file, for a CI
 * secret or an upload.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { loadCurriculum } from '../curriculum';
import { UsageError } from '../errors';
import { loadDataset, loadHoldout, splitDataset } from '../datasets';
import { holdoutCsv, holdoutFolderFiles, holdoutFromCsv, type HoldoutBundle } from '../datasets/holdout';
import { curriculumOverride } from '../workspace/curriculum';

export interface HoldoutMakeOptions {
  cwd: string;
  exercise: string;
  curriculum?: string;
  /** The instructor's CSV; without it, rows come from the exercise's dataset. */
  from?: string;
  /** Column of `from` that holds the label. */
  label?: string;
  /** Keep at most this many rows (a seeded sample). */
  rows?: number;
  /** Seed of the row sample taken with `rows`. */
  seed?: number;
  out?: string;
}

export const holdoutDefaults = { out: 'holdouts' } as const;

export interface HoldoutMakeResult {
  file: string;
  exercise: string;
  dataset: string;
  rows: number;
  /** Where the rows came from, in a sentence. */
  source: string;
  ignored: string[];
  warnings: string[];
}

function sample(n: number, keep: number | undefined, seed: number): number[] {
  const all = Array.from({ length: n }, (_, i) => i);
  if (keep === undefined || keep >= n) return all;
  // A seeded shuffle, so the same command picks the same rows.
  let state = seed >>> 0 || 1;
  for (let i = n - 1; i > 0; i--) {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    const j = state % (i + 1);
    [all[i], all[j]] = [all[j], all[i]];
  }
  return all.slice(0, keep).sort((a, b) => a - b);
}

export async function make(opts: HoldoutMakeOptions): Promise<HoldoutMakeResult> {
  const curriculum = loadCurriculum(curriculumOverride(opts.cwd, opts.curriculum));
  const ex = curriculum.exercises.find((e) => e.key === opts.exercise);
  if (!ex)
    throw new UsageError(
      `no exercise '${opts.exercise}' in ${curriculum.file}`,
      `exercise ids: ${curriculum.exercises.map((e) => e.key).join(', ')}`,
    );
  if (!ex.dataset)
    throw new UsageError(`${ex.key} (kind ${ex.kind}) is graded without a dataset, so it takes no holdout`);
  if (opts.rows !== undefined && (!Number.isInteger(opts.rows) || opts.rows < 1))
    throw new UsageError(`--rows must be a positive integer, got ${opts.rows}`);
  const ref = ex.dataset;
  const like = await loadDataset(ref.id, ref.options);
  const out = path.resolve(opts.cwd, opts.out ?? holdoutDefaults.out, ...ex.key.split('/')) + '.csv';
  const warnings: string[] = [];
  let csv: string;
  let rows: number;
  let source: string;
  let ignored: string[] = [];
  if (opts.from) {
    const from = path.resolve(opts.cwd, opts.from);
    let text: string;
    try {
      text = fs.readFileSync(from, 'utf8');
    } catch (err) {
      throw new UsageError(`cannot read ${from}: ${(err as Error).message}`);
    }
    const table = holdoutFromCsv(text, like, from, { label: opts.label });
    const picked = sample(table.rows.length, opts.rows, opts.seed ?? 1);
    csv = `${[table.header, ...picked.map((i) => table.rows[i])].join('\n')}\n`;
    rows = picked.length;
    ignored = table.ignored;
    source = `${path.relative(opts.cwd, from) || from}${picked.length < table.rows.length ? ` (a sample of ${picked.length} of its ${table.rows.length} rows)` : ''}`;
  } else {
    const split = splitDataset(like, {
      seed: ref.split.seed,
      test: ref.split.test,
      val: ref.split.val,
      limit: ref.split.limit,
      stratify: ex.task !== 'regression',
    });
    const picked = sample(split.test.n, opts.rows, opts.seed ?? 1);
    csv = holdoutCsv(split.test, picked);
    rows = picked.length;
    source = `the built-in test split of '${ref.id}'`;
    warnings.push(
      'these are the rows of the built-in test split, which a learner can recompute from the dataset: they show the format; for rows no one has seen, pass --from <your CSV>',
    );
  }
  fs.mkdirSync(path.dirname(out), { recursive: true });
  fs.writeFileSync(out, csv);
  // Read back exactly as grading will: a file that would fail there fails here.
  loadHoldout(out, like);
  return { file: out, exercise: ex.key, dataset: ref.id, rows, source, ignored, warnings };
}

export interface HoldoutPackOptions {
  cwd: string;
  folder: string;
  out?: string;
}

export interface HoldoutPackResult {
  file: string;
  exercises: string[];
  bytes: number;
}

/** GitHub refuses a secret larger than 48 KB. */
export const SECRET_LIMIT_BYTES = 48 * 1024;

export async function pack(opts: HoldoutPackOptions): Promise<HoldoutPackResult> {
  const folder = path.resolve(opts.cwd, opts.folder);
  if (!fs.existsSync(folder) || !fs.statSync(folder).isDirectory())
    throw new UsageError(`${folder} is not a folder of holdouts`, 'make one with `mlpath holdout make <exercise>`');
  const files = holdoutFolderFiles(folder);
  if (files.size === 0) throw new UsageError(`${folder} holds no .csv or .json holdout`);
  const bundle: HoldoutBundle = { mlpathHoldouts: 1, holdouts: {} };
  for (const [key, file] of [...files].sort(([a], [b]) => a.localeCompare(b))) {
    bundle.holdouts[key] = {
      format: file.toLowerCase().endsWith('.json') ? 'json' : 'csv',
      content: fs.readFileSync(file, 'utf8'),
    };
  }
  const out = path.resolve(opts.cwd, opts.out ?? `${path.basename(folder)}.json`);
  const text = `${JSON.stringify(bundle)}\n`;
  fs.writeFileSync(out, text);
  return { file: out, exercises: Object.keys(bundle.holdouts), bytes: Buffer.byteLength(text) };
}
