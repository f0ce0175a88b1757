import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  badInputCases,
  holdPlan,
  httpRequest,
  percentile,
  predictBody,
  predictionClass,
  probeService,
  readPredictions,
  waitForHealth,
  type ProbePlan,
  type ProbeResponse,
} from '../../../src/grader/http-probe';

const WIDTH = 6;
const K = 3;
const LIMIT = 4096;

/** Runs of three instances share a class, so concurrent requests of three ask about different classes. */
const classOf = (i: number): number => Math.floor(i / 3) % K;

/** Instance i: WIDTH numbers whose largest of the first K sits at classOf(i), so the right class is known. */
function instance(i: number): number[] {
  return Array.from({ length: WIDTH }, (_, j) => (j === classOf(i) ? 0.9 : 0.1 + j / 100));
}

interface Behaviour {
  validate: boolean;
  limit: boolean;
  /** Throw (uncaught) on malformed JSON: the process-killing bug, simulated by closing the server. */
  dieOnMalformed: boolean;
  /** Answer each request with the class of the request before it (shared state across awaits). */
  crossTalk: boolean;
  delayMs: number;
  /**
   * GET /metrics: 'good' counts POST /predict from its handler's call to its
   * answer; 'none' has no such route; 'mean' reports the mean as p95 and p50;
   * 'max' reports the maximum as p95 and 0 as p50;
   * 'late' counts a request in flight only once its body has arrived;
   * 'leaky' never counts out a request it refused.
   */
  metrics: 'good' | 'none' | 'mean' | 'max' | 'late' | 'leaky';
}

const GOOD: Behaviour = {
  validate: true,
  limit: true,
  dieOnMalformed: false,
  crossTalk: false,
  delayMs: 0,
  metrics: 'good',
};

function nearestRank(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted.length ? sorted[Math.max(1, Math.ceil((p / 100) * sorted.length)) - 1] : 0;
}

function classify(row: number[]): number[] {
  const scores = row.slice(0, K);
  const sum = scores.reduce((a, b) => a + b, 0);
  return scores.map((s) => s / sum);
}

function startServer(b: Behaviour): Promise<{ port: number; server: http.Server }> {
  let current: number[][] = [];
  const seen = { requests: 0, errors: 0, inFlight: 0, times: [] as number[] };
  const track = (res: http.ServerResponse): void => {
    const started = Date.now();
    seen.inFlight++;
    res.once('close', () => {
      if (!(b.metrics === 'leaky' && res.statusCode >= 400)) seen.inFlight--;
      seen.requests++;
      if (res.statusCode >= 400) seen.errors++;
      seen.times.push(Date.now() - started);
    });
  };
  const server = http.createServer((req, res) => {
    const send = (status: number, body: unknown, close = false): void => {
      res.writeHead(status, { 'content-type': 'application/json', ...(close ? { connection: 'close' } : {}) });
      res.end(JSON.stringify(body));
    };
    if (req.url === '/health' && req.method === 'GET') return send(200, { status: 'ok' });
    if (req.url === '/metrics' && req.method === 'GET' && b.metrics !== 'none') {
      const mean = seen.times.reduce((a, t) => a + t, 0) / Math.max(1, seen.times.length);
      const [p50, p95] =
        b.metrics === 'mean'
          ? [mean, mean]
          : b.metrics === 'max'
            ? [0, Math.max(0, ...seen.times)]
            : [nearestRank(seen.times, 50), nearestRank(seen.times, 95)];
      return send(200, {
        requests: seen.requests,
        errors: seen.errors,
        in_flight: seen.inFlight,
        latency_ms: { p50, p95 },
      });
    }
    if (req.url !== '/predict' || req.method !== 'POST') return send(404, { error: 'not found' });
    if (b.metrics === 'late') req.once('end', () => track(res));
    else track(res);
    const chunks: Buffer[] = [];
    let size = 0;
    let refused = false;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (b.limit && size > LIMIT && !refused) {
        refused = true;
        send(413, { error: 'too large' }, true);
        req.resume();
        return;
      }
      chunks.push(c);
    });
    const respond = async (): Promise<void> => {
      if (refused) return;
      let body: { instances?: unknown };
      try {
        body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
      } catch {
        if (b.dieOnMalformed) {
          res.destroy();
          server.close();
          server.closeAllConnections();
          return;
        }
        return send(b.validate ? 400 : 500, { error: 'invalid JSON' });
      }
      const rows = body?.instances;
      const valid =
        Array.isArray(rows) &&
        rows.length > 0 &&
        rows.every(
          (r) => Array.isArray(r) && r.length === WIDTH && r.every((v) => typeof v === 'number' && Number.isFinite(v)),
        );
      if (!valid) return send(b.validate ? 400 : 500, { error: 'bad instances' });
      if (b.crossTalk) {
        current = rows as number[][];
        await new Promise((r) => setTimeout(r, 5));
        return send(200, { predictions: current.slice(0, (rows as unknown[]).length).map(classify) });
      }
      if (b.delayMs) await new Promise((r) => setTimeout(r, b.delayMs));
      send(200, { predictions: (rows as number[][]).map(classify) });
    };
    req.on('end', () => void respond());
  });
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () => resolve({ port: (server.address() as AddressInfo).port, server })),
  );
}

