/**
 * The `service` kind, grader side: start the learner's model server in the
 * sandboxed child on a free loopback port, wait for `GET /health`, then probe
 * it over HTTP like a client would (src/grader/http-probe.ts). Held-out
 * labels stay here: the server only ever sees inputs. Metrics:
 * - the curriculum's metrics (e.g. accuracy) on the held-out predictions that came back through the API;
 * - `p95_latency_ms`: 95th percentile of single-instance request times (max from options.p95Ms);
 * - `concurrent_ok`: share of concurrent requests answered, and answered as they are one at a
 *   time: requests sent at once, and requests held in flight together (their bodies sent late);
 * - `bad_input_handled`: share of bad requests refused with the right status while /health
 *   kept answering, plus one valid request served after all of them;
 * - `monitoring_ok`: share of the server's own claims at `GET /metrics` (requests, errors,
 *   requests in flight, latency p50 and p95) that hold against what the grader sent and
 *   measured: the lesson that a service is run by its percentiles and its saturation,
 *   which a server that merely answers quickly does not show.
 */
import * as net from 'node:net';
import type { LoadedExercise } from '../../../curriculum';
import { serviceOptionsSchema, type ServiceOptions } from '../../../curriculum/kinds/service';
import { GradingError } from '../../../errors';
import type { LoadedDataset } from '../../../datasets';
import { cleanupCompiled } from '../../compile';
import { LOOPBACK, probeService, waitForHealth, type ProbeReport } from '../../http-probe';
import { checkThreshold, computeMetric } from '../../metrics';
import type { LearnerError } from '../../protocol';
import type { GradeOutcome, MetricResult, RunDetails } from '../../result';
import { ChildFailure } from '../../runner';
import type { ServicePayload } from './child';
import {
  compiledWhile,
  completedOutcome,
  failedOutcome,
  learnerSession,
  runSession,
  type GradeOptions,
  type ParentKind,
} from '../common';
import { numClasses, prepareTrainData, trainPayload } from '../data';

export type { ServiceOptions };

export function serviceOptions(ex: LoadedExercise): ServiceOptions {
  const parsed = serviceOptionsSchema.safeParse(ex.options ?? {});
  if (!parsed.success)
    throw new GradingError(
      `${ex.key}: invalid service options: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`,
    );
  return parsed.data;
}

/** A port nothing listens on right now, on the loopback interface. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, LOOPBACK, () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => (port ? resolve(port) : reject(new GradingError('could not find a free port'))));
    });
  });
}

/** Held-out rows as JSON-friendly number arrays (4 decimals keep bodies small and change no pixel). */
function instancesOf(ds: LoadedDataset): number[][] {
  const width = ds.featureShape.reduce((a, b) => a * b, 1);
  return Array.from({ length: ds.n }, (_, r) =>
    Array.from(ds.features.subarray(r * width, (r + 1) * width), (v) => Math.round(v * 1e4) / 1e4),
  );
}

function fmt(ms: number): string {
  return Number.isFinite(ms) ? `${ms.toFixed(1)} ms` : 'n/a';
}

/** What the learner reads when the check fails: every check with its verdict. */
export function probeSummary(report: ProbeReport, opts: ServiceOptions, n: number): string {
  const lines: string[] = [];
  const answered = report.classes.filter((c) => c !== null).length;
  lines.push(`held-out predictions: ${answered}/${n} came back through POST /predict`);
  for (const p of report.accuracyProblems.slice(0, 3)) lines.push(`  ${p}`);
  lines.push(
    `latency: p50 ${fmt(report.latency.p50)}, p95 ${fmt(report.latency.p95)} (limit ${opts.p95Ms} ms) over ${report.latency.count} single-instance requests${report.latency.failures ? `, ${report.latency.failures} failed` : ''}`,
  );
  for (const p of report.latency.problems) lines.push(`  ${p}`);
  lines.push(
    `concurrent: ${report.concurrent.ok}/${report.concurrent.total} requests sent at once or held in flight together were answered correctly`,
  );
  for (const p of report.concurrent.problems.slice(0, 3)) lines.push(`  ${p}`);
  lines.push('bad input (each must be refused, and GET /health must still answer 200 after it):');
  for (const c of report.badInput) {
    const why = c.passed
      ? c.got
      : `expected ${c.expected.join(' or ')}, got ${c.got}${c.healthy ? '' : '; /health did not answer 200 afterwards'}`;
    lines.push(`  ${c.passed ? '✔' : '✘'} ${c.id}: ${c.description}: ${why}`);
  }
  lines.push(
    `  ${report.servesAfterBadInput ? '✔' : '✘'} still-serving: a valid request after all of them ${report.servesAfterBadInput ? 'got its prediction' : 'did not get a valid prediction'}`,
  );
  lines.push(
    "monitoring: GET /metrics must report the service's traffic, errors, requests in flight and latency percentiles, each claim re-checked against what the grader sent and measured:",
  );
  for (const c of report.monitoring) lines.push(`  ${c.passed ? '✔' : '✘'} ${c.id}: ${c.description}: ${c.got}`);
  return lines.join('\n');
}

