/**
 * Runs inside the child process, never in the grader. It receives the run
 * description, loads TensorFlow.js on the requested backend, gives learner
 * code the grader's own (possibly restricted) tf instance for every
 * `@tensorflow/tfjs*` import, loads the learner bundle and hands over to the
 * exercise kind. Nothing here writes to stdout: that belongs to the learner.
 */
import Module = require('node:module');
import { restrictNamespace, ForbiddenApiError } from './forbidden';
import { describeThrown } from './child/errors';
import { runTrainKind } from './child/train';
import { runFunctionsKind } from './child/functions';
import { runTrackingKind } from './child/tracking';
import { runServiceKind } from './child/service';
import type { ChildMessage, LearnerError, ParentMessage } from './protocol';

type Tf = typeof import('@tensorflow/tfjs');
type Outgoing = ChildMessage extends infer M ? (M extends { token: string } ? Omit<M, 'token'> : never) : never;

export interface HarnessContext {
  tf: Tf;
  learnerTf: Tf;
  exports: Record<string, unknown>;
  seed: number;
  budgetSeconds: number;
  payload: unknown;
  sourceRoot: string;
  send(msg: Outgoing): void;
  next(): Promise<ParentMessage>;
  fail(error: LearnerError): never;
  describe(thrown: unknown): LearnerError;
  /** Throws the first forbidden-API use, even one learner code caught. */
  assertClean(): void;
}

class Failed extends Error {
  constructor(readonly error: LearnerError) {
    super(error.message);
  }
}

const sendRaw: ((msg: unknown) => boolean) | undefined = process.send?.bind(process);
const inbox: ParentMessage[] = [];
const waiters: ((m: ParentMessage) => void)[] = [];

function receive(m: ParentMessage): void {
  const w = waiters.shift();
  if (w) w(m);
  else inbox.push(m);
}

function next(): Promise<ParentMessage> {
  const m = inbox.shift();
  if (m) return Promise.resolve(m);
  return new Promise((resolve) => waiters.push(resolve));
}

function installTfHook(learnerTf: Tf, bundle: string): void {
  const mod = Module as unknown as { _load: (request: string, parent: { filename?: string } | undefined, isMain: boolean) => unknown };
  const original = mod._load;
  mod._load = function load(this: unknown, request, parent, isMain) {
    if (parent?.filename === bundle) {
      if (/^@tensorflow\/tfjs(-node(-gpu)?|-core)?$/.test(request)) return learnerTf;
      if (/^@tensorflow\/tfjs-layers$/.test(request)) return learnerTf;
      if (request === 'mlpath') return {};
    }
    return original.call(this, request, parent, isMain);
  } as typeof mod._load;
}

async function main(): Promise<void> {
  if (!sendRaw) throw new Error('the mlpath harness must be started by the grader');
  process.on('message', (m) => receive(m as ParentMessage));
  const init = await next();
  if (init.type !== 'init') throw new Error('protocol: expected init');
  const token = init.token;
  const send = (msg: Outgoing): void => {
    sendRaw({ ...msg, token });
  };
  let forbiddenUse: ForbiddenApiError | undefined;

  const report = (error: LearnerError): void => {
    send({ type: 'error', error });
  };
  process.on('uncaughtException', (err) => {
    report(describeThrown(err, init.sourceRoot));
    setTimeout(() => process.exit(70), 200);
  });
  process.on('unhandledRejection', (err) => {
    report(describeThrown(err, init.sourceRoot));
    setTimeout(() => process.exit(70), 200);
  });

  const { initBackend } = await import('../backend/select');
  const active = await initBackend(init.backend);
  const tf = active.tf;
  // The wasm module adds its own process handlers that print its minified
  // source; initBackend removes them, but make sure ours are the only ones.
  const ourException = process.listeners('uncaughtException')[0];
  const ourRejection = process.listeners('unhandledRejection')[0];
  process.removeAllListeners('uncaughtException');
  process.removeAllListeners('unhandledRejection');
  if (ourException) process.on('uncaughtException', ourException);
  if (ourRejection) process.on('unhandledRejection', ourRejection);
  tf.setBackend(active.name);
  const learnerTf = restrictNamespace(tf, init.forbid, (err) => {
    forbiddenUse ??= err;
  });
  installTfHook(learnerTf, init.bundle);
  send({ type: 'ready', backend: active.name, tfjsVersion: tf.version.tfjs ?? String(tf.version) });

  const ctx: HarnessContext = {
    tf,
    learnerTf,
    exports: {},
    seed: init.seed,
    budgetSeconds: init.budgetSeconds,
    payload: init.payload,
    sourceRoot: init.sourceRoot,
    send,
    next,
    fail(error) {
      throw new Failed(error);
    },
    describe(thrown) {
      return describeThrown(thrown, init.sourceRoot);
    },
    assertClean() {
      if (forbiddenUse) throw forbiddenUse;
    },
  };

  try {
    try {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      ctx.exports = require(init.bundle) as Record<string, unknown>;
    } catch (err) {
      throw new Failed(describeThrown(err, init.sourceRoot));
    }
    ctx.assertClean();
    if (init.kind === 'functions') await runFunctionsKind(ctx);
    else if (init.kind === 'tracking') await runTrackingKind(ctx);
    else if (init.kind === 'service') await runServiceKind(ctx);
    else await runTrainKind(ctx);
    ctx.assertClean();
  } catch (err) {
    report(err instanceof Failed ? err.error : describeThrown(forbiddenUse ?? err, init.sourceRoot));
  }
  for (;;) {
    const m = await next();
    if (m.type === 'done') break;
  }
  process.exit(0);
}

main().catch((err) => {
  process.stderr.write(`mlpath harness: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(71);
});
