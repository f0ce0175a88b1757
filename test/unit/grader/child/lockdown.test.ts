/**
 * The child's network lockdown, applied in a Node process of its own (never
 * in jest's, which it would lock too) that tries every route out against
 * servers on 127.0.0.1 the test counts connections and queries on, and
 * every route into the grader's private channel, on which the test writes.
 */
import { spawn } from 'node:child_process';
import * as dgram from 'node:dgram';
import * as dns from 'node:dns';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';

const LOCKDOWN = path.resolve(__dirname, '../../../../src/grader/child/lockdown.ts');

const PROBE = `
const lockDown = require('./lockdown.cjs').lockDown;
const [tcpPort, udpPort, listenPort] = process.argv.slice(2).map(Number);
// The service kind's one port (argument 3), or none: then no server may listen.
const net = require('node:net');
const dns = require('node:dns');
// Should a route stay open, its query goes to the test's server, and a
// lookup asks for this machine's own name, which /etc/hosts answers.
const local = '127.0.0.1:' + udpPort;
dns.setServers([local]);
dns.promises.setServers([local]);
const self = require('node:os').hostname();
// The harness's end of the grader's channel, opened as harness.ts opens it; the test writes SECRET to it.
const fs = require('node:fs');
const tty = require('node:tty');
const channel = new net.Socket({ fd: 3, readable: true, writable: true });
let harnessGot = '';
channel.on('data', (chunk) => (harnessGot += chunk));
lockDown({ listenPort: listenPort || undefined, channel });
// Swapped the moment a chunk passes and put back (review 18's integrity check looks only between messages).
let tapped = '';
const EventEmitter = require('node:events');
const { Readable } = require('node:stream');
const rawEmit = EventEmitter.prototype.emit;
const rawPush = Readable.prototype.push;
const rawArrayPush = Array.prototype.push;
EventEmitter.prototype.emit = function (...args) { tapped += String(args[1]); return rawEmit.apply(this, args); };
Readable.prototype.push = function (...args) { tapped += String(args[0]); return rawPush.apply(this, args); };
Object.defineProperty(Array.prototype, '0', { set(v) { tapped += String(v); Object.defineProperty(this, '0', { value: v, writable: true, enumerable: true, configurable: true }); }, configurable: true });
const arrival = new Promise((resolve) => { const wait = () => (harnessGot.includes('SECRET') ? resolve() : setTimeout(wait, 10)); wait(); });
const results = {};
const denied = (e) => {
  for (let c = e, i = 0; c && i < 5; c = c.cause, i++) if (c.code === 'ERR_ACCESS_DENIED') return c.resource || 'denied';
  return 'other: ' + (e && e.message);
};
const attempt = async (name, fn) => {
  try {
    results[name] = 'allowed: ' + JSON.stringify(await fn());
  } catch (e) {
    results[name] = denied(e);
  }
};
const cb = (start) => new Promise((resolve, reject) => start((err, value) => (err ? reject(err) : resolve(value))));
const event = (emitter, ok) => new Promise((resolve, reject) => { emitter.on(ok, resolve); emitter.on('error', reject); });
(async () => {
  // The swaps last until the test's bytes have reached the harness's listener, and no longer.
  await arrival;
  EventEmitter.prototype.emit = rawEmit;
  Readable.prototype.push = rawPush;
  delete Array.prototype[0];
  await attempt('the harness read the channel', () => harnessGot.includes('SECRET'));
  await attempt('prototype methods swapped while a chunk passed', () => tapped.split('SECRET').length - 1);
  await attempt('process._getActiveHandles', () => process._getActiveHandles().length);
  await attempt('process._getActiveRequests', () => process._getActiveRequests().length);
  const buf = () => Buffer.alloc(64);
  await attempt('fs.readSync of fd 3', () => fs.readSync(3, buf()));
  await attempt('fs.read of fd 3', () => cb((done) => fs.read(3, buf(), 0, 64, null, done)));
  await attempt('fs.readvSync of fd 3', () => fs.readvSync(3, [buf()]));
  await attempt('fs.readv of fd 3', () => cb((done) => fs.readv(3, [buf()], done)));
  await attempt('fs.readFileSync of fd 3', () => fs.readFileSync(3));
  await attempt('fs.readFileSync of fd 3 as utf8', () => fs.readFileSync(3, 'utf8'));
  await attempt('fs.readFile of fd 3', () => cb((done) => fs.readFile(3, done)));
  await attempt('fs.promises.readFile of fd 3', () => fs.promises.readFile(3));
  await attempt('fs.fstatSync of fd 3', () => fs.fstatSync(3).size);
  // autoClose: false, so that a refused stream does not close the channel for the routes after it.
  await attempt('fs.createReadStream on fd 3', () => event(fs.createReadStream(null, { fd: 3, autoClose: false }), 'data'));
  let asked = 0;
  // An fd that reads as stdin when checked and as the channel when the stream opens: the stream gets the first.
  await attempt('fs.createReadStream with an fd getter', () => { const s = fs.createReadStream(null, { autoClose: false, get fd() { return asked++ ? 3 : 0; } }); s.destroy(); return s.fd; });
  await attempt('new fs.ReadStream on fd 3', () => event(new fs.ReadStream(null, { fd: 3, autoClose: false }), 'data'));
  await attempt('ESM fs.readSync of fd 3', async () => (await import('node:fs')).readSync(3, buf()));
  await attempt('new net.Socket on fd 3', () => event(new net.Socket({ fd: 3, readable: true }), 'data'));
  await attempt('a Pipe handle opened on fd 3', () => new (process.stdout._handle.constructor)(0).open(3));
  await attempt('new tty.ReadStream on fd 3', () => event(new tty.ReadStream(3), 'data'));
  await attempt('new tty.WriteStream on fd 3', () => new tty.WriteStream(3).isTTY);
  await attempt("replacing the channel socket's emit", () => { channel.emit = () => 'replaced'; return channel.emit('data'); });
  await attempt('fs.writeSync to fd 3', () => fs.writeSync(3, 'x'));
  await attempt('fs.readSync of stdin', () => fs.readSync(0, buf()));
  await attempt('new tty.ReadStream on fd 0', () => new tty.ReadStream(0).isTTY);
  await attempt('dns.setServers', () => dns.setServers([local]));
  await attempt('dns.promises.setServers', () => dns.promises.setServers([local]));
  await attempt('dns.lookup', () => cb((done) => dns.lookup(self, done)));
  await attempt('dns.lookup with options', () => cb((done) => dns.lookup(self, { all: true }, done)));
  await attempt('dns.promises.lookup', () => dns.promises.lookup(self));
  await attempt('dns.resolve4', () => cb((done) => dns.resolve4('labels.mlpath.test', done)));
  await attempt('dns.resolve', () => cb((done) => dns.resolve('labels.mlpath.test', 'TXT', done)));
  await attempt('dns.reverse', () => cb((done) => dns.reverse('127.0.0.2', done)));
  await attempt('dns.lookupService', () => cb((done) => dns.lookupService('127.0.0.1', 22, done)));
  await attempt('dns.Resolver', () => { const r = new dns.Resolver(); r.setServers([local]); return cb((done) => r.resolve4('labels.mlpath.test', done)); });
  await attempt('dns.promises.resolveTxt', () => dns.promises.resolveTxt('labels.mlpath.test'));
  await attempt('dns.promises.reverse', () => dns.promises.reverse('127.0.0.2'));
  await attempt('dns.promises.lookupService', () => dns.promises.lookupService('127.0.0.1', 22));
  await attempt('dns.promises.Resolver', () => { const r = new dns.promises.Resolver(); r.setServers([local]); return r.resolve4('labels.mlpath.test'); });
  await attempt('dns/promises Resolver', () => new (require('node:dns/promises').Resolver)());
  await attempt('ESM dns', async () => (await import('node:dns')).resolve4('labels.mlpath.test', () => undefined));
  await attempt('ESM dns/promises', async () => new (await import('node:dns/promises')).Resolver());
  await attempt('replacing dns.lookup', () => { try { dns.lookup = () => 'replaced'; } catch {} return cb((done) => dns.lookup(self, done)); });
  await attempt('redefining dns.resolve4', () => { Object.defineProperty(dns, 'resolve4', { value: () => 'redefined' }); return dns.resolve4(); });
  await attempt('net.connect', () => event(net.connect(tcpPort, '127.0.0.1'), 'connect'));
  await attempt('http.get', () => event(require('node:http').get('http://127.0.0.1:' + tcpPort + '/'), 'response'));
  await attempt('https.get', () => event(require('node:https').get('https://127.0.0.1:' + tcpPort + '/'), 'response'));
  await attempt('fetch', () => fetch('http://127.0.0.1:' + tcpPort + '/'));
  await attempt('tls.connect', () => event(require('node:tls').connect(tcpPort, '127.0.0.1'), 'secureConnect'));
  await attempt('http2.connect', () => event(require('node:http2').connect('http://127.0.0.1:' + tcpPort), 'connect'));
  await attempt('dgram send', () => cb((done) => require('node:dgram').createSocket('udp4').send('x', udpPort, '127.0.0.1', done)));
  const listen = (port) => new Promise((resolve, reject) => {
    const server = net.createServer().on('error', reject);
    server.listen(port, 'localhost', () => { const { address } = server.address(); server.close(); resolve(address); });
  });
  await attempt('listen on localhost', () => listen(listenPort));
  await attempt('listen on another port', () => listen(0));
  await attempt('listen through http', () => new Promise((resolve, reject) => {
    const server = require('node:http').createServer().on('error', reject);
    server.listen(0, () => { server.close(); resolve('listening'); });
  }));
  await attempt('listen on an unbound TCP handle', () => {
    const handle = new (process.binding('tcp_wrap').TCP)(1);
    return 'listen returned ' + handle.listen(511);
  });
  await attempt('listen with a getsockname of its own', () => {
    const handle = new (process.binding('tcp_wrap').TCP)(1);
    handle.getsockname = (out) => { out.port = listenPort; return 0; };
    return 'listen returned ' + handle.listen(511);
  });
  await attempt('listen with call and apply replaced', () => {
    const TCP = process.binding('tcp_wrap').TCP;
    const call = Function.prototype.call;
    const applyFn = Function.prototype.apply;
    // A call or apply that would report the service's port, or bind somewhere else, had the wrappers used them.
    Function.prototype.call = function (self, out) { if (out && typeof out === 'object') out.port = listenPort; return 0; };
    Function.prototype.apply = function (self, args) { return 0; };
    try {
      return 'listen returned ' + new TCP(1).listen(511);
    } finally {
      Function.prototype.call = call;
      Function.prototype.apply = applyFn;
    }
  });
  await attempt('a signal to the parent with process.pid and Number redefined', () => {
    const RealNumber = Number;
    globalThis.Number = () => process.pid;
    try {
      Object.defineProperty(process, 'pid', { value: process.ppid, configurable: true });
    } catch {}
    try {
      return process._kill(process.ppid, 0);
    } finally {
      globalThis.Number = RealNumber;
    }
  });
  await attempt('_debugProcess of the parent', () => process._debugProcess(process.ppid));
  await attempt('bind a TCP handle of its own', () => {
    const handle = new (process.binding('tcp_wrap').TCP)(1);
    const err = handle.bind('127.0.0.1', 0);
    return 'bind returned ' + err;
  });
  await attempt('dns.lookup of localhost', () => cb((done) => dns.lookup('localhost', done)));
  process.stdout.write(JSON.stringify(results));
})();
`;

