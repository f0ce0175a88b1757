/**
 * Probes a learner's model server over HTTP, the way a client in production
 * would: held-out predictions in batches, single-instance latency, concurrent
 * requests, and bad input that must be refused (400 / 413) without taking
 * the server down. Every request goes to 127.0.0.1 only, has a timeout, and
 * the whole probe has a request count fixed by its plan and a deadline.
 */
import { randomInt } from 'node:crypto';
import * as http from 'node:http';

export const LOOPBACK = '127.0.0.1';
/** Answers larger than this are cut off: a prediction response is small. */
const MAX_RESPONSE_BYTES = 4 * 1024 * 1024;
/** How far the longest-held request's hold outlasts every other request's time as the grader measured it. */
const LONGEST_MARGIN_MS = 20;

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

export function httpRequest(port: number, req: ProbeRequest): Promise<ProbeResponse> {
  return exchange(port, req);
}

/**
 * A request whose body waits: it is sent with `Expect: 100-continue`, and
 * `continued` resolves once the server has answered `100 Continue` (Node's
 * http server does so just before it calls the request handler) or false
 * when a final answer or an error came instead. The body goes out when
 * `release()` is called; `response` resolves with the answer. Meanwhile the
 * request is in flight on the server, by construction rather than by timing.
 */
export interface HeldRequest {
  continued: Promise<boolean>;
  release(): void;
  response: Promise<ProbeResponse>;
}

export function heldRequest(port: number, req: ProbeRequest): HeldRequest {
  let onContinue: (ok: boolean) => void = () => undefined;
  const continued = new Promise<boolean>((resolve) => {
    onContinue = resolve;
  });
  let release: () => void = () => undefined;
  const released = new Promise<void>((resolve) => {
    release = resolve;
  });
  const response = exchange(port, req, { onContinue: () => onContinue(true), released });
  void response.then(() => onContinue(false));
  return { continued, release, response };
}

interface Hold {
  onContinue(): void;
  released: Promise<void>;
}