const open: http.Server[] = [];
afterEach(async () => {
  for (const s of open.splice(0)) {
    s.closeAllConnections();
    await new Promise((r) => s.close(() => r(undefined)));
  }
});

async function serverWith(b: Partial<Behaviour>): Promise<number> {
  const { port, server } = await startServer({ ...GOOD, ...b });
  open.push(server);
  return port;
}

function plan(overrides: Partial<ProbePlan> = {}): ProbePlan {
  return {
    instances: Array.from({ length: 30 }, (_, i) => instance(i)),
    k: K,
    batchSize: 8,
    latencyRequests: 10,
    concurrency: 8,
    concurrentBatch: 3,
    holdMs: 60,
    maxBodyBytes: LIMIT,
    timeoutMs: 2000,
    deadline: Date.now() + 30000,
    ...overrides,
  };
}

describe('httpRequest', () => {
  test('reads status and JSON body and times the request', async () => {
    const port = await serverWith({});
    const res = await httpRequest(port, { method: 'POST', path: '/predict', body: predictBody([instance(1)]) });
    expect(res.status).toBe(200);
    expect(res.json).toEqual({ predictions: [classify(instance(1))] });
    expect(res.ms).toBeGreaterThan(0);
    expect(res.error).toBeUndefined();
  });

  test('a closed port is status 0 with a reason, not an exception', async () => {
    const port = await serverWith({});
    await new Promise((r) => open.pop()!.close(() => r(undefined)));
    const res = await httpRequest(port, { method: 'GET', path: '/health' });
    expect(res.status).toBe(0);
    expect(res.error).toMatch(/connection refused/);
  });

  test('gives up after its timeout', async () => {
    const hang = http.createServer(() => undefined);
    open.push(hang);
    await new Promise<void>((r) => hang.listen(0, '127.0.0.1', () => r()));
    const res = await httpRequest((hang.address() as AddressInfo).port, {
      method: 'GET',
      path: '/health',
      timeoutMs: 200,
    });
    expect(res.status).toBe(0);
    expect(res.error).toMatch(/no answer within 200 ms/);
  });

  test('an early 413 that closes the connection still counts as the answer', async () => {
    const port = await serverWith({});
    const big = predictBody(Array.from({ length: 2000 }, (_, i) => instance(i)));
    expect(big.length).toBeGreaterThan(4 * LIMIT);
    const res = await httpRequest(port, { method: 'POST', path: '/predict', body: big });
    expect(res.status).toBe(413);
  });
});

