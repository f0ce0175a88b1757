/**
 * What the permission model of Node 20 leaves open, closed from inside the
 * child before learner code loads: signals to other processes (the grader
 * itself: SIGKILL would orphan this process, SIGSTOP would freeze the check)
 * and outbound network connections (the public copies of a dataset, with
 * their labels, are a download away). Listening stays allowed to the service
 * kind's learner server alone, on its port: it must accept the grader's
 * requests. Name lookups
 * are closed too: c-ares (dns.resolve*, dns.Resolver) sends its queries
 * itself, past the sockets locked here, and a query is a message out.
 * The grader's private channel (file descriptor 3) is closed to learner code
 * too, both ways of reading it and the harness's socket on it (lockChannel).
 * The originals are kept only in this closure, and the replacements cannot
 * be removed.
 */
import * as dgram from 'node:dgram';
// The module objects themselves, not copies of their exports: learner code requires the same ones.
import dns = require('node:dns');
import fs = require('node:fs');
import tty = require('node:tty');
import { syncBuiltinESMExports } from 'node:module';
import * as net from 'node:net';
import { CHANNEL_FD } from '../channel';

// Taken when this module loads, before any learner code: the wrappers below call the originals through these,
// never through Function.prototype.call or .apply, RegExp.prototype.test or WeakSet methods looked up later,
// which learner code can replace.
const { apply } = Reflect;
const regexpTest = RegExp.prototype.test;
const weakSetAdd = WeakSet.prototype.add;
const weakSetHas = WeakSet.prototype.has;
const construct = Reflect.construct;
const ownKeys = Reflect.ownKeys;
const getDescriptor = Reflect.getOwnPropertyDescriptor;
const getPrototypeOf = Reflect.getPrototypeOf;

function denied(what: string, resource: string): Error {
  const err = new Error(`${what} is blocked during a check`) as NodeJS.ErrnoException & { resource?: string };
  err.code = 'ERR_ACCESS_DENIED';
  err.resource = resource;
  return err;
}

function pin(target: object, key: string, value: unknown): void {
  // Enumerable as before, so a module's exports keep their shape (and their ESM named exports).
  const enumerable = Object.getOwnPropertyDescriptor(target, key)?.enumerable ?? false;
  Object.defineProperty(target, key, { value, writable: false, configurable: false, enumerable });
}

function lockSignals(): void {
  const proc = process as unknown as { _kill: (pid: number, signal: number) => number };
  const rawKill = proc._kill;
  // process.kill validates its arguments, then calls process._kill.
  // The pid as this process started: learner code may redefine process.pid or the global Number later.
  const ownPid = process.pid;
  pin(process, '_kill', (pid: unknown, signal: number) => {
    if (typeof pid !== 'number' || pid !== ownPid)
      throw denied(`sending a signal to process ${String(pid)}`, `process ${String(pid)}`);
    return apply(rawKill, process, [pid, signal]);
  });
  // _debugProcess sends SIGUSR1 to any process: the grader's would open an inspector anyone local could drive,
  // and a program that does not handle it dies. A check has no use for either.
  for (const name of ['_debugProcess', '_debugEnd']) {
    if (name in process)
      pin(process, name, (pid?: unknown) => {
        const who = typeof pid === 'number' ? pid : process.pid;
        throw denied(`debugging process ${who}`, `process ${who}`);
      });
  }
}

/**
 * No connection out, and no server but the service kind's, on the port its
 * check gave it: a child listening elsewhere could take the port a service
 * check running beside it is about to be given (freePort() picks a port that
 * is free only until its server binds it) and answer in its place.
 */
function lockNetwork(listenPort: number | undefined): void {
  const rawListen = net.Server.prototype.listen as (...args: unknown[]) => net.Server;
  pin(net.Server.prototype, 'listen', function listen(this: net.Server, ...args: unknown[]) {
    const port = portOf(args[0]);
    if (listenPort === undefined) throw denied('listening for connections', 'network');
    if (port !== listenPort)
      throw denied(`listening anywhere but on port ${listenPort}, the one this check gave (ctx.port)`, 'network');
    return apply(rawListen, this, args);
  });
  pin(net.Socket.prototype, 'connect', function connect(this: net.Socket, ...args: unknown[]) {
    // net.connect() passes its arguments already normalised, as [options, callback].
    const given = Array.isArray(args[0]) ? (args[0] as unknown[])[0] : args[0];
    const first = given as { path?: string; port?: unknown; host?: string } | string | number | undefined;
    const where =
      typeof first === 'object' && first !== null
        ? (first.path ?? `${first.host ?? 'localhost'}:${String(first.port)}`)
        : String(first);
    throw denied(`connecting to ${where}`, 'network');
  });
  const blockUdp = function blocked(): never {
    throw denied('sending UDP packets', 'network');
  };
  pin(dgram.Socket.prototype, 'send', blockUdp);
  pin(dgram.Socket.prototype, 'connect', blockUdp);
}