function exchange(port: number, req: ProbeRequest, hold?: Hold): Promise<ProbeResponse> {
  const started = process.hrtime.bigint();
  const elapsed = (): number => Number(process.hrtime.bigint() - started) / 1e6;
  const timeoutMs = req.timeoutMs ?? 5000;
  const headers: Record<string, string | number> = { ...req.headers };
  if (req.body !== undefined) {
    headers['content-type'] ??= 'application/json';
    headers['content-length'] = Buffer.byteLength(req.body);
  }
  if (hold) headers.expect = '100-continue';
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
      const why =
        code === 'ECONNREFUSED'
          ? 'connection refused (is the server listening on process.env.PORT?)'
          : code === 'ECONNRESET' || code === 'EPIPE'
            ? 'the connection was closed before any response'
            : err.message;
      finish(why);
    });
    if (hold) {
      request.on('continue', () => {
        hold.onContinue();
        void hold.released.then(() => request.end(req.body));
      });
      request.flushHeaders();
    } else if (req.body !== undefined) request.end(req.body);
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
export async function waitForHealth(
  port: number,
  opts: { timeoutMs: number; intervalMs?: number; stopped?: () => boolean },
): Promise<{ ok: boolean; ms: number; last?: ProbeResponse }> {
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
export function readPredictions(
  res: ProbeResponse,
  n: number,
  k: number,
): { ok: true; classes: number[] } | { ok: false; problem: string } {
  if (res.status !== 200) return { ok: false, problem: `expected HTTP 200, got ${describe(res)}` };
  const json = res.json as { predictions?: unknown } | undefined;
  if (!json || typeof json !== 'object' || !Array.isArray(json.predictions)) {
    return {
      ok: false,
      problem: `expected a JSON body {"predictions": [...]}, got ${res.body.slice(0, 120) || 'an empty body'}`,
    };
  }
  if (json.predictions.length !== n) {
    return {
      ok: false,
      problem: `sent ${n} instance${n === 1 ? '' : 's'} but got ${json.predictions.length} prediction${json.predictions.length === 1 ? '' : 's'}`,
    };
  }
  const classes: number[] = [];
  for (let i = 0; i < n; i++) {
    const c = predictionClass(json.predictions[i], k);
    if (c === undefined) {
      return {
        ok: false,
        problem: `prediction ${i} is ${JSON.stringify(json.predictions[i])?.slice(0, 80)}; expected a class id 0..${k - 1} or a list of ${k} scores`,
      };
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
    {
      id: 'malformed-json',
      description: 'a body that is not JSON (cut off mid-array)',
      request: post(`{"instances": [${ok.slice(0, 40)}`),
      expect: [400],
    },
    {
      id: 'not-an-object',
      description: 'JSON that is not an object (a bare array)',
      request: post(`[${ok}]`),
      expect: [400],
    },
    {
      id: 'missing-instances',
      description: 'an object without "instances"',
      request: post(JSON.stringify({ data: [sample] })),
      expect: [400],
    },
    {
      id: 'instances-not-array',
      description: '"instances" that is not an array',
      request: post(JSON.stringify({ instances: 'all of them' })),
      expect: [400],
    },
    {
      id: 'empty-instances',
      description: 'an empty "instances" array',
      request: post(JSON.stringify({ instances: [] })),
      expect: [400],
    },
    {
      id: 'wrong-length',
      description: `an instance with 3 numbers instead of ${sample.length}`,
      request: post(JSON.stringify({ instances: [[0.5, 0.5, 0.5]] })),
      expect: [400],
    },
    {
      id: 'ragged',
      description: 'one good instance and one too short',
      request: post(JSON.stringify({ instances: [sample, sample.slice(0, Math.floor(sample.length / 2))] })),
      expect: [400],
    },
    {
      id: 'not-numbers',
      description: 'an instance holding a string',
      request: post(JSON.stringify({ instances: [withString] })),
      expect: [400],
    },
    {
      id: 'null-value',
      description: 'an instance holding null',
      request: post(JSON.stringify({ instances: [withNull] })),
      expect: [400],
    },
    {
      id: 'oversized',
      description: `a body over the ${maxBodyBytes}-byte limit (${Math.round((oversizedCount * (ok.length + 1)) / 1024)} KiB of valid instances)`,
      request: post(`{"instances":[${new Array<string>(oversizedCount).fill(ok).join(',')}]}`),
      expect: [413],
    },
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
  /**
   * The shortest hold: the grader picks a time T between holdMs and 1.5 x holdMs
   * at random for each probe and holds its requests (more than half of them
   * all, see holdPlan) for T, 2T and 3T, so every held request takes the
   * server at least its hold.
   */
  holdMs: number;
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

/** What a server reports at `GET /metrics`: the four golden signals of its POST /predict traffic. */
export interface MonitoringSnapshot {
  /** POST /predict requests answered so far, whatever the status. */
  requests: number;
  /** Those answered with a status of 400 or more. */
  errors: number;
  /** POST /predict requests received and not answered yet. */
  inFlight: number;
  /** Percentiles of the time from a request's arrival to the end of its answer, in ms. */
  p50: number;
  p95: number;
}

export interface MonitoringCheck {
  id: string;
  description: string;
  passed: boolean;
  /** What was reported, and what the grader saw. */
  got: string;
}

export interface ProbeReport {
  /** Class per held-out instance, null where none came back. */
  classes: (number | null)[];
  accuracyProblems: string[];
  latency: { count: number; failures: number; p50: number; p95: number; max: number; problems: string[] };
  /** Requests sent at once, and requests held in flight together, answered as they are one at a time. */
  concurrent: { ok: number; total: number; problems: string[] };
  badInput: BadInputResult[];
  /** A valid request after all the bad ones got a correct answer. */
  servesAfterBadInput: boolean;
  /** The server's own account of its traffic (GET /metrics), each claim re-checked. */
  monitoring: MonitoringCheck[];
  requests: number;
}

/** `GET /metrics` as a snapshot, or what is wrong with the answer. */
export function readMonitoring(
  res: ProbeResponse,
): { ok: true; value: MonitoringSnapshot } | { ok: false; problem: string } {
  if (res.status !== 200) return { ok: false, problem: `GET /metrics: expected HTTP 200, got ${describe(res)}` };
  const json = res.json as
    | { requests?: unknown; errors?: unknown; in_flight?: unknown; latency_ms?: { p50?: unknown; p95?: unknown } }
    | undefined;
  const num = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);
  if (
    !json ||
    typeof json !== 'object' ||
    !num(json.requests) ||
    !num(json.errors) ||
    !num(json.in_flight) ||
    !json.latency_ms ||
    !num(json.latency_ms.p50) ||
    !num(json.latency_ms.p95)
  ) {
    return {
      ok: false,
      problem: `GET /metrics must answer {"requests": n, "errors": n, "in_flight": n, "latency_ms": {"p50": ms, "p95": ms}}, got ${res.body.slice(0, 160) || 'an empty body'}`,
    };
  }
  return {
    ok: true,
    value: {
      requests: json.requests,
      errors: json.errors,
      inFlight: json.in_flight,
      p50: json.latency_ms.p50,
      p95: json.latency_ms.p95,
    },
  };
}

function fmtMs(ms: number): string {
  return `${Number(ms.toFixed(1))} ms`;
}

/** Runs the whole probe; it never throws for anything the server does. */
export async function probeService(port: number, plan: ProbePlan): Promise<ProbeReport> {
  let requests = 0;
  let down = false;
  /** Every POST /predict sent: its status (0 when no answer came) and the time the grader waited for it. */
  const predicts: { status: number; ms: number }[] = [];
  const outOfTime = (): ProbeResponse | undefined => {
    if (down) return { status: 0, body: '', ms: 0, error: 'the server stopped answering earlier in the probe' };
    if (Date.now() > plan.deadline) return { status: 0, body: '', ms: 0, error: 'the check ran out of time' };
    return undefined;
  };
  const note = (req: ProbeRequest, res: ProbeResponse): ProbeResponse => {
    if (res.error?.startsWith('connection refused')) down = true;
    if (req.method === 'POST' && req.path === '/predict') predicts.push({ status: res.status, ms: res.ms });
    return res;
  };
  const send = async (req: ProbeRequest): Promise<ProbeResponse> => {
    const stop = outOfTime();
    if (stop) return stop;
    requests++;
    return note(req, await httpRequest(port, { timeoutMs: plan.timeoutMs, ...req }));
  };
  const predict = (instances: readonly unknown[]): Promise<ProbeResponse> =>
    send({ method: 'POST', path: '/predict', body: predictBody(instances) });

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
  let concurrentOk = 0;
  let concurrentTotal = 0;
  /** Whether an answer to `rows` is right: the same classes as when the rows were sent in batches, one request at a time. */
  const judge = (res: ProbeResponse, rows: number[], what: string): void => {
    concurrentTotal++;
    const read = readPredictions(res, rows.length, plan.k);
    if (!read.ok) {
      concurrentProblems.push(`${what}: ${read.problem}`);
      return;
    }
    const mismatch = rows.findIndex((row, j) => classes[row] !== null && classes[row] !== read.classes[j]);
    if (mismatch >= 0) {
      concurrentProblems.push(
        `${what}: instance ${rows[mismatch]} got class ${read.classes[mismatch]} under load but ${classes[rows[mismatch]]} on its own`,
      );
      return;
    }
    concurrentOk++;
  };
  const groups = Array.from({ length: plan.concurrency }, (_, g) =>
    Array.from({ length: plan.concurrentBatch }, (_, j) => (g * plan.concurrentBatch + j) % n),
  );
  const answers = await Promise.all(groups.map((rows) => predict(rows.map((r) => plan.instances[r]))));
  answers.forEach((res, g) => judge(res, groups[g], `request ${g + 1} of ${plan.concurrency}`));

  // Requests in flight together, by construction: each waits for its body
  // until all have reached the handler. The server's own count of requests in
  // flight must see them; they are more than half of all POST /predict
  // requests, held for T, 2T and 3T in groups sized so that the median, the
  // 95th percentile and the maximum each fall in a group of its own
  // (holdPlan), and T is the grader's choice for this probe, unknown ahead.
  const badCount = badInputCases(plan.instances[0], plan.maxBodyBytes).length;
  const others = predicts.length + badCount + 1;
  const holdGroups = holdPlan(others);
  const holdMs = plan.holdMs + randomInt(Math.floor(plan.holdMs / 2) + 1);
  const answeredBefore = predicts.filter((p) => p.status !== 0).length;
  const held: { rows: number[]; tier: number; req: HeldRequest }[] = [];
  if (!outOfTime()) {
    holdGroups.forEach((count, tier) => {
      for (let j = 0; j < count; j++) {
        const row = (held.length * 7 + 3) % n;
        requests++;
        const body = predictBody([plan.instances[row]]);
        held.push({
          rows: [row],
          tier,
          req: heldRequest(port, {
            method: 'POST',
            path: '/predict',
            body,
            timeoutMs: 2 * plan.timeoutMs + holdGroups.length * holdMs,
          }),
        });
      }
    });
  }
  // When each held request was let in (its 100 Continue arrived) and when its body went out: the server's
  // own time for it, from its handler being called to its answer, is at least the span between the two.
  const letIn: number[] = [];
  const releasedAt: number[] = [];
  const took = await Promise.all(
    held.map((h, i) =>
      h.req.continued.then((ok) => {
        letIn[i] = performance.now();
        return ok;
      }),
    ),
  );
  const continued = took.filter(Boolean).length;
  const during = await send({ method: 'GET', path: '/metrics' });
  const answersOf = held.map((h) => h.req.response.then((res) => note({ method: 'POST', path: '/predict' }, res)));
  // The deliberate waits of the probe: group i's bodies go out (i + 1) T after every held request reached its handler.
  const lastTier = holdGroups.length - 1;
  const started = performance.now();
  for (let tier = 0; tier < holdGroups.length && held.length; tier++) {
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, started + (tier + 1) * holdMs - performance.now())));
    if (tier === lastTier) {
      // The longest hold must outlast every other request as the grader timed it, so that a server reporting
      // its maximum as the 95th percentile is told apart from one that is merely slow under load: wait for the
      // others' answers, then keep the longest held past the slowest of them.
      await Promise.all(answersOf.filter((_, i) => held[i].tier !== lastTier));
      const slowest = Math.max(0, ...predicts.map((p) => p.ms));
      const firstIn = Math.min(...held.map((h, i) => (h.tier === lastTier ? letIn[i] : Infinity)));
      const wait = firstIn + slowest + LONGEST_MARGIN_MS - performance.now();
      if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
    }
    const now = performance.now();
    held.forEach((h, i) => {
      if (h.tier !== tier) return;
      releasedAt[i] = now;
      h.req.release();
    });
  }
  const heldAnswers = await Promise.all(answersOf);
  heldAnswers.forEach((res, i) => judge(res, held[i].rows, `held request ${i + 1} of ${held.length}`));

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

  const monitoring = checkMonitoring(await send({ method: 'GET', path: '/metrics' }), during, {
    predicts,
    held: continued,
    heldTotal: held.length,
    answeredBefore,
    holds: holdGroups.map((_, tier) => {
      const spans = held.flatMap((h, i) => (h.tier === tier && took[i] ? [Math.floor(releasedAt[i] - letIn[i])] : []));
      return { ms: spans.length ? Math.max(0, Math.min(...spans)) : (tier + 1) * holdMs, count: spans.length };
    }),
  });

  return {
    classes,
    accuracyProblems,
    latency: {
      count: times.length,
      failures,
      p50: percentile(times, 50),
      p95: percentile(times, 95),
      max: times.length ? Math.max(...times) : NaN,
      problems: latencyProblems,
    },
    concurrent: { ok: concurrentOk, total: concurrentTotal, problems: concurrentProblems },
    badInput,
    servesAfterBadInput,
    monitoring,
    requests,
  };
}