describe('waitForHealth', () => {
  test('waits until /health answers 200', async () => {
    let ready = false;
    const server = http.createServer((_req, res) => {
      res.writeHead(ready ? 200 : 503);
      res.end();
    });
    open.push(server);
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    setTimeout(() => (ready = true), 300);
    const result = await waitForHealth((server.address() as AddressInfo).port, { timeoutMs: 5000, intervalMs: 50 });
    expect(result.ok).toBe(true);
    expect(result.ms).toBeGreaterThanOrEqual(250);
  });

  test('gives up at its timeout, or as soon as the server is known to be gone', async () => {
    const port = await serverWith({});
    await new Promise((r) => open.pop()!.close(() => r(undefined)));
    const timedOut = await waitForHealth(port, { timeoutMs: 300, intervalMs: 50 });
    expect(timedOut.ok).toBe(false);
    expect(timedOut.last?.error).toMatch(/refused/);
    const t0 = Date.now();
    const stopped = await waitForHealth(port, { timeoutMs: 10000, stopped: () => true });
    expect(stopped.ok).toBe(false);
    // It did not wait out its 10 s.
    expect(Date.now() - t0).toBeLessThan(10000);
  });
});

describe('reading predictions', () => {
  test('percentile uses the nearest rank', () => {
    const values = Array.from({ length: 20 }, (_, i) => 20 - i);
    expect(percentile(values, 95)).toBe(19);
    expect(percentile(values, 50)).toBe(10);
    expect(percentile(values, 100)).toBe(20);
    expect(percentile([7], 95)).toBe(7);
    expect(percentile([], 95)).toBeNaN();
  });

  test('a prediction is a class id or k scores', () => {
    expect(predictionClass(2, 3)).toBe(2);
    expect(predictionClass([0.1, 0.7, 0.2], 3)).toBe(1);
    expect(predictionClass(3, 3)).toBeUndefined();
    expect(predictionClass(1.5, 3)).toBeUndefined();
    expect(predictionClass([0.5, 0.5], 3)).toBeUndefined();
    expect(predictionClass(['0.1', 0.7, 0.2], 3)).toBeUndefined();
    expect(predictionClass({ class: 1 }, 3)).toBeUndefined();
  });

  test('readPredictions says what is wrong with an answer', () => {
    const res = (status: number, json: unknown): ProbeResponse => ({ status, body: JSON.stringify(json), json, ms: 1 });
    expect(readPredictions(res(200, { predictions: [1, [0, 0, 1]] }), 2, 3)).toEqual({ ok: true, classes: [1, 2] });
    expect(readPredictions(res(500, { error: 'x' }), 1, 3)).toMatchObject({
      ok: false,
      problem: expect.stringMatching(/expected HTTP 200, got HTTP 500/),
    });
    expect(readPredictions(res(200, { outputs: [1] }), 1, 3)).toMatchObject({
      ok: false,
      problem: expect.stringMatching(/"predictions"/),
    });
    expect(readPredictions(res(200, { predictions: [1] }), 2, 3)).toMatchObject({
      ok: false,
      problem: expect.stringMatching(/sent 2 instances but got 1 prediction$/),
    });
    expect(readPredictions(res(200, { predictions: ['cat'] }), 1, 3)).toMatchObject({
      ok: false,
      problem: expect.stringMatching(/prediction 0 is "cat"/),
    });
  });
});