/** The TCP port a server.listen() call asks for, or undefined for a pipe, a handle or anything unclear. */
function portOf(first: unknown): number | undefined {
  const given =
    typeof first === 'object' && first !== null
      ? (first as { port?: unknown; path?: unknown; handle?: unknown; fd?: unknown })
      : { port: first };
  if ('path' in given || 'handle' in given || 'fd' in given) return undefined;
  const port =
    typeof given.port === 'string' && apply(regexpTest, /^\d+$/, [given.port]) ? Number(given.port) : given.port;
  return typeof port === 'number' && Number.isInteger(port) && port > 0 ? port : undefined;
}

/** The service kind's server may listen on `localhost`, which net resolves with dns.lookup: answered here, with no query. */
function loopback(hostname: unknown, options: unknown): string | undefined {
  if (typeof hostname !== 'string') return undefined;
  if (net.isIP(hostname)) return hostname;
  if (hostname.toLowerCase() !== 'localhost') return undefined;
  const family = typeof options === 'number' ? options : (options as { family?: unknown } | undefined)?.family;
  return family === 6 || family === 'IPv6' ? '::1' : '127.0.0.1';
}

function lockDns(): void {
  const promises = dns.promises;
  const rawLookup = dns.lookup;
  const rawLookupAsync = promises.lookup;
  const lookup = (hostname: string, ...rest: unknown[]): unknown => {
    const address = loopback(hostname, rest[0]);
    if (address === undefined) throw denied(`looking up ${String(hostname)}`, 'network');
    return (rawLookup as (...args: unknown[]) => unknown)(address, ...rest);
  };
  const lookupAsync = async (hostname: string, ...rest: unknown[]): Promise<unknown> => {
    const address = loopback(hostname, rest[0]);
    if (address === undefined) throw denied(`looking up ${String(hostname)}`, 'network');
    return (rawLookupAsync as (...args: unknown[]) => Promise<unknown>)(address, ...rest);
  };
  const query = (name: string, asynchronous: boolean) => {
    const what = (args: unknown[]): string =>
      `a DNS query (${name}${typeof args[0] === 'string' ? ` ${args[0]}` : ''})`;
    return asynchronous
      ? async (...args: unknown[]): Promise<never> => {
          throw denied(what(args), 'network');
        }
      : (...args: unknown[]): never => {
          throw denied(what(args), 'network');
        };
  };
  // Every method a Resolver has of its own sends a query (getServers and the like are inherited).
  const queries = [
    ...Object.getOwnPropertyNames(dns.Resolver.prototype).filter((key) => key !== 'constructor'),
    'lookupService',
  ];
  // Resolver instances made some other way get nothing from their prototypes either.
  for (const [proto, asynchronous] of [
    [dns.Resolver.prototype, false],
    [promises.Resolver.prototype, true],
  ] as const) {
    for (const key of Object.getOwnPropertyNames(proto))
      if (key !== 'constructor') pin(proto, key, query(key, asynchronous));
  }
  // A function, not an arrow: `new dns.Resolver()` must reach the throw, not fail as "not a constructor".
  const resolver = function Resolver(): never {
    throw denied('a DNS resolver', 'network');
  };
  for (const [target, asynchronous] of [
    [dns, false],
    [promises, true],
  ] as const) {
    for (const key of queries) if (key in target) pin(target, key, query(key, asynchronous));
    pin(target, 'lookup', asynchronous ? lookupAsync : lookup);
    pin(target, 'Resolver', resolver);
    // Node's own setServers rebinds the query functions on the module, which are read-only now.
    pin(target, 'setServers', query('setServers', false));
  }
  // `dns.promises` is a getter; `node:dns/promises` is the same object, now locked.
  pin(dns, 'promises', promises);
  syncBuiltinESMExports();
}

/**
 * The socket classes under net and dgram (`server._handle.constructor`) can
 * connect and send on their own, and a pipe can bind a socket file at any
 * path (the permission model does not check it). Their methods are closed
 * on the classes themselves; a TCP server still binds and listens, on the
 * service kind's port only.
 */