/** What the grader knows of the traffic it sent, to re-check the server's account of it. */
export interface SentTraffic {
  /** Every POST /predict: its status (0 when no answer came) and how long the grader waited for it. */
  predicts: readonly { status: number; ms: number }[];
  /** Held requests the server took in (answered 100 Continue) before GET /metrics was asked, and how many were sent. */
  held: number;
  heldTotal: number;
  /** POST /predict requests answered before the held ones were sent. */
  answeredBefore: number;
  /** The held requests that reached a handler, by how long the grader held them: each took the server at least `ms`. */
  holds: readonly { ms: number; count: number }[];
}

/** Positions either side of a percentile's rank the plan keeps inside one group: room for a few odd requests. */
const RANK_SLACK = 2;
/** Most requests held at once. */
const MAX_HELD = 1000;

/**
 * How many requests to hold for T, 2T and 3T when `others` POST /predict
 * requests are sent besides them, so that, sorted by the time each took the
 * server, the median falls among those held for T, the 95th percentile among
 * those held for 2T, and the one held for 3T is the maximum alone: then the
 * median is at least T and the 95th percentile at least 2T for certain, and
 * the maximum is no 95th percentile. Each percentile's rank stays RANK_SLACK
 * positions inside its group.
 */
export function holdPlan(others: number): [number, number, number] {
  const slack = RANK_SLACK;
  for (let heldCount = others + 2 * slack + 1; heldCount <= MAX_HELD; heldCount++) {
    const total = others + heldCount;
    const median = Math.ceil(0.5 * total);
    const top = total - Math.ceil(0.95 * total);
    const longest = 1;
    const middle = top + slack;
    const shortest = heldCount - middle - longest;
    if (top < slack + longest || shortest < 1) continue;
    if (median - slack <= others || median + slack > others + shortest) continue;
    return [shortest, middle, longest];
  }
  return [Math.max(1, MAX_HELD - 4), 3, 1];
}

