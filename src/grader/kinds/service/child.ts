/**
 * The `service` kind, child side: hand the learner's `serve(ctx)` its
 * training data, the port (also `process.env.PORT`) and the model helpers,
 * and report once it has returned. The server then keeps running in this
 * process until the grader, which probes it over HTTP, sends `done`.
 */
import { noDefaultExport, type HarnessContext } from '../../child/context';
import type { TrainPayload } from '../../protocol';
import { modelStore } from '../../../serving/model-io';
import { loadPretrained } from '../../../serving/pretrained';
import { toTensor } from '../../child/wire';

export interface ServicePayload {
  train: TrainPayload;
  port: number;
}

export async function runServiceKind(ctx: HarnessContext): Promise<void> {
  const exported = ctx.exports as unknown;
  const serve = ctx.exports.default ?? (typeof exported === 'function' ? exported : undefined);
  if (serve === undefined) {
    ctx.fail({ kind: 'missing-entry', message: noDefaultExport(ctx.exports, 'serve', 'ServeContext') });
  }
  if (typeof serve !== 'function') {
    ctx.fail({
      kind: 'missing-entry',
      message: `the default export must be a function serve(ctx), but it is ${typeof serve}`,
    });
  }
  const tf = ctx.tf;
  const p = ctx.payload as ServicePayload;
  process.env.PORT = String(p.port);
  const data = Object.freeze({
    xTrain: toTensor(tf, p.train.xTrain),
    yTrain: toTensor(tf, p.train.yTrain),
    xVal: p.train.xVal ? toTensor(tf, p.train.xVal) : undefined,
    yVal: p.train.yVal ? toTensor(tf, p.train.yVal) : undefined,
    featureNames: p.train.featureNames,
    classNames: p.train.classNames,
  });
  const serveCtx = Object.freeze({
    tf: ctx.learnerTf,
    data,
    seed: ctx.seed,
    budget: Object.freeze({ seconds: ctx.budgetSeconds }),
    port: p.port,
    models: modelStore(tf),
    pretrained: (name: string) => loadPretrained(tf, name),
    log(step: Record<string, unknown>) {
      if (step === null || typeof step !== 'object') return;
      const clean: Record<string, number> = {};
      for (const [k, v] of Object.entries(step).slice(0, 20)) {
        if (typeof v === 'number' && Number.isFinite(v)) clean[k.slice(0, 40)] = v;
      }
      ctx.send({ type: 'log', step: clean });
    },
  });
  const started = Date.now();
  try {
    await (serve as (c: unknown) => unknown)(serveCtx);
  } catch (err) {
    ctx.fail(ctx.describe(err));
  }
  await ctx.settle();
  ctx.send({ type: 'trained', seconds: (Date.now() - started) / 1000 });
}
