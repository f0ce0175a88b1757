/**
 * The built-ins pinned by child/integrity.ts, in a Node process of its own (pinning jest's would pin the test
 * runner too): what a strict-mode attempt on each kind of owner meets and how noteAttempt names it, what stays
 * writable and why, that Node's lazily loaded modules still work, and that a timer loop swapping a built-in
 * while the probe awaits never gets one in.
 */
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

const INTEGRITY = path.resolve(__dirname, '../../../../src/grader/child/integrity.ts');

const PROBE = `'use strict';
const { recordBuiltins } = require('./integrity.cjs');
const integrity = recordBuiltins();
integrity.pin();
const results = {};
// What an attempt throws, and what noteAttempt makes of it.
const attempt = (name, fn) => {
  try {
    fn();
    results[name] = 'allowed';
  } catch (e) {
    results[name] = integrity.noteAttempt(e) ?? 'not noted: ' + e.message;
  }
};
const TYPED = Object.getPrototypeOf(Float32Array.prototype);
attempt('Map.prototype.get', () => { Map.prototype.get = function get() { return 1; }; });
attempt('the same value again', () => { const s = TYPED.set; TYPED.set = s; });
attempt('defineProperty on JSON', () => Object.defineProperty(JSON, 'stringify', { value: () => '{}' }));
attempt('an inherited static', () => { Float32Array.from = () => new Float32Array(0); });
attempt('a global constructor', () => { globalThis.Float32Array = Int8Array; });
attempt('a getter added to Object.prototype', () => Object.defineProperty(Object.prototype, 'reliance', { get() { return 1; } }));
attempt('an index setter on Array.prototype', () => Object.defineProperty(Array.prototype, '0', { set() {} }));
attempt("a frozen object's own key", () => { const o = Object.freeze({}); o.added = 1; });
attempt('Math.random', () => { const r = Math.random; Math.random = () => 0.5; Math.random = r; });
attempt('Error.prepareStackTrace', () => { Error.prepareStackTrace = undefined; });
attempt('a method on a subclass instance', () => { const e = new (require('node:events'))(); e.emit = () => true; });
results.attempted = integrity.attempted();
results.changedAfterAttempts = integrity.changed() ?? 'none';
// Left writable (V8's fast paths), and still compared.
const filter = Array.prototype.filter;
Array.prototype.filter = function filter() { return []; };
results.changedArray = integrity.changed() ?? 'none';
Array.prototype.filter = filter;
// Node's modules loaded after the pin assign methods on their own prototypes (streams, http).
const http = require('node:http');
const server = http.createServer((req, res) => res.end('ok'));
server.listen(0, '127.0.0.1', async () => {
  const { port } = server.address();
  results.http = await new Promise((resolve) => http.get({ port, host: '127.0.0.1' }, (res) => {
    let body = '';
    res.on('data', (d) => (body += d)).on('end', () => resolve(body));
  }));
  server.close();
  // A timer loop that swaps Map.prototype.get back and forth while this code awaits, as graded code's could
  // while the grader's does: at each resumption the built-in is the one recorded.
  const get = Map.prototype.get;
  let made = 0;
  let refused = 0;
  let running = true;
  const other = function get(key) { return key; };
  const spin = () => {
    try {
      Map.prototype.get = Map.prototype.get === get ? other : get;
      made++;
    } catch {
      refused++;
    }
    if (running) setImmediate(spin);
  };
  setImmediate(spin);
  let seen = 0;
  for (let i = 0; i < 200; i++) {
    await new Promise((resolve) => setImmediate(resolve));
    if (Map.prototype.get !== get) seen++;
  }
  running = false;
  results.loop = { made, seen, refusedSome: refused > 0 };
  process.stdout.write(JSON.stringify(results));
});
`;

let results: Record<string, unknown>;

beforeAll(async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mlpath-integrity-'));
  const esbuild = await import('esbuild');
  await esbuild.build({
    entryPoints: [INTEGRITY],
    outfile: path.join(dir, 'integrity.cjs'),
    bundle: true,
    platform: 'node',
    format: 'cjs',
    logLevel: 'silent',
  });
  fs.writeFileSync(path.join(dir, 'probe.cjs'), PROBE);
  const out = await new Promise<string>((resolve, reject) => {
    const child = spawn(process.execPath, [path.join(dir, 'probe.cjs')], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve(stdout) : reject(new Error(`probe exited ${code}: ${stderr}`))));
  });
  results = JSON.parse(out) as Record<string, unknown>;
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('pin', () => {
  test('a write or a definition on a pinned built-in throws, and is named with its owner', () => {
    expect(results['Map.prototype.get']).toBe("replace JavaScript's built-in Map.prototype.get");
    // Even the value it holds: a "restore" is refused like the swap.
    // V8 describes %TypedArray%.prototype as any object, so the candidates with that key are all named.
    expect(results['the same value again']).toMatch(/^replace JavaScript's built-in .*TypedArray\.prototype\.set$/);
    expect(results['defineProperty on JSON']).toBe("replace JavaScript's built-in JSON.stringify");
    expect(results['an inherited static']).toBe("replace JavaScript's built-in Float32Array.from");
    expect(results['a global constructor']).toBe("replace JavaScript's built-in globalThis.Float32Array");
  });

  test('the owners are closed to new keys: a getter on Object.prototype, an index on Array.prototype', () => {
    expect(results['a getter added to Object.prototype']).toBe(
      "add 'reliance' to one of JavaScript's built-in objects",
    );
    expect(results['an index setter on Array.prototype']).toBe("add '0' to one of JavaScript's built-in objects");
  });

  test("a learner's own frozen object is not taken for a built-in", () => {
    expect(results["a frozen object's own key"]).toMatch(/^not noted: Cannot add property added/);
  });

  test("Error.prepareStackTrace, Node's own, is pinned: no hook of graded code runs as the grader reads a stack", () => {
    expect(results['Error.prepareStackTrace']).toBe("replace JavaScript's built-in Error.prepareStackTrace");
  });

  test('Math.random and methods set on EventEmitter instances stay open; Node loads http after the pin', () => {
    expect(results['Math.random']).toBe('allowed');
    expect(results['a method on a subclass instance']).toBe('allowed');
    expect(results.http).toBe('ok');
  });

  test('the first attempt is kept, and nothing changed', () => {
    expect(results.attempted).toBe("replace JavaScript's built-in Map.prototype.get");
    expect(results.changedAfterAttempts).toBe('none');
  });

  test('Array.prototype, left writable for V8, is still compared', () => {
    expect(results.changedArray).toBe('Array.prototype.filter');
  });

  test('a timer loop swapping a pinned built-in while code awaits never gets one in', () => {
    expect(results.loop).toEqual({ made: 0, seen: 0, refusedSome: true });
  });
});