describe('badInputCases', () => {
  const cases = badInputCases(instance(0), LIMIT);

  test('cover malformed JSON, wrong shapes, wrong types and oversized bodies, each with a unique id', () => {
    expect(new Set(cases.map((c) => c.id)).size).toBe(cases.length);
    expect(cases.map((c) => c.id)).toEqual(
      expect.arrayContaining(['malformed-json', 'wrong-length', 'not-numbers', 'oversized']),
    );
    for (const c of cases) {
      expect(c.request.method).toBe('POST');
      expect(c.request.path).toBe('/predict');
      expect(c.expect).toEqual(c.id === 'oversized' ? [413] : [400]);
    }
  });

  test('only the malformed body fails to parse, and only the oversized one is over the limit', () => {
    for (const c of cases) {
      const parses = (() => {
        try {
          JSON.parse(c.request.body!);
          return true;
        } catch {
          return false;
        }
      })();
      expect(parses).toBe(c.id !== 'malformed-json');
      expect(Buffer.byteLength(c.request.body!) > LIMIT).toBe(c.id === 'oversized');
    }
    const oversized = cases.find((c) => c.id === 'oversized')!;
    expect(Buffer.byteLength(oversized.request.body!)).toBeGreaterThan(2 * LIMIT);
  });
});

describe('probeService', () => {
  test('a well-behaved server passes every check', async () => {
    const port = await serverWith({});
    const p = plan();
    const report = await probeService(port, p);
    expect(report.classes).toEqual(p.instances.map((_, i) => classOf(i)));
    expect(report.accuracyProblems).toEqual([]);
    expect(report.latency.count).toBe(p.latencyRequests);
    expect(report.latency.failures).toBe(0);
    expect(report.latency.p95).toBeGreaterThanOrEqual(report.latency.p50);
    const held = report.concurrent.total - p.concurrency;
    // More than half of all POST /predict requests are held (holdPlan).
    const others =
      Math.ceil(p.instances.length / p.batchSize) + p.latencyRequests + p.concurrency + report.badInput.length + 1;
    expect(held).toBe(holdPlan(others).reduce((a, b) => a + b, 0));
    expect(held).toBeGreaterThan(others);
    expect(report.concurrent).toEqual({ ok: p.concurrency + held, total: p.concurrency + held, problems: [] });
    expect(report.badInput.filter((c) => !c.passed)).toEqual([]);
    expect(report.servesAfterBadInput).toBe(true);
    expect(report.monitoring.filter((c) => !c.passed)).toEqual([]);
    expect(report.monitoring.map((c) => c.id)).toEqual([
      'metrics-endpoint',
      'in-flight-while-held',
      'in-flight-at-rest',
      'requests',
      'errors',
      'latency-p95',
      'latency-p50',
    ]);
    // Every request of the plan, the held ones and the two GET /metrics included.
    const expectedRequests =
      Math.ceil(p.instances.length / p.batchSize) +
      p.latencyRequests +
      p.concurrency +
      held +
      2 +
      2 * report.badInput.length +
      1;
    expect(report.requests).toBe(expectedRequests);
  });

  test('500s for bad input and a missing body limit fail those cases, while the server stays healthy', async () => {
    const port = await serverWith({ validate: false, limit: false });
    const report = await probeService(port, plan());
    const failed = report.badInput.filter((c) => !c.passed);
    expect(failed.map((c) => c.id).sort()).toEqual(report.badInput.map((c) => c.id).sort());
    expect(failed.every((c) => c.healthy)).toBe(true);
    expect(failed.find((c) => c.id === 'wrong-length')!.got).toMatch(/HTTP 500/);
    // Without a limit the oversized body is just a big valid request.
    expect(failed.find((c) => c.id === 'oversized')!.status).toBe(200);
    expect(report.servesAfterBadInput).toBe(true);
  });

  test('a server that dies on malformed JSON fails every later check without hanging', async () => {
    const port = await serverWith({ dieOnMalformed: true });
    const report = await probeService(port, plan());
    const first = report.badInput.find((c) => c.id === 'malformed-json')!;
    expect(first.passed).toBe(false);
    expect(first.healthy).toBe(false);
    expect(report.badInput.every((c) => !c.passed)).toBe(true);
    expect(report.badInput.at(-1)!.got).toMatch(/stopped answering/);
    expect(report.servesAfterBadInput).toBe(false);
  });

  test('state shared between requests shows up under concurrency', async () => {
    const port = await serverWith({ crossTalk: true });
    const report = await probeService(port, plan());
    expect(report.accuracyProblems).toEqual([]);
    expect(report.concurrent.ok).toBeLessThan(report.concurrent.total);
    expect(report.concurrent.problems[0]).toMatch(/under load but/);
  });

  test('a slow server has a high p95', async () => {
    const port = await serverWith({ delayMs: 60 });
    const report = await probeService(port, plan({ latencyRequests: 5, instances: plan().instances.slice(0, 8) }));
    expect(report.latency.p95).toBeGreaterThanOrEqual(60);
  });

  test('a server without GET /metrics fails every monitoring check, and says what it got', async () => {
    const port = await serverWith({ metrics: 'none' });
    const report = await probeService(port, plan());
    expect(report.monitoring.every((c) => !c.passed)).toBe(true);
    expect(report.monitoring[0].got).toMatch(/expected HTTP 200, got HTTP 404/);
  });

  test('a mean reported as the percentiles is caught by the held requests, which took the server at least their hold', async () => {
    const port = await serverWith({ metrics: 'mean' });
    const report = await probeService(port, plan());
    const failed = report.monitoring.filter((c) => !c.passed).map((c) => c.id);
    // The held requests put the mean below the p95's floor however slow the machine is; whether it also misses
    // the median's bounds depends on how long the unheld requests took, which load changes (a loaded CI run
    // once put the mean inside them), so p50 is not asserted here.
    expect(failed.filter((id) => id !== 'latency-p50')).toEqual(['latency-p95']);
    expect(report.monitoring.find((c) => c.id === 'latency-p95')!.got).toMatch(/an average hides the slow tail/);
  });

  test('the maximum reported as p95 and 0 as p50 are caught: one request was held longer than all others, and most were held', async () => {
    const port = await serverWith({ metrics: 'max' });
    const report = await probeService(port, plan());
    const failed = report.monitoring.filter((c) => !c.passed);
    expect(failed.map((c) => c.id)).toEqual(['latency-p95', 'latency-p50']);
    expect(failed[0].got).toMatch(/the slowest, held \d+ ms, are the maximum, not the 95th percentile/);
    expect(failed[1].got).toMatch(
      /more than half of the requests were held at least \d+ ms.*0 or an average is not a median/,
    );
  });

  test('the hold plan puts the median, the 95th percentile and the maximum in groups of their own', () => {
    for (const others of [1, 33, 65, 200, 600]) {
      const [short, middle, long] = holdPlan(others);
      const n = others + short + middle + long;
      const r50 = Math.ceil(0.5 * n);
      const r95 = Math.ceil(0.95 * n);
      expect(long).toBe(1);
      expect(r50 - 2).toBeGreaterThan(others);
      expect(r50 + 2).toBeLessThanOrEqual(others + short);
      expect(r95 - 2).toBeGreaterThan(others + short);
      expect(r95 + 2).toBeLessThanOrEqual(n - long);
    }
  });

  test('a request counted in flight only once its body arrived is missed while the grader holds requests open', async () => {
    const port = await serverWith({ metrics: 'late' });
    const report = await probeService(port, plan());
    const check = report.monitoring.find((c) => c.id === 'in-flight-while-held')!;
    expect(check.passed).toBe(false);
    expect(check.got).toMatch(
      /^in_flight 0, with \d+ POST \/predict requests inside handlers: count a request from the moment its handler is called/,
    );
  });

  test('a refused request never counted out leaves in_flight above 0 at rest', async () => {
    const port = await serverWith({ metrics: 'leaky' });
    const report = await probeService(port, plan());
    const failed = report.monitoring.filter((c) => !c.passed).map((c) => c.id);
    expect(failed).toEqual(['in-flight-at-rest']);
  });

  test('no request starts after the deadline', async () => {
    const port = await serverWith({});
    const report = await probeService(port, plan({ deadline: Date.now() - 1 }));
    expect(report.requests).toBe(0);
    expect(report.accuracyProblems[0]).toMatch(/ran out of time/);
  });
});
