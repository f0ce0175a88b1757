/**
 * Probes a learner's model server over HTTP, the way a client in production
 * would: held-out predictions in batches, single-instance latency, concurrent
 * requests, and bad input that must be refused (400 / 413) without taking
 * the server down. Every request goes to 127.0.0.1 only, has a timeout, and
 * the whole probe has a request count fixed by its plan and a deadline.
 */
import * as http from 'node:http';

export const LOOPBACK = '127.0.0.1';
/** Answers larger than this are cut off: a prediction response is small. */
const MAX_RESPONSE_BYTES = 4 * 1024 * 1024;

export interface ProbeRequest {
  method: 'GET' | 'POST';
  path: string;
  body?: string;
  headers?: Record<string, string>;
  timeoutMs?: number;
}

export interface ProbeResponse {
  /** HTTP status, 0 when no response came back. */
  status: number;
  body: string;
  /** The parsed body, when it is JSON. */
  json?: unknown;
  ms: number;
  /** Why no (complete) response came back: refused, reset, timeout. */
  error?: string;
}

export async function httpRequest(port: number, req: ProbeRequest): Promise<ProbeResponse> {
  const started = process.hrtime.bigint();
  const elapsed = (): number => Number(process.hrtime.bigint() - started) / 1e6;
  const timeoutMs = req.timeoutMs ?? 5000;
  const headers: Record<string, string | number> = { ...req.headers };
  if (req.body !== undefined) {
    headers['content-type'] ??= 'application/json';
    headers['content-length'] = Buffer.byteLength(req.body);
  }
  return new Promise<ProbeResponse>((resolve) => {
    let settled = false;
    let response: { status: number; chunks: Buffer[]; size: number } | undefined;
    const finish = (error?: string): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      const body = response ? Buffer.concat(response.chunks).toString('utf8') : '';
      const out: ProbeResponse = { status: response?.status ?? 0, body, ms: elapsed() };
      if (error && !response) out.error = error;
      if (body) {
        try {
          out.json = JSON.parse(body);
        } catch {
          /* not JSON: the body is still reported */
        }
      }
      resolve(out);
    };
    const request = http.request({ host: LOOPBACK, port, method: req.method, path: req.path, headers, agent: false });
    const timer = setTimeout(() => {
      request.destroy();
      finish(`no answer within ${timeoutMs} ms`);
    }, timeoutMs);
    request.on('response', (res) => {
      response = { status: res.statusCode ?? 0, chunks: [], size: 0 };
      res.on('data', (chunk: Buffer) => {
        if (!response || response.size >= MAX_RESPONSE_BYTES) return;
        response.chunks.push(chunk);
        response.size += chunk.length;
        if (response.size >= MAX_RESPONSE_BYTES) request.destroy();
      });
      res.on('end', () => finish());
      res.on('close', () => finish());
      res.on('error', () => finish());
    });
    request.on('error', (err: NodeJS.ErrnoException) => {
      // A server that answers 413 and closes while the body is still being
      // sent has answered; only a missing response is an error.
      if (response) return;
      const code = err.code ?? '';
      const why = code === 'ECONNREFUSED'
        ? 'connection refused (is the server listening on process.env.PORT?)'
        : code === 'ECONNRESET' || code === 'EPIPE'
          ? 'the connection was closed before any response'
          : err.message;
      finish(why);
    });
    if (req.body !== undefined) request.end(req.body);
    else request.end();
  });
}

export function isHealthy(res: ProbeResponse): boolean {
  return res.status === 200;
}

/**
 * Polls `GET /health` until it answers 200, `stopped()` says the server is
 * gone, or `timeoutMs` passes.
 */
export async function waitForHealth(port: number, opts: { timeoutMs: number; intervalMs?: number; stopped?: () => boolean }): Promise<{ ok: boolean; ms: number; last?: ProbeResponse }> {
  const started = Date.now();
  let last: ProbeResponse | undefined;
  while (Date.now() - started < opts.timeoutMs) {
    if (opts.stopped?.()) break;
    last = await httpRequest(port, { method: 'GET', path: '/health', timeoutMs: Math.min(2000, opts.timeoutMs) });
    if (isHealthy(last)) return { ok: true, ms: Date.now() - started, last };
    await new Promise((r) => setTimeout(r, opts.intervalMs ?? 100));
  }
  return { ok: false, ms: Date.now() - started, last };
}

/** Nearest-rank percentile (p in 0..100) of `values`; NaN for none. */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1];
}

export function predictBody(instances: readonly unknown[]): string {
  return JSON.stringify({ instances });
}

