/**
 * Attempt records: one JSON file per graded check of an exercise, holding
 * the result, the training curve, seeds, backend, versions and the dataset
 * fingerprint, so that "passes on my laptop, fails in CI" can be explained by
 * comparing two files, and `mlpath report` can redraw every attempt.
 *
 * The writer, the reader and the one schema both go by live here. The files
 * stay in `.mlpath/runs/`, the folder existing workspaces already have (and
 * course workflows upload); in code "runs" means MLflow runs (src/tracking).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { z } from 'zod';
import { writeJsonAtomic } from '../atomic-write';
import { exerciseResultSchema, type GradeOutcome } from '../grader/result';
import { mlpathVersion } from '../version';

export const ATTEMPT_RECORD_VERSION = 1;

/** Where a workspace keeps its attempt records (the on-disk name predates the word "attempt"). */
export function attemptsDir(root: string): string {
  return path.join(root, '.mlpath', 'runs');
}

/** NaN and Infinity are written as null by JSON, so computed numbers read back as number or null. */
const measured = z.number().nullable().optional();

export const attemptRecordSchema = z
  .object({
    version: z.number().int().optional(),
    createdAt: z.string(),
    /** The public result without the captured output (`outputTail` keeps its end). */
    result: exerciseResultSchema.omit({ output: true }).passthrough(),
    curve: z.array(z.record(z.unknown())).default([]),
    /** Logged steps whose NaN or Infinity values were dropped from `curve`. */
    nonFinite: z.array(z.object({ index: z.number(), keys: z.array(z.string()) })).optional(),
    confusion: z.array(z.array(z.number())).optional(),
    classNames: z.array(z.string()).optional(),
    inputScale: z
      .object({
        min: z.number().nullable(),
        max: z.number().nullable(),
        feature: z.string().optional(),
      })
      .optional(),
    datasetFingerprint: z.string().optional(),
    trainSeconds: measured,
    peakRssMb: measured,
    versions: z.object({ node: z.string(), tfjs: z.string().optional(), mlpath: z.string() }).partial().optional(),
    platform: z.string().optional(),
    outputTail: z.string().optional(),
    /** Id and version of the curriculum that graded the attempt. */
    curriculum: z.string().optional(),
    curriculumVersion: z.string().optional(),
    /** Graded on an instructor's holdout rather than the built-in test split. */
    holdout: z.boolean().optional(),
  })
  .passthrough();

export type AttemptRecord = z.infer<typeof attemptRecordSchema>;

/** What the caller knows about an attempt that the outcome does not. */
export interface AttemptContext {
  curriculum: string;
  curriculumVersion: string;
  holdout: boolean;
}

function fileSuffix(key: string): string {
  return `-${key.replace(/\//g, '-')}.json`;
}

/** Writes the record of one graded check and returns its path. */
export function writeAttemptRecord(
  root: string,
  outcome: GradeOutcome,
  context: AttemptContext,
  now = new Date(),
): string {
  const stamp = now.toISOString().replace(/[:.]/g, '-');
  const file = path.join(attemptsDir(root), `${stamp}${fileSuffix(outcome.result.exercise)}`);
  const { output, ...result } = outcome.result;
  const { details } = outcome;
  const record: z.input<typeof attemptRecordSchema> = {
    version: ATTEMPT_RECORD_VERSION,
    createdAt: now.toISOString(),
    result,
    curve: details.curve,
    nonFinite: details.nonFinite,
    confusion: details.confusion,
    classNames: details.classNames,
    inputScale: details.inputScale,
    datasetFingerprint: details.datasetFingerprint,
    trainSeconds: details.trainSeconds,
    peakRssMb: details.peakRssMb,
    versions: { node: process.version, tfjs: details.tfjsVersion, mlpath: mlpathVersion() },
    platform: `${process.platform}-${process.arch}`,
    outputTail: output ? output.slice(-4000) : undefined,
    ...context,
  };
  writeJsonAtomic(file, record);
  return file;
}

/** Every readable attempt record of one exercise, oldest first. Unreadable or foreign files are skipped. */
export function readAttemptRecords(root: string, key: string): AttemptRecord[] {
  const dir = attemptsDir(root);
  if (!fs.existsSync(dir)) return [];
  const suffix = fileSuffix(key);
  const records: AttemptRecord[] = [];
  for (const name of fs.readdirSync(dir)) {
    if (!name.endsWith(suffix)) continue;
    let parsed;
    try {
      parsed = attemptRecordSchema.safeParse(JSON.parse(fs.readFileSync(path.join(dir, name), 'utf8')));
    } catch {
      continue;
    }
    if (parsed.success && parsed.data.result.exercise === key) records.push(parsed.data);
  }
  return records.sort((a, b) => a.createdAt.localeCompare(b.createdAt));
}