export async function gradeService(ex: LoadedExercise, opts: GradeOptions): Promise<GradeOutcome> {
  const started = Date.now();
  const options = serviceOptions(ex);
  if (!ex.dataset) throw new GradingError(`${ex.key}: a service exercise needs a dataset to build its model from`);
  const { loaded: data, prepared } = await compiledWhile(ex, opts, started, () => prepareTrainData(ex, opts.holdout), {
    loading: 'loading data',
  });
  if (!prepared.ok) return prepared.outcome;
  const train = trainPayload(data, 'classification');
  const port = await freePort();
  const payload: ServicePayload = { train, port };
  const budget = opts.timeoutSeconds ?? ex.budget.seconds;
  const seed = opts.seeds[0];
  const details: RunDetails = { curve: [], datasetFingerprint: data.fingerprint, classNames: data.train.classNames };
  const session = learnerSession(ex, opts, {
    kind: 'service',
    bundle: prepared.compiled.bundle,
    seed,
    payload,
    curve: details.curve,
  });
  let childError: LearnerError | undefined;
  let closing = false;
  const noteFailure = (err: unknown): void => {
    // Closing ends the child on purpose; only a failure before that is the server's.
    if (err instanceof ChildFailure && !closing) childError ??= err.error;
  };
  // The child sends `trained` once serve() returns; any later message can only
  // be an error (a crash while serving), which the second wait catches.
  const watching = session
    .expect('trained')
    .then(() => session.expect('predictions'))
    .then(() => undefined, noteFailure);

  const k = numClasses(data.train, 'classification') ?? 0;
  const testN = data.test.n;
  const probe = async (): Promise<ProbeReport> => {
    opts.onPhase?.('starting the server');
    const health = await waitForHealth(port, { timeoutMs: budget * 1000, stopped: () => childError !== undefined });
    if (!health.ok) {
      await Promise.race([watching, new Promise((r) => setTimeout(r, 300))]);
      // The child's own budget kill says "train for fewer epochs"; what the
      // learner needs to hear here is what the grader was waiting for.
      throw new ChildFailure(
        childError && childError.kind !== 'timeout'
          ? childError
          : {
              kind: 'timeout',
              message: `GET /health on port ${port} never answered 200 within the ${budget} s budget (last: ${health.last ? (health.last.error ?? `HTTP ${health.last.status}`) : 'no request'}). Listen on 127.0.0.1, port process.env.PORT (also ctx.port), and answer GET /health with 200 once the model is ready.`,
            },
      );
    }
    details.trainSeconds = health.ms / 1000;
    opts.onPhase?.('probing the server');
    const report = await probeService(port, {
      instances: instancesOf(data.test),
      k,
      batchSize: options.batchSize,
      latencyRequests: options.latencyRequests,
      concurrency: options.concurrency,
      concurrentBatch: options.concurrentBatch,
      holdMs: options.holdMs,
      maxBodyBytes: options.maxBodyBytes,
      timeoutMs: options.requestTimeoutMs,
      deadline: started + budget * 1000,
    });
    details.tfjsVersion = session.tfjsVersion;
    details.peakRssMb = session.peakRssMb;
    return report;
  };
  const run = await runSession(session, () =>
    probe().finally(() => {
      closing = true;
    }),
  ).finally(() => cleanupCompiled(prepared.compiled));
  if (!run.ok) return failedOutcome(ex, opts, run, started, details);
  const report = run.value;

  const classes = Int32Array.from(report.classes, (c) => (c === null ? -1 : c));
  const metrics: MetricResult[] = ex.metrics.map((spec) => {
    // A prediction that never came back counts as class -1: wrong for every label.
    const value = computeMetric(spec.name, { task: 'classification', n: testN, classes, k }, data.test.labels, {
      k: spec.k,
    });
    return {
      name: spec.name,
      value: Number.isFinite(value) ? value : null,
      min: spec.min,
      max: spec.max,
      passed: checkThreshold(value, spec),
    };
  });
  const p95 = report.latency.p95;
  metrics.push({
    name: 'p95_latency_ms',
    value: Number.isFinite(p95) ? Math.round(p95 * 100) / 100 : null,
    max: options.p95Ms,
    passed: Number.isFinite(p95) && report.latency.failures === 0 && p95 <= options.p95Ms,
  });
  metrics.push({
    name: 'concurrent_ok',
    value: report.concurrent.ok / report.concurrent.total,
    min: 1,
    passed: report.concurrent.ok === report.concurrent.total,
  });
  const handled = report.badInput.filter((c) => c.passed).length + (report.servesAfterBadInput ? 1 : 0);
  const cases = report.badInput.length + 1;
  metrics.push({ name: 'bad_input_handled', value: handled / cases, min: 1, passed: handled === cases });
  const claims = report.monitoring.filter((c) => c.passed).length;
  metrics.push({
    name: 'monitoring_ok',
    value: claims / report.monitoring.length,
    min: 1,
    passed: claims === report.monitoring.length,
  });

  const crash = childError ? `\nthe server process failed: ${childError.message}` : '';
  const serverOutput = run.output;
  return completedOutcome(ex, opts, {
    started,
    backend: run.backend || opts.backend || '',
    metrics,
    output: `${probeSummary(report, options, testN)}${crash}${serverOutput ? `\n--- server output ---\n${serverOutput}` : ''}`,
    details,
  });
}

export const serviceKind: ParentKind = { grade: gradeService };