/** The class a prediction stands for: an integer class id, or the argmax of k scores. */
export function predictionClass(p: unknown, k: number): number | undefined {
  if (typeof p === 'number') return Number.isInteger(p) && p >= 0 && p < k ? p : undefined;
  if (Array.isArray(p) && p.length === k && p.every((v) => typeof v === 'number' && Number.isFinite(v))) {
    let best = 0;
    for (let i = 1; i < k; i++) if ((p[i] as number) > (p[best] as number)) best = i;
    return best;
  }
  return undefined;
}

function describe(res: ProbeResponse): string {
  if (res.status === 0) return res.error ?? 'no response';
  const snippet = res.body.length > 120 ? `${res.body.slice(0, 120)}...` : res.body;
  return `HTTP ${res.status}${snippet ? ` ${snippet}` : ''}`;
}

/** Class per instance of a `/predict` answer, or what is wrong with it. */
export function readPredictions(res: ProbeResponse, n: number, k: number): { ok: true; classes: number[] } | { ok: false; problem: string } {
  if (res.status !== 200) return { ok: false, problem: `expected HTTP 200, got ${describe(res)}` };
  const json = res.json as { predictions?: unknown } | undefined;
  if (!json || typeof json !== 'object' || !Array.isArray(json.predictions)) {
    return { ok: false, problem: `expected a JSON body {"predictions": [...]}, got ${res.body.slice(0, 120) || 'an empty body'}` };
  }
  if (json.predictions.length !== n) {
    return { ok: false, problem: `sent ${n} instance${n === 1 ? '' : 's'} but got ${json.predictions.length} prediction${json.predictions.length === 1 ? '' : 's'}` };
  }
  const classes: number[] = [];
  for (let i = 0; i < n; i++) {
    const c = predictionClass(json.predictions[i], k);
    if (c === undefined) {
      return { ok: false, problem: `prediction ${i} is ${JSON.stringify(json.predictions[i])?.slice(0, 80)}; expected a class id 0..${k - 1} or a list of ${k} scores` };
    }
    classes.push(c);
  }
  return { ok: true, classes };
}

export interface BadInputCase {
  id: string;
  /** What is wrong with the request, as the README lists it. */
  description: string;
  request: ProbeRequest;
  /** Acceptable statuses. */
  expect: number[];
}

/**
 * The bad requests a server must refuse. `sample` is one valid instance
 * (`featureCount` numbers); the oversized body is valid JSON made of valid
 * instances, so only its size is wrong.
 */
export function badInputCases(sample: readonly number[], maxBodyBytes: number): BadInputCase[] {
  const post = (body: string): ProbeRequest => ({ method: 'POST', path: '/predict', body });
  const ok = JSON.stringify(sample);
  const withString = [...sample.slice(0, -1).map(String), 'x'];
  const withNull = [...sample.slice(0, -1), null];
  const oversizedCount = Math.ceil((2 * maxBodyBytes) / (ok.length + 1)) + 1;
  return [
    { id: 'malformed-json', description: 'a body that is not JSON (cut off mid-array)', request: post(`{"instances": [${ok.slice(0, 40)}`), expect: [400] },
    { id: 'not-an-object', description: 'JSON that is not an object (a bare array)', request: post(`[${ok}]`), expect: [400] },
    { id: 'missing-instances', description: 'an object without "instances"', request: post(JSON.stringify({ data: [sample] })), expect: [400] },
    { id: 'instances-not-array', description: '"instances" that is not an array', request: post(JSON.stringify({ instances: 'all of them' })), expect: [400] },
    { id: 'empty-instances', description: 'an empty "instances" array', request: post(JSON.stringify({ instances: [] })), expect: [400] },
    { id: 'wrong-length', description: `an instance with 3 numbers instead of ${sample.length}`, request: post(JSON.stringify({ instances: [[0.5, 0.5, 0.5]] })), expect: [400] },
    { id: 'ragged', description: 'one good instance and one too short', request: post(JSON.stringify({ instances: [sample, sample.slice(0, Math.floor(sample.length / 2))] })), expect: [400] },
    { id: 'not-numbers', description: 'an instance holding a string', request: post(JSON.stringify({ instances: [withString] })), expect: [400] },
    { id: 'null-value', description: 'an instance holding null', request: post(JSON.stringify({ instances: [withNull] })), expect: [400] },
    { id: 'oversized', description: `a body over the ${maxBodyBytes}-byte limit (${Math.round((oversizedCount * (ok.length + 1)) / 1024)} KiB of valid instances)`, request: post(`{"instances":[${new Array<string>(oversizedCount).fill(ok).join(',')}]}`), expect: [413] },
  ];
}

export interface ProbePlan {
  /** Held-out inputs, one number array per instance. */
  instances: number[][];
  /** Number of classes. */
  k: number;
  /** Instances per accuracy request. */
  batchSize: number;
  /** Single-instance requests timed for the latency percentile. */
  latencyRequests: number;
  /** Requests sent at once. */
  concurrency: number;
  /** Instances in each concurrent request. */
  concurrentBatch: number;
  maxBodyBytes: number;
  /** Per-request timeout. */
  timeoutMs: number;
  /** Absolute time (Date.now()) after which no request is started. */
  deadline: number;
}

