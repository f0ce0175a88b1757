// The grader side of the service kind around the probe: its options, the
// port it hands the server, and the failure summary a learner reads.
import * as net from 'node:net';
import type { LoadedExercise } from '../../../src/curriculum';
import { GradingError } from '../../../src/errors';
import type { ProbeReport } from '../../../src/grader/http-probe';
import { freePort, probeSummary, serviceOptions } from '../../../src/grader/kinds/service/parent';

const exercise = (options?: Record<string, unknown>): LoadedExercise =>
  ({ key: 'm/deploy', options }) as unknown as LoadedExercise;

test('options have defaults, the curriculum overrides them, and nonsense is refused', () => {
  const defaults = serviceOptions(exercise());
  expect(defaults).toMatchObject({
    p95Ms: 100,
    maxBodyBytes: 1048576,
    concurrency: 8,
    batchSize: 100,
    latencyRequests: 40,
    holdMs: 250,
  });
  expect(serviceOptions(exercise({ p95Ms: 40 })).p95Ms).toBe(40);
  expect(() => serviceOptions(exercise({ concurrency: 0 }))).toThrow(GradingError);
  expect(() => serviceOptions(exercise({ p95Ms: 'fast' }))).toThrow(/p95Ms/);
});

test('freePort gives a loopback port that can be listened on', async () => {
  const port = await freePort();
  expect(port).toBeGreaterThan(0);
  const server = net.createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve());
  });
  await new Promise((r) => server.close(r));
});

test('the summary names every check, its verdict and what came back', () => {
  const report: ProbeReport = {
    classes: [1, null, 2],
    accuracyProblems: ['instances 1-1: expected HTTP 200, got HTTP 500 {"error":"boom"}'],
    latency: { count: 40, failures: 0, p50: 1.5, p95: 2.25, max: 3, problems: [] },
    concurrent: { ok: 7, total: 8, problems: ['request 3 of 8: instance 8 got class 1 under load but 2 on its own'] },
    badInput: [
      {
        id: 'malformed-json',
        description: 'a body that is not JSON',
        expected: [400],
        got: 'HTTP 400 {}',
        status: 400,
        healthy: true,
        passed: true,
      },
      {
        id: 'oversized',
        description: 'a big body',
        expected: [413],
        got: 'HTTP 200 {}',
        status: 200,
        healthy: false,
        passed: false,
      },
    ],
    servesAfterBadInput: false,
    monitoring: [
      { id: 'metrics-endpoint', description: 'GET /metrics answers', passed: true, got: 'it does' },
      {
        id: 'latency-p95',
        description: 'latency_ms.p95 is a 95th percentile',
        passed: false,
        got: 'p95 3 ms; the held requests took the server at least 250 ms',
      },
    ],
    requests: 70,
  };
  const text = probeSummary(report, serviceOptions(exercise({ p95Ms: 100 })), 3);
  expect(text).toMatch(/held-out predictions: 2\/3 came back/);
  expect(text).toMatch(/got HTTP 500/);
  expect(text).toMatch(/p95 2\.3 ms \(limit 100 ms\) over 40 single-instance requests/);
  expect(text).toMatch(/concurrent: 7\/8/);
  expect(text).toMatch(/✔ malformed-json/);
  expect(text).toMatch(
    /✘ oversized: a big body: expected 413, got HTTP 200 \{\}; \/health did not answer 200 afterwards/,
  );
  expect(text).toMatch(/✘ still-serving/);
  expect(text).toMatch(
    /monitoring: GET \/metrics must report the service's traffic, errors, requests in flight and latency percentiles/,
  );
  expect(text).toMatch(
    /✘ latency-p95: latency_ms.p95 is a 95th percentile: p95 3 ms; the held requests took the server at least 250 ms/,
  );
});