interface Probe {
  results: Record<string, string>;
  connections: number;
  queries: number;
}

let probe: Probe;
/** The same probe with no port given, as every kind but the service kind runs. */
let closed: Probe;

beforeAll(async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mlpath-lockdown-'));
  const esbuild = await import('esbuild');
  await esbuild.build({
    entryPoints: [LOCKDOWN],
    outfile: path.join(dir, 'lockdown.cjs'),
    bundle: true,
    platform: 'node',
    format: 'cjs',
    logLevel: 'silent',
  });
  fs.writeFileSync(path.join(dir, 'probe.cjs'), PROBE);
  let connections = 0;
  let queries = 0;
  const tcp = net.createServer((socket) => {
    connections++;
    socket.destroy();
  });
  const udp = dgram.createSocket('udp4').on('message', () => queries++);
  await new Promise<void>((resolve) => tcp.listen(0, '127.0.0.1', resolve));
  await new Promise<void>((resolve) => udp.bind(0, '127.0.0.1', resolve));
  const free = net.createServer();
  await new Promise<void>((resolve) => free.listen(0, '127.0.0.1', resolve));
  const listenPort = (free.address() as net.AddressInfo).port;
  await new Promise<void>((resolve) => free.close(() => resolve()));
  const run = (ports: string[]): Promise<string> =>
    new Promise<string>((resolve, reject) => {
      const child = spawn(process.execPath, [path.join(dir, 'probe.cjs'), ...ports], {
        cwd: dir,
        stdio: ['ignore', 'pipe', 'inherit', 'pipe'],
      });
      // A probe that died early is reported by its missing results, not by this write.
      (child.stdio[3] as NodeJS.WritableStream).on('error', () => undefined).write('SECRET of the grader');
      let out = '';
      child.stdout?.on('data', (d) => (out += d));
      child.on('error', reject);
      child.on('close', () => resolve(out));
    });
  try {
    const ports = [(tcp.address() as net.AddressInfo).port, udp.address().port].map(String);
    probe = {
      results: JSON.parse(await run([...ports, String(listenPort)])) as Record<string, string>,
      connections,
      queries,
    };
    closed = { results: JSON.parse(await run(ports)) as Record<string, string>, connections, queries };
  } finally {
    tcp.close();
    udp.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test.each([
  'dns.lookup',
  'dns.lookup with options',
  'dns.promises.lookup',
  'dns.resolve4',
  'dns.resolve',
  'dns.reverse',
  'dns.lookupService',
  'dns.Resolver',
  'dns.promises.resolveTxt',
  'dns.promises.reverse',
  'dns.promises.lookupService',
  'dns.promises.Resolver',
  'dns/promises Resolver',
  'dns.setServers',
  'dns.promises.setServers',
  'ESM dns',
  'ESM dns/promises',
  'replacing dns.lookup',
  'net.connect',
  'http.get',
  'https.get',
  'fetch',
  'tls.connect',
  'http2.connect',
  'dgram send',
])('%s is refused as network access', (route) => {
  expect(probe.results[route]).toBe('network');
});

test('no signal, and no SIGUSR1 through _debugProcess, reaches another process', () => {
  expect(probe.results['a signal to the parent with process.pid and Number redefined']).toMatch(/^process \d+$/);
  expect(probe.results['_debugProcess of the parent']).toMatch(/^process \d+$/);
});

test('the harness itself still reads the channel, and writes to it stay open', () => {
  expect(probe.results['the harness read the channel']).toBe('allowed: true');
  expect(probe.results['fs.writeSync to fd 3']).toBe('allowed: 1');
  expect(probe.results['fs.readSync of stdin']).toBe('allowed: 0');
  expect(probe.results['new tty.ReadStream on fd 0']).toMatch(/^other: /);
  // The options are read once, and the stream is made from what was checked.
  expect(probe.results['fs.createReadStream with an fd getter']).toBe('allowed: 0');
});

/** Every way the probe tries to read the grader's channel (file descriptor 3) or reach the harness's socket on it. */
const CHANNEL_READS = [
  'process._getActiveHandles',
  'process._getActiveRequests',
  'fs.readSync of fd 3',
  'fs.read of fd 3',
  'fs.readvSync of fd 3',
  'fs.readv of fd 3',
  'fs.readFileSync of fd 3',
  'fs.readFileSync of fd 3 as utf8',
  'fs.readFile of fd 3',
  'fs.fstatSync of fd 3',
  'fs.createReadStream on fd 3',
  'new fs.ReadStream on fd 3',
  'ESM fs.readSync of fd 3',
  'new net.Socket on fd 3',
  'a Pipe handle opened on fd 3',
  'new tty.ReadStream on fd 3',
  'new tty.WriteStream on fd 3',
];

test.each(CHANNEL_READS)("%s is refused: the grader's channel is mlpath's alone", (route) => {
  expect(probe.results[route]).toBe('channel');
  expect(closed.results[route]).toBe('channel');
});

test("prototype methods swapped while a chunk passes see nothing of the channel, and the socket's own cannot be replaced", () => {
  expect(probe.results['prototype methods swapped while a chunk passed']).toBe('allowed: 0');
  // The probe is sloppy-mode code: the assignment fails silently and the socket's own emit answers.
  expect(probe.results["replacing the channel socket's emit"]).toBe('allowed: true');
});

test('fs.promises.readFile takes no descriptor number at all', () => {
  expect(probe.results['fs.promises.readFile of fd 3']).toMatch(/^other: /);
});

test('the replacements cannot be redefined', () => {
  expect(probe.results['redefining dns.resolve4']).toMatch(/^other: Cannot redefine property/);
});

test('nothing reached the local servers', () => {
  expect(probe.connections).toBe(0);
  expect(probe.queries).toBe(0);
});

test("the service kind's server may still listen on localhost, on its port, answered without a query", () => {
  expect(probe.results['listen on localhost']).toBe('allowed: "127.0.0.1"');
  expect(probe.results['dns.lookup of localhost']).toBe('allowed: "127.0.0.1"');
});

/** Every way the probe tries to listen anywhere but on the service's port. */
const OTHER_LISTENS = [
  'listen on another port',
  'listen through http',
  'bind a TCP handle of its own',
  'listen on an unbound TCP handle',
  'listen with a getsockname of its own',
  'listen with call and apply replaced',
];

test.each(OTHER_LISTENS)('%s is refused: a server there could take the port a check beside it is given', (route) => {
  expect(probe.results[route]).toBe('network');
});

test('with no port given, no server listens at all', () => {
  for (const route of ['listen on localhost', ...OTHER_LISTENS]) expect(closed.results[route]).toBe('network');
  expect(closed.connections + closed.queries).toBe(0);
});

test('the process that ran the lockdown elsewhere is untouched', async () => {
  const { address } = await dns.promises.lookup('localhost', { family: 4 });
  expect(address).toBe('127.0.0.1');
  expect(Object.getOwnPropertyDescriptor(dns, 'lookup')?.writable).not.toBe(false);
});