export interface BadInputResult {
  id: string;
  description: string;
  expected: number[];
  got: string;
  status: number;
  /** Whether /health answered 200 right after. */
  healthy: boolean;
  passed: boolean;
}

export interface ProbeReport {
  /** Class per held-out instance, null where none came back. */
  classes: (number | null)[];
  accuracyProblems: string[];
  latency: { count: number; failures: number; p50: number; p95: number; max: number; problems: string[] };
  concurrent: { ok: number; total: number; problems: string[] };
  badInput: BadInputResult[];
  /** A valid request after all the bad ones got a correct answer. */
  servesAfterBadInput: boolean;
  requests: number;
}

/** Runs the whole probe; it never throws for anything the server does. */
export async function probeService(port: number, plan: ProbePlan): Promise<ProbeReport> {
  let requests = 0;
  let down = false;
  const send = async (req: ProbeRequest): Promise<ProbeResponse> => {
    if (down) return { status: 0, body: '', ms: 0, error: 'the server stopped answering earlier in the probe' };
    if (Date.now() > plan.deadline) return { status: 0, body: '', ms: 0, error: 'the check ran out of time' };
    requests++;
    const res = await httpRequest(port, { timeoutMs: plan.timeoutMs, ...req });
    if (res.error?.startsWith('connection refused')) down = true;
    return res;
  };
  const predict = (instances: readonly unknown[]): Promise<ProbeResponse> => send({ method: 'POST', path: '/predict', body: predictBody(instances) });

  const n = plan.instances.length;
  const classes: (number | null)[] = new Array<number | null>(n).fill(null);
  const accuracyProblems: string[] = [];
  for (let start = 0; start < n; start += plan.batchSize) {
    const batch = plan.instances.slice(start, start + plan.batchSize);
    const read = readPredictions(await predict(batch), batch.length, plan.k);
    if (read.ok) read.classes.forEach((c, i) => (classes[start + i] = c));
    else accuracyProblems.push(`instances ${start}-${start + batch.length - 1}: ${read.problem}`);
  }

  const times: number[] = [];
  const latencyProblems: string[] = [];
  let failures = 0;
  for (let i = 0; i < plan.latencyRequests; i++) {
    const instance = plan.instances[i % n];
    const res = await predict([instance]);
    const read = readPredictions(res, 1, plan.k);
    if (read.ok) times.push(res.ms);
    else {
      failures++;
      if (latencyProblems.length < 3) latencyProblems.push(`single-instance request ${i + 1}: ${read.problem}`);
    }
  }

  const concurrentProblems: string[] = [];
  const groups = Array.from({ length: plan.concurrency }, (_, g) =>
    Array.from({ length: plan.concurrentBatch }, (_, j) => (g * plan.concurrentBatch + j) % n));
  const answers = await Promise.all(groups.map((rows) => predict(rows.map((r) => plan.instances[r]))));
  let concurrentOk = 0;
  answers.forEach((res, g) => {
    const read = readPredictions(res, groups[g].length, plan.k);
    if (!read.ok) {
      concurrentProblems.push(`request ${g + 1} of ${plan.concurrency}: ${read.problem}`);
      return;
    }
    const mismatch = groups[g].findIndex((row, j) => classes[row] !== null && classes[row] !== read.classes[j]);
    if (mismatch >= 0) {
      concurrentProblems.push(`request ${g + 1} of ${plan.concurrency}: instance ${groups[g][mismatch]} got class ${read.classes[mismatch]} under load but ${classes[groups[g][mismatch]]} on its own`);
      return;
    }
    concurrentOk++;
  });

  const badInput: BadInputResult[] = [];
  for (const c of badInputCases(plan.instances[0], plan.maxBodyBytes)) {
    const res = await send(c.request);
    const health = await send({ method: 'GET', path: '/health' });
    const healthy = isHealthy(health);
    const statusOk = c.expect.includes(res.status);
    badInput.push({
      id: c.id,
      description: c.description,
      expected: c.expect,
      status: res.status,
      got: describe(res),
      healthy,
      passed: statusOk && healthy,
    });
  }
  const last = readPredictions(await predict([plan.instances[0]]), 1, plan.k);
  const servesAfterBadInput = last.ok && (classes[0] === null || last.classes[0] === classes[0]);

  return {
    classes,
    accuracyProblems,
    latency: { count: times.length, failures, p50: percentile(times, 50), p95: percentile(times, 95), max: times.length ? Math.max(...times) : NaN, problems: latencyProblems },
    concurrent: { ok: concurrentOk, total: plan.concurrency, problems: concurrentProblems },
    badInput,
    servesAfterBadInput,
    requests,
  };
}