/** Nearest-rank position (1-based) of percentile p among n values. */
function rankOf(p: number, n: number): number {
  return Math.min(n, Math.max(1, Math.ceil((p / 100) * n)));
}

/**
 * Re-checks a server's `GET /metrics` against the traffic the grader sent:
 * counts exactly (give or take requests whose answer never arrived), requests
 * in flight while some were held and after all were answered, and latency
 * percentiles between what is certain and what the grader measured. Certain:
 * a held request took the server at least its hold, so when enough of all
 * requests were held at least some time, the percentile is at least that
 * time. Measured: no request took the server longer than the grader waited
 * for it, so the server's k-th fastest time is at most the grader's k-th
 * fastest (a few positions and 5 ms of slack for the order in which two
 * processes see the same moment). Nothing here depends on how fast the
 * machine is: a slow machine only loosens the measured side.
 */
export function checkMonitoring(final: ProbeResponse, during: ProbeResponse, sent: SentTraffic): MonitoringCheck[] {
  const checks: MonitoringCheck[] = [];
  const add = (id: string, description: string, passed: boolean, got: string): void => {
    checks.push({ id, description, passed, got });
  };
  const end = readMonitoring(final);
  const mid = readMonitoring(during);
  add(
    'metrics-endpoint',
    'GET /metrics answers {"requests", "errors", "in_flight", "latency_ms": {"p50", "p95"}}',
    end.ok && mid.ok,
    end.ok ? (mid.ok ? 'it does' : mid.problem) : end.problem,
  );
  const lost = sent.predicts.filter((p) => p.status === 0).length;
  const answered = sent.predicts.length - lost;
  const errors = sent.predicts.filter((p) => p.status >= 400).length;
  const within = (got: number, want: number): boolean => Math.abs(got - want) <= lost;
  const slack = lost ? ` (give or take ${lost} whose answer never arrived)` : '';

  const unread = 'no reading (see metrics-endpoint)';
  if (!mid.ok)
    add(
      'in-flight-while-held',
      `while ${sent.heldTotal} requests waited for their bodies, in_flight counts them`,
      false,
      unread,
    );
  if (!end.ok) {
    add('in-flight-at-rest', 'once every request was answered, in_flight is back to 0', false, unread);
    add('requests', 'requests counts the POST /predict requests answered', false, unread);
    add('errors', 'errors counts the answers with a status of 400 or more', false, unread);
    add(
      'latency-p95',
      "latency_ms.p95 is a 95th percentile of the time from a request's arrival to its answer",
      false,
      unread,
    );
    add('latency-p50', 'latency_ms.p50 is the median of those times', false, unread);
  }
  if (mid.ok) {
    const m = mid.value;
    const passed = sent.held > 0 && m.inFlight === sent.held;
    add(
      'in-flight-while-held',
      `while ${sent.heldTotal} requests waited for their bodies, in_flight counts them`,
      passed,
      sent.held === 0
        ? 'the server never answered 100 Continue to the held requests, so none reached a handler'
        : `in_flight ${m.inFlight}, with ${sent.held} POST /predict requests inside handlers${passed ? '' : ": count a request from the moment its handler is called (before its body arrives) until its answer has gone out (res.on('close'))"}`,
    );
  }
  if (end.ok) {
    const m = end.value;
    add(
      'in-flight-at-rest',
      'once every request was answered, in_flight is back to 0',
      m.inFlight === 0,
      `in_flight ${m.inFlight}${m.inFlight === 0 ? '' : ": some request left its handler without being counted out; decrement when the answer has gone out, on every path (400s and 413s included), e.g. in res.on('close')"}`,
    );
    const midOk =
      !mid.ok ||
      within(mid.value.requests, sent.answeredBefore) ||
      within(mid.value.requests, sent.answeredBefore + sent.held);
    add(
      'requests',
      'requests counts the POST /predict requests answered',
      within(m.requests, answered) && midOk,
      `requests ${m.requests}, the grader got ${answered} answers to POST /predict${slack}${mid.ok ? `; mid-probe ${mid.value.requests} for ${sent.answeredBefore}` : ''}${within(m.requests, answered) && midOk ? '' : ' (count POST /predict only, not /health or /metrics, each once)'}`,
    );
    add(
      'errors',
      'errors counts the answers with a status of 400 or more',
      within(m.errors, errors),
      `errors ${m.errors}, the grader got ${errors}${slack}`,
    );

    const n = sent.predicts.length;
    // The grader's own times, sorted; a request it got no answer to could have taken the server any time.
    const waited = sent.predicts.map((p) => (p.status === 0 ? Infinity : p.ms)).sort((a, b) => a - b);
    const atMost = (p: number): number => (n ? waited[Math.min(n, rankOf(p, n) + RANK_SLACK) - 1] + 5 : Infinity);
    const atLeast = (p: number): number => {
      let bound = 0;
      let slower = 0;
      for (const hold of [...sent.holds].sort((a, b) => b.ms - a.ms)) {
        slower += hold.count;
        if (slower >= n - rankOf(p, n) + 1 + lost) bound = Math.max(bound, hold.ms);
      }
      return bound;
    };
    const shortest = sent.holds[0]?.ms ?? 0;
    const longest = sent.holds.at(-1)?.ms ?? 0;
    const low95 = atLeast(95);
    const high95 = atMost(95);
    const p95Ok = m.p95 >= low95 - 1 && m.p95 <= high95;
    add(
      'latency-p95',
      `latency_ms.p95 is a 95th percentile: at least ${low95} ms (over 5 % of the requests were held that long), at most what 95 % of the requests took as the grader measured them`,
      p95Ok,
      `p95 ${fmtMs(m.p95)}; it must lie between ${low95} ms and ${fmtMs(high95)}${
        p95Ok
          ? ''
          : m.p95 < low95 - 1
            ? ": keep every request's time, from its handler being called to its answer going out, sort them and take the one 95 % of the way up (an average hides the slow tail)"
            : `: no more than 5 % of the requests took that long${m.p95 >= longest - 1 ? ` (the slowest, held ${longest} ms, are the maximum, not the 95th percentile)` : ''}: sort the times and take the one at Math.ceil(0.95 * n)`
      }`,
    );
    const low50 = atLeast(50);
    const high50 = atMost(50);
    const p50Ok = m.p50 >= low50 - 1 && m.p50 <= high50 && m.p50 <= m.p95;
    add(
      'latency-p50',
      `latency_ms.p50 is the median: at least ${low50} ms (over half of the requests were held that long), at most what half of the requests took as the grader measured them, and no more than p95`,
      p50Ok,
      `p50 ${fmtMs(m.p50)}; it must lie between ${low50} ms and ${fmtMs(high50)}${
        p50Ok
          ? ''
          : m.p50 < low50 - 1
            ? `: more than half of the requests were held at least ${shortest} ms, so half of them took at least that long: sort the times and take the one half way up (0 or an average is not a median)`
            : m.p50 > m.p95
              ? ': a median above the 95th percentile is not one'
              : ': half of the requests were answered sooner than that'
      }`,
    );
  }
  return checks;
}
