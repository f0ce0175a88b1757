// month3/deploy: serve a model over HTTP.
// Read README.md first. Check your work with:  mlpath check month3/deploy
import * as http from 'node:http';
import type { ServeContext } from 'mlpath';
import type { LayersModel, Tensor } from '@tensorflow/tfjs';

const FEATURES = 784;

async function buildModel(ctx: ServeContext): Promise<LayersModel> {
  const { tf, seed } = ctx;
  const model = tf.sequential();
  model.add(
    tf.layers.dense({
      inputShape: [FEATURES],
      units: 64,
      activation: 'relu',
      kernelInitializer: tf.initializers.heNormal({ seed }),
    }),
  );
  model.add(tf.layers.dense({ units: 10, activation: 'softmax' }));
  // TODO 1. Train it: compile, then fit on ctx.data.xTrain / ctx.data.yTrain (a few epochs are
  //         enough), so the server answers with something better than a guess.
  console.log('starter: the model is untrained (TODO 1 in server.ts)');
  return model;
}

function readBody(req: http.IncomingMessage): Promise<string> {
  // TODO 2. Refuse bodies over 1 MiB (1,048,576 bytes) with 413, without reading them into memory.
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function send(res: http.ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}

export default async function serve(ctx: ServeContext): Promise<http.Server> {
  const { tf } = ctx;
  const model = await buildModel(ctx);

  // TODO 4. Monitoring: answer GET /metrics with the golden signals of POST /predict,
  //         {"requests", "errors", "in_flight", "latency_ms": {"p50", "p95"}} (README, "The API").
  //         Count a request in flight as the first thing its handler does, before its body
  //         arrives, and out in res.on('close'); time it between the two with process.hrtime.bigint().
  const server = http.createServer(async (req, res) => {
    try {
      if (req.method === 'GET' && req.url === '/health') return send(res, 200, { status: 'ok' });
      if (req.method === 'POST' && req.url === '/predict') {
        const body = JSON.parse(await readBody(req));
        // TODO 3. Validate before predicting: the body must be an object whose "instances" is a
        //         non-empty array of arrays of exactly 784 finite numbers. Anything else is the
        //         client's mistake: answer 400 with {"error": "..."} saying what is wrong.
        const instances = body.instances as number[][];
        const scores = tf.tidy(() => model.predict(tf.tensor2d(instances)) as Tensor);
        const predictions = await scores.array();
        scores.dispose();
        return send(res, 200, { predictions });
      }
      return send(res, 404, { error: 'not found' });
    } catch (err) {
      // Every failure lands here as a 500 "server error", even when the client sent garbage.
      console.error(err instanceof Error ? err.message : err);
      return send(res, 500, { error: 'internal error' });
    }
  });
  await new Promise<void>((resolve) => server.listen(ctx.port, '127.0.0.1', resolve));
  return server;
}
