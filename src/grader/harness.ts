/**
 * Runs inside the child process, never in the grader. It receives the run
 * description, loads TensorFlow.js on the requested backend, gives learner
 * code the grader's own (possibly restricted) tf instance for every
 * `@tensorflow/tfjs*` import, loads the learner bundle and hands over to the
 * exercise kind. Nothing here writes to stdout: that belongs to the learner.
 */
import { Socket } from 'node:net';
import { CHANNEL_FD, childMarker, FrameDecoder, GRADER_MARKER } from './channel';
import { blockAutograd, blockImplementations, NEVER_LEARNERS, restrictNamespace, ForbiddenApiError } from './forbidden';
import { describeThrown } from './child/errors';
import { lockDown, lockNativeBackend } from './child/lockdown';
import { recordBuiltins, type Integrity } from './child/integrity';
import { recordRegistries, type RegistryRecord } from './child/intrinsics';
import { loadLearnerBundle, seedMathRandom } from './child/modules';
import { append } from './child/own';
import { unpackTensors } from './child/unpack';
import { frameWriter } from './child/writer';
import { prepareObservation } from './child/observe';
import type { HarnessContext, Outgoing } from './child/context';
import { childKind } from './kinds/children';
import { HARNESS_FAILED } from './harness-exit';
import type { LearnerError, ParentMessage } from './protocol';
import type { ServicePayload } from './kinds/service/child';

class Failed extends Error {
  constructor(readonly error: LearnerError) {
    super(error.message);
  }
}

// Captured before learner code can replace them.
const hardExit: (code: number) => never = (
  (process as unknown as { reallyExit?: (code: number) => never }).reallyExit ?? process.exit
).bind(process);
const inbox: ParentMessage[] = [];
const waiters: ((m: ParentMessage) => void)[] = [];
/** The grader said 'done': whoever read it (a kind's call loop or main's last wait), this process has nothing left to do. */
let doneReceived = false;
// The grader's messages pass through here after learner code has loaded: queued and handed on with functions
// taken now, never with the Array methods a submission could swap while a message passes (and put back).
const { apply, setPrototypeOf } = Reflect;
// Called only through apply, with the queue as `this`.
const arrayShift = Array.prototype.shift;
const NewPromise = Promise;
// settle()'s turn of the event loop: taken before learner code loads (setImmediate is pinned on the global object too).
const later = setImmediate;

function dequeue<T>(queue: T[]): T | undefined {
  return queue.length ? (apply(arrayShift, queue, []) as T) : undefined;
}

function receive(m: ParentMessage): void {
  unpackTensors(m);
  // No prototype: a promise resolved with the message looks up its `then`, and a getter of that name on
  // Object.prototype would be handed it.
  setPrototypeOf(m, null);
  if (m.type === 'done') doneReceived = true;
  const w = dequeue(waiters);
  if (w) w(m);
  else append(inbox, m);
}

function next(): Promise<ParentMessage> {
  const m = dequeue(inbox);
  return new NewPromise((resolve) => (m ? resolve(m) : append(waiters, resolve)));
}

/** Opens the channel to the grader; when the grader goes away, so does this process, whatever learner code is doing. */
function openChannel(): Socket {
  let channel: Socket;
  try {
    channel = new Socket({ fd: CHANNEL_FD, readable: true, writable: true });
  } catch {
    throw new Error('the mlpath harness must be started by the grader');
  }
  const decoder = new FrameDecoder(GRADER_MARKER, undefined, true);
  channel.on('data', (chunk: Buffer) => {
    // An index loop: for..of would go through the array iterator, a prototype method too.
    const messages = decoder.push(chunk);
    for (let i = 0; i < messages.length; i++) receive(messages[i] as ParentMessage);
  });
  channel.on('error', () => hardExit(0));
  channel.on('close', () => hardExit(0));
  return channel;
}