function lockHandles(listenPort: number | undefined): void {
  const quiet = process.noDeprecation;
  process.noDeprecation = true;
  try {
    const server = net.createServer();
    server.listen(0);
    const tcp = (server as unknown as { _handle?: object })._handle;
    server.close();
    const pipe =
      (process.stdout as unknown as { _handle?: object })._handle ??
      (process.stderr as unknown as { _handle?: object })._handle;
    const udpSocket = dgram.createSocket('udp4');
    const udp = (udpSocket as unknown as { _handle?: object })._handle;
    udpSocket.close();
    const close = (handle: object | undefined, methods: string[], what: string): void => {
      const proto = handle ? (Object.getPrototypeOf(handle) as object) : undefined;
      if (!proto) return;
      for (const method of methods) {
        if (typeof (proto as Record<string, unknown>)[method] !== 'function') continue;
        pin(proto, method, function blocked(): never {
          throw denied(what, 'network');
        });
      }
    };
    close(tcp, ['connect', 'connect6', 'open'], 'opening a TCP connection');
    // Binding is listening's first step: only the service kind's port, as net.Server's listen() allows. A
    // handle that listens unbound gets a port from the kernel, so listen() takes only a handle this bind bound
    // (a collision on the port still comes back from listen as EADDRINUSE, as it would unlocked).
    const tcpProto = tcp ? (Object.getPrototypeOf(tcp) as Record<string, unknown>) : undefined;
    const boundToPort = new WeakSet<object>();
    for (const method of ['bind', 'bind6']) {
      const raw = tcpProto?.[method];
      if (typeof raw !== 'function') continue;
      pin(tcpProto!, method, function bind(this: object, ...args: unknown[]) {
        if (listenPort === undefined || args[1] !== listenPort) throw denied('binding a TCP port', 'network');
        const err = apply(raw as (...a: unknown[]) => unknown, this, args);
        if (err === 0) apply(weakSetAdd, boundToPort, [this]);
        return err;
      });
    }
    const rawListen = tcpProto?.listen;
    if (typeof rawListen === 'function') {
      pin(tcpProto!, 'listen', function listen(this: object, ...args: unknown[]) {
        if (!apply(weakSetHas, boundToPort, [this])) throw denied('listening for connections', 'network');
        return apply(rawListen as (...a: unknown[]) => unknown, this, args);
      });
    }
    // A pipe handle's name is a path: pipe "servers" would create socket files outside the permission model.
    if (pipe && pipe.constructor.name === 'Pipe') close(pipe, ['connect', 'bind', 'listen'], 'using a Unix socket');
    close(udp, ['send', 'send6', 'connect', 'connect6', 'bind', 'bind6', 'open'], 'using UDP');
  } finally {
    process.noDeprecation = quiet;
  }
}

/**
 * Places that keep bytes outside what a lesson can weigh (the V8 heap,
 * ArrayBuffers and tensors, child/observe.ts): environment variables live
 * in C memory, a Blob's bytes in Node's, a message posted to a port waits in
 * a native queue, a key object holds its bytes off the heap, and a
 * WebAssembly memory of learner code's own is a buffer no count sees. A
 * lookup of the training data kept there would weigh nothing. The
 * environment becomes a plain object (what is stored in it is heap), and
 * the rest refuse to be made. The backend's own WebAssembly module was
 * instantiated before this runs.
 */
function lockStores(): void {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) if (typeof v === 'string') env[k] = v;
  Object.defineProperty(process, 'env', { value: env, writable: false, configurable: false, enumerable: true });
  const refuse = (name: string) =>
    function refused(): never {
      throw denied(`${name} (it keeps bytes where a check cannot weigh them)`, name);
    };
  const g = globalThis as unknown as Record<string, unknown>;
  for (const name of ['Blob', 'File', 'MessageChannel', 'MessagePort', 'BroadcastChannel']) {
    if (name in g) pin(g, name, refuse(name));
  }
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- the module objects themselves, patched in place for every importer.
  const buffer = require('node:buffer') as Record<string, unknown>;
  for (const name of ['Blob', 'File']) if (name in buffer) pin(buffer, name, refuse(`buffer.${name}`));
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- as above.
  const crypto = require('node:crypto') as Record<string, unknown>;
  for (const name of ['createSecretKey', 'createPrivateKey', 'createPublicKey'])
    if (name in crypto) pin(crypto, name, refuse(`crypto.${name}`));
  const wasm = g.WebAssembly as Record<string, unknown> | undefined;
  if (wasm) {
    for (const name of [
      'Memory',
      'Module',
      'Instance',
      'Table',
      'Global',
      'compile',
      'instantiate',
      'compileStreaming',
      'instantiateStreaming',
      'validate',
    ]) {
      if (name in wasm) pin(wasm, name, refuse(`WebAssembly.${name}`));
    }
  }
  syncBuiltinESMExports();
}

