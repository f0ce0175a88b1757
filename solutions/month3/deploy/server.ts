// Reference solution for month3/deploy: a digit classifier behind node:http,
// with the TensorFlow Serving REST shape, input validation, a body limit and
// GET /metrics reporting the four golden signals of POST /predict.
import * as http from 'node:http';
import type { ServeContext } from 'mlpath';
import type { LayersModel, Tensor } from '@tensorflow/tfjs';

const FEATURES = 784;
const MAX_BODY_BYTES = 1024 * 1024;
const MAX_INSTANCES = 1000;

/** Nearest-rank percentile (p in 0..100) of some values; 0 for none. */
function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length, Math.max(1, Math.ceil((p / 100) * sorted.length))) - 1];
}

/**
 * Traffic, errors, saturation and latency of POST /predict, the four golden
 * signals of Google's SRE book. A request counts as in flight from the moment
 * its handler is called, before its body has arrived, until its answer has
 * gone out: requests overlap even on Node's one thread, at every await.
 */
class Monitor {
  private requests = 0;
  private errors = 0;
  private inFlight = 0;
  /** Milliseconds per answered request, the last 1,000. */
  private readonly times: number[] = [];

  track(res: http.ServerResponse): void {
    const started = process.hrtime.bigint();
    this.inFlight++;
    // 'close' comes once for every response, finished or cut off, whatever path answered it.
    res.once('close', () => {
      this.inFlight--;
      this.requests++;
      if (res.statusCode >= 400) this.errors++;
      this.times.push(Number(process.hrtime.bigint() - started) / 1e6);
      if (this.times.length > 1000) this.times.shift();
    });
  }

  snapshot(): unknown {
    return {
      requests: this.requests,
      errors: this.errors,
      in_flight: this.inFlight,
      latency_ms: { p50: percentile(this.times, 50), p95: percentile(this.times, 95) },
    };
  }
}

/** A request the client got wrong: answered with `status`, never a crash. */
class BadRequest extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

async function trainModel(ctx: ServeContext): Promise<LayersModel> {
  const { tf, data, seed } = ctx;
  const model = tf.sequential();
  model.add(
    tf.layers.dense({
      inputShape: [FEATURES],
      units: 64,
      activation: 'relu',
      kernelInitializer: tf.initializers.heNormal({ seed }),
    }),
  );
  model.add(
    tf.layers.dense({
      units: 10,
      activation: 'softmax',
      kernelInitializer: tf.initializers.glorotUniform({ seed: seed + 1 }),
    }),
  );
  model.compile({ optimizer: tf.train.adam(0.001), loss: 'sparseCategoricalCrossentropy' });
  await model.fit(data.xTrain, data.yTrain.toFloat(), {
    epochs: 8,
    batchSize: 32,
    verbose: 0,
    callbacks: { onEpochEnd: async (epoch, logs) => ctx.log({ epoch: epoch + 1, loss: logs?.loss }) },
  });
  return model;
}

function readBody(req: http.IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const declared = Number(req.headers['content-length']);
    if (declared > MAX_BODY_BYTES) {
      reject(new BadRequest(413, `body of ${declared} bytes is over the ${MAX_BODY_BYTES}-byte limit`));
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) reject(new BadRequest(413, `body is over the ${MAX_BODY_BYTES}-byte limit`));
      else chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

/** `{"instances": [[784 numbers], ...]}` -> the instances, or a BadRequest saying what is wrong. */
function parseInstances(body: string): number[][] {
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch {
    throw new BadRequest(400, 'body is not valid JSON');
  }
  if (json === null || typeof json !== 'object' || Array.isArray(json))
    throw new BadRequest(400, 'body must be a JSON object {"instances": [...]}');
  const instances = (json as { instances?: unknown }).instances;
  if (!Array.isArray(instances)) throw new BadRequest(400, '"instances" must be an array');
  if (instances.length === 0) throw new BadRequest(400, '"instances" is empty');
  if (instances.length > MAX_INSTANCES) throw new BadRequest(400, `at most ${MAX_INSTANCES} instances per request`);
  instances.forEach((instance, i) => {
    if (!Array.isArray(instance) || instance.length !== FEATURES) {
      throw new BadRequest(400, `instance ${i} must be an array of ${FEATURES} numbers`);
    }
    if (!instance.every((v) => typeof v === 'number' && Number.isFinite(v))) {
      throw new BadRequest(400, `instance ${i} must hold only finite numbers`);
    }
  });
  return instances as number[][];
}

function send(res: http.ServerResponse, status: number, body: unknown, close = false): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(text),
    ...(close ? { connection: 'close' } : {}),
  });
  res.end(text);
}

export default async function serve(ctx: ServeContext): Promise<http.Server> {
  const { tf } = ctx;
  const model = await trainModel(ctx);
  // The first predict compiles kernels; pay for it before the first client does.
  tf.tidy(() => model.predict(tf.zeros([1, FEATURES])));

  const predict = async (instances: number[][]): Promise<number[][]> => {
    const scores = tf.tidy(() => model.predict(tf.tensor2d(instances, [instances.length, FEATURES])) as Tensor);
    const rows = (await scores.array()) as number[][];
    scores.dispose();
    return rows.map((row) => row.map((p) => Math.round(p * 1e6) / 1e6));
  };

  const monitor = new Monitor();
  const server = http.createServer(async (req, res) => {
    const route = (req.url ?? '/').split('?')[0];
    if (route === '/predict' && req.method === 'POST') monitor.track(res);
    try {
      if (route === '/health') {
        if (req.method !== 'GET') return send(res, 405, { error: 'use GET /health' });
        return send(res, 200, { status: 'ok' });
      }
      if (route === '/metrics') {
        if (req.method !== 'GET') return send(res, 405, { error: 'use GET /metrics' });
        return send(res, 200, monitor.snapshot());
      }
      if (route === '/predict') {
        if (req.method !== 'POST') return send(res, 405, { error: 'use POST /predict' });
        const instances = parseInstances(await readBody(req));
        return send(res, 200, { predictions: await predict(instances) });
      }
      return send(res, 404, { error: `no route ${route}; try GET /health, POST /predict or GET /metrics` });
    } catch (err) {
      if (err instanceof BadRequest) {
        // Answer an oversized body once the client has sent it: a reply sent
        // (and the socket closed) while the client is still writing can be
        // lost to a connection reset. Past the limit the bytes are discarded.
        if (err.status === 413) {
          if (req.complete) send(res, 413, { error: err.message }, true);
          else req.on('end', () => send(res, 413, { error: err.message }, true)).resume();
          return;
        }
        return send(res, err.status, { error: err.message });
      }
      console.error(err);
      if (!res.headersSent) send(res, 500, { error: 'internal error' });
    }
  });
  await new Promise<void>((resolve) => server.listen(ctx.port, '127.0.0.1', resolve));
  return server;
}