async function main(): Promise<void> {
  const channel = openChannel();
  const init = await next();
  if (init.type !== 'init') throw new Error('protocol: expected init');
  // Before anything else: an unknown kind is refused, never graded as another.
  const runKind = childKind(init.kind);
  const token = init.token;
  const writeFrame = frameWriter(CHANNEL_FD, childMarker(token));
  let integrity: Integrity | undefined;
  let registries: RegistryRecord | undefined;
  let tainted = false;
  /** Why nothing graded code did can be reported: a built-in or a kernel it replaced; undefined when none. */
  const refusalNow = (): string | undefined => {
    const replaced = integrity?.changed();
    if (replaced)
      return `graded code replaced JavaScript's built-in ${replaced}, which mlpath relies on to report what your code did: leave built-in objects as they are`;
    const tried = integrity?.attempted();
    if (tried) return tampering(tried);
    const kernel = registries?.changed();
    return kernel
      ? `graded code changed TensorFlow.js's ${kernel}: the kernels that compute your model are TensorFlow.js's and mlpath's, never graded code's`
      : undefined;
  };
  // Every message but the learner's own log lines carries something the grader judges by: none leaves once a built-in was replaced.
  const send = (msg: Outgoing): void => {
    if (tainted) return;
    const refusal = msg.type === 'log' ? undefined : refusalNow();
    if (refusal) {
      tainted = true;
      // An attempt on a pinned built-in keeps the learner line it was made at.
      const error =
        attemptError?.message === refusal ? attemptError : { kind: 'forbidden-api' as const, message: refusal };
      writeFrame({ type: 'error', token, error });
      return;
    }
    writeFrame({ ...msg, token });
  };
  let forbiddenUse: ForbiddenApiError | undefined;
  let attemptError: LearnerError | undefined;
  const tampering = (what: string): string =>
    `graded code tried to ${what}; mlpath keeps built-in objects fixed during a check, since it relies on them to report what your code did: leave built-in objects as they are`;
  /**
   * What learner code threw, for the grader. The TypeError of an attempt on a pinned built-in is that built-in's
   * refusal, at the learner's line, and is noted: whoever catches it, nothing the run reports after it is sent.
   */
  const describe = (thrown: unknown): LearnerError => {
    const e = describeThrown(thrown, init.sourceRoot);
    const tried = integrity?.noteAttempt(thrown);
    if (!tried) return e;
    const refused: LearnerError = { ...e, kind: 'forbidden-api', message: tampering(tried) };
    attemptError ??= refused;
    return refused;
  };

  const report = (error: LearnerError): void => {
    send({ type: 'error', error });
  };
  process.on('uncaughtException', (err) => {
    report(describe(err));
    setTimeout(() => hardExit(70), 200);
  });
  process.on('unhandledRejection', (err) => {
    report(describe(err));
    setTimeout(() => hardExit(70), 200);
  });

  const { initBackend } = await import('../backend/init');
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
  await tf.setBackend(active.name);
  // From here on, code compiled through the module loader (the learner's bundle) has its frames mapped to its
  // TypeScript lines; TensorFlow.js, loaded above, is spared the reading of its source maps.
  process.setSourceMapsEnabled(true);
  const noteForbidden = (err: ForbiddenApiError): void => {
    forbiddenUse ??= err;
  };
  const learnerTf = restrictNamespace(tf, [...init.forbid, ...NEVER_LEARNERS], noteForbidden);
  if (active.name === 'tensorflow') lockNativeBackend(tf.backend());
  blockAutograd(tf, init.forbid, noteForbidden);
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- the very module object tfjs and tfjs-layers read ops from
  blockImplementations(tf, init.forbid, noteForbidden, require('@tensorflow/tfjs-core') as Record<string, unknown>);
  prepareObservation(tf);
  lockDown({ listenPort: init.kind === 'service' ? (init.payload as ServicePayload).port : undefined, channel });
  seedMathRandom(init.seed);
  // A child started before the grader had compiled the learner's code and split the data waits here, with
  // TensorFlow.js loaded, for both; 'ready' starts the learner's budget, so it is said once they are in.
  let bundle = init.bundle;
  let payload = init.payload;
  if (bundle === undefined) {
    const start = await next();
    if (start.type === 'done') hardExit(0);
    if (start.type !== 'start') throw new Error(`protocol: expected start, not ${start.type}`);
    bundle = start.bundle;
    payload = start.payload;
  }
  // TensorFlow.js alone puts ten frames between a failing op and the learner line that called it.
  Error.stackTraceLimit = 100;
  send({ type: 'ready', backend: active.name, tfjsVersion: tf.version.tfjs ?? JSON.stringify(tf.version) });

  const ctx: HarnessContext = {
    tf,
    learnerTf,
    exports: {},
    seed: init.seed,
    budgetSeconds: init.budgetSeconds,
    payload,
    sourceRoot: init.sourceRoot,
    send,
    // While a kind waits for the grader's next message, learner timers and callbacks run: what they changed is
    // checked before the kind's own code goes on with that message.
    async next() {
      const m = await next();
      if (m.type !== 'done') ctx.assertClean();
      return m;
    },
    fail(error) {
      throw new Failed(error);
    },
    describe,
    assertClean() {
      if (forbiddenUse) throw forbiddenUse;
      // Checked as each call of graded code returns, not only as a message leaves: a built-in swapped during
      // the call and put back before the next message would otherwise bend the grader's code in between.
      const refusal = refusalNow();
      if (refusal) throw new Failed({ kind: 'forbidden-api', message: refusal });
    },
    // Node runs every queued promise callback (and each one those queue) before an immediate: once this one has
    // run, nothing graded code left pending can act between the check and the grader's next line.
    async settle() {
      await new NewPromise<void>((resolve) => later(resolve));
      ctx.assertClean();
    },
  };

  try {
    integrity = recordBuiltins();
    registries = recordRegistries();
    // Before the first line of learner code: from here a built-in cannot be swapped, even for the moment the
    // grader's own code awaits (a timer of learner code's would otherwise run, swap and put back in between).
    integrity.pin();
    try {
      ctx.exports = loadLearnerBundle(bundle, learnerTf);
    } catch (err) {
      throw new Failed(describe(err));
    }
    ctx.assertClean();
    await runKind(ctx);
    ctx.assertClean();
  } catch (err) {
    report(
      err instanceof Failed ? err.error : forbiddenUse ? describeThrown(forbiddenUse, init.sourceRoot) : describe(err),
    );
  }
  // A kind that serves calls ends its loop on 'done': waiting for a second one would hold the grader's close() until it kills this process.
  while (!doneReceived) {
    const m = await next();
    if (m.type === 'done') break;
  }
  hardExit(0);
}

main().catch((err) => {
  process.stderr.write(`mlpath harness: ${err instanceof Error ? err.message : String(err)}\n`);
  hardExit(HARNESS_FAILED);
});