/**
 * A refusal about the channel, marked (child/modules.ts LOCKDOWN_MARK) so the learner reads this message itself
 * rather than the general one about files and the network, which would not explain it.
 */
function channelDenied(what: string): Error {
  const err = denied(what, 'channel');
  (err as unknown as Record<symbol, boolean>)[Symbol.for('mlpath.lockdown')] = true;
  return err;
}

/** What reading the channel's descriptor in any way meets. */
function channelRead(): Error {
  return channelDenied(`reading file descriptor ${CHANNEL_FD}, mlpath's private channel,`);
}

/** Whether `fd` names the channel. Only a number does: every fs and tty function below refuses anything else. */
function isChannel(fd: unknown): boolean {
  return fd === CHANNEL_FD;
}

/**
 * The grader's messages reach the harness over file descriptor 3; the call
 * frames carry what graded code is not shown (review 18: the search
 * objective's whole score table, read by a 'data' listener of learner code's
 * own on the harness's socket). Learner code may still write to the
 * descriptor or close it (the grader reports the channel broken or closed),
 * but not read it, by any route:
 * - the list of the process's open handles, where the harness's socket is;
 * - the fs functions that take a descriptor to read (a ReadStream reads
 *   through fs.read, so a stream made on it fails there);
 * - a new stream on it: a Pipe handle opened on the descriptor (net.Socket
 *   with `fd`, a server listening on it), a tty stream;
 * - the harness's own read path, whose Readable and EventEmitter methods a
 *   submission could swap for the time a chunk passes and put back: the
 *   socket gets them as its own, fixed, properties.
 * Writes keep fs.writeSync, which the harness's writer took before any of this.
 */
function lockChannel(channel: net.Socket | undefined): void {
  for (const name of ['_getActiveHandles', '_getActiveRequests']) {
    if (name in process)
      pin(process, name, function listing(): never {
        throw channelDenied(`listing this process's open handles (one of them is mlpath's private channel)`);
      });
  }
  const files = fs as unknown as Record<string, unknown>;
  // Each of these takes the descriptor (or, for readFile, a path or a descriptor) first.
  for (const name of ['read', 'readSync', 'readv', 'readvSync', 'readFile', 'readFileSync', 'fstat', 'fstatSync']) {
    const raw = files[name];
    if (typeof raw !== 'function') continue;
    pin(files, name, function guarded(this: unknown, ...args: unknown[]): unknown {
      if (isChannel(args[0])) throw channelRead();
      return apply(raw as (...a: unknown[]) => unknown, this, args);
    });
  }
  const rawCreateReadStream = fs.createReadStream as (...args: unknown[]) => fs.ReadStream;
  pin(files, 'createReadStream', function createReadStream(this: unknown, path: unknown, options?: unknown) {
    if (typeof options !== 'object' || options === null) return apply(rawCreateReadStream, this, [path, options]);
    // Read once, as the stream's own copy of the options would: a getter cannot answer one fd here and another there.
    const copy = { ...(options as Record<string, unknown>) };
    if (isChannel(copy.fd)) throw channelRead();
    return apply(rawCreateReadStream, this, [path, copy]);
  });
  const streams = tty as unknown as Record<string, unknown>;
  for (const name of ['ReadStream', 'WriteStream']) {
    const raw = streams[name] as (new (...args: unknown[]) => object) & { prototype: object };
    // A TTY handle opens any descriptor that is not a file, the channel's socket among them, and reads it.
    const guarded = function (this: unknown, fd: unknown, options?: unknown): object {
      if (isChannel(fd)) throw channelRead();
      return construct(raw, [fd, options], new.target ?? raw) as object;
    };
    guarded.prototype = raw.prototype;
    pin(streams, name, guarded);
  }
  syncBuiltinESMExports();
  if (!channel) return;
  // net.Socket({ fd }) and a server's listen({ fd }) both make a Pipe handle and open() the descriptor on it.
  const handle = (channel as unknown as { _handle?: object | null })._handle;
  const pipeProto = handle ? (getPrototypeOf(handle) as Record<string, unknown> | null) : null;
  const rawOpen = pipeProto?.open;
  if (pipeProto && typeof rawOpen === 'function') {
    pin(pipeProto, 'open', function open(this: object, fd: unknown, ...rest: unknown[]): unknown {
      if (isChannel(fd)) throw channelRead();
      return apply(rawOpen as (...a: unknown[]) => unknown, this, [fd, ...rest]);
    });
  }
  // Every method and accessor the socket inherits (Socket, Duplex, Readable, Writable's mixins, EventEmitter)
  // becomes its own and cannot be changed: a chunk on its way in passes through push and emit, and graded code
  // swapping either on a prototype for that moment sees it no more. The same for the Pipe handle under it
  // (readStart, readStop, its onread callback): a swapped handle method would be handed the handle, and
  // through it the socket.
  // Except `write`, which the socket itself replaces when the grader's end closes (writeAfterFIN); writes are
  // the harness writer's, with fs.writeSync, and not what this guards.
  fixInherited(channel, ['write']);
  if (handle) fixInherited(handle, []);
}

