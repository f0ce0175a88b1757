/**
 * One record per check in `.mlpath/runs/`: the result, the training curve,
 * seeds, backend, versions and the dataset fingerprint, so that "passes on my
 * laptop, fails in CI" can be explained by comparing two files.
 */
import * as path from 'node:path';
import type { GradeOutcome } from '../grader/result';
import { mlpathVersion } from '../version';
import { writeJsonAtomic } from '../atomic-write';

export const RUN_RECORD_VERSION = 1;

export function writeRunRecord(root: string, outcome: GradeOutcome, extra: Record<string, unknown>): string {
  const stamp = new Date().toISOString().replace(/[:.]/g, '-');
  const file = path.join(root, '.mlpath', 'runs', `${stamp}-${outcome.result.exercise.replace(/\//g, '-')}.json`);
  const { output, ...result } = outcome.result;
  writeJsonAtomic(file, {
    version: RUN_RECORD_VERSION,
    createdAt: new Date().toISOString(),
    result,
    curve: outcome.details.curve,
    nonFinite: outcome.details.nonFinite,
    confusion: outcome.details.confusion,
    classNames: outcome.details.classNames,
    inputScale: outcome.details.inputScale,
    datasetFingerprint: outcome.details.datasetFingerprint,
    trainSeconds: outcome.details.trainSeconds,
    peakRssMb: outcome.details.peakRssMb,
    versions: { node: process.version, tfjs: outcome.details.tfjsVersion, mlpath: mlpathVersion() },
    platform: `${process.platform}-${process.arch}`,
    outputTail: output ? output.slice(-4000) : undefined,
    ...extra,
  });
  return file;
}