/**
 * `target` with every method and accessor it inherits, the nearest definition of each, and its own methods,
 * fixed as non-writable, non-configurable own properties: what prototype methods a submission swaps later no
 * longer reach it. Plain data on prototypes stays where it is, and so do the keys `left` names.
 */
function fixInherited(target: object, left: string[]): void {
  const fixed = new Set<PropertyKey>(left);
  for (let owner: object | null = target; owner && owner !== Object.prototype; owner = getPrototypeOf(owner)) {
    const keys = ownKeys(owner);
    for (let i = 0; i < keys.length; i++) {
      const key = keys[i];
      if (key === 'constructor' || fixed.has(key)) continue;
      fixed.add(key);
      const d = getDescriptor(owner, key)!;
      if ('value' in d && typeof d.value !== 'function') continue;
      if (owner === target && !d.configurable) continue;
      Object.defineProperty(target, key, {
        ...d,
        configurable: false,
        ...('value' in d ? { writable: false } : {}),
      });
    }
  }
}

/**
 * listenPort: the one port a server may listen on (the service kind's); none when undefined. channel: the
 * harness's socket on the grader's channel, opened before this runs.
 */
export function lockDown(options: { listenPort?: number; channel?: net.Socket } = {}): void {
  lockSignals();
  lockChannel(options.channel);
  // First: it listens once itself to reach the TCP handle class, which lockNetwork then refuses.
  lockHandles(options.listenPort);
  lockNetwork(options.listenPort);
  lockDns();
  lockStores();
}

/** TensorFlow ops that read or write files, or load graphs: on the native backend they run where the permission model cannot see. */
const NATIVE_FILE_OPS =
  /File|Reader|Record|Save|Restore|Summary|Checkpoint|Dataset|Immutable|LoadAndRemap|Matching|Shard|Snapshot|Event|Iterator|Lookup.*Table|Print/;

/**
 * The native backend (tfjs-node) executes any TensorFlow op by name
 * (`backend.executeSingleOutput`, `binding.executeOp`) and loads saved
 * models by path, in native code the permission model does not check: ops
 * that touch files and the saved-model loaders are refused on the binding
 * every route goes through. Untested where tfjs-node cannot install.
 */
export function lockNativeBackend(backend: unknown): void {
  const binding = (backend as { binding?: Record<string, unknown> } | null)?.binding;
  if (!binding || typeof binding !== 'object') return;
  const execute = binding.executeOp;
  if (typeof execute === 'function') {
    pin(binding, 'executeOp', function executeOp(this: unknown, name: unknown, ...rest: unknown[]): unknown {
      if (typeof name !== 'string' || apply(regexpTest, NATIVE_FILE_OPS, [name]))
        throw denied(`running the TensorFlow op ${String(name)}`, 'filesystem');
      return apply(execute as (...a: unknown[]) => unknown, this, [name, ...rest]);
    });
  }
  for (const method of ['loadSavedModel', 'runSavedModel', 'getNumOfSavedModels', 'deleteSavedModel']) {
    if (typeof binding[method] === 'function') {
      pin(binding, method, function blocked(): never {
        throw denied('loading a saved TensorFlow model', 'filesystem');
      });
    }
  }
}
