/**
 * Learner code against the private channel and the network lockdown (issue
 * 12): bytes on file descriptor 3 break the check at once, whatever they
 * announce, and no name lookup leaves the learner process. The built CLI, on
 * the fast iris fixture course.
 */
import * as dgram from 'node:dgram';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { checkReportSchema } from '../../src/grader/result';
import {
  harnessProcesses,
  makeWorkspace,
  parseReport,
  runCli,
  runCliAsync,
  submit,
  type JsonResult,
} from '../helpers/cli';

const EXERCISE = 'm1/iris';

let ws: string;
beforeAll(() => {
  ws = makeWorkspace({ course: true });
});

afterAll(() => {
  expect(harnessProcesses()).toEqual([]);
});

function exerciseDir(): string {
  return path.join(ws, ...EXERCISE.split('/'));
}

/** Puts `submission` in place as the exercise's only code file, plus `files` beside it. */
function place(submission: string, files: Record<string, string> = {}): void {
  const dir = exerciseDir();
  for (const f of fs.readdirSync(dir)) if (/\.[cm]?[jt]s$|\.txt$|\.json$/.test(f)) fs.rmSync(path.join(dir, f));
  submit(ws, EXERCISE, submission);
  for (const [name, text] of Object.entries(files)) fs.writeFileSync(path.join(dir, name), text);
}

function resultOf(stdout: string): JsonResult {
  const report = parseReport(stdout);
  expect(checkReportSchema.safeParse(report).success).toBe(true);
  return report.results[0];
}

function check(submission: string): JsonResult {
  place(submission);
  return resultOf(runCli(['check', EXERCISE, '--json'], ws).stdout);
}

describe('the private channel', () => {
  test('a 1 GiB frame announced by learner code is refused, not buffered', () => {
    const result = check('adv-channel-huge-frame.ts');
    expect(result.status).toBe('error');
    expect(result.error?.kind).toBe('runtime');
    expect(result.error?.message).toMatch(/private channel \(file descriptor 3\)/);
  });

  test("a lone 4-byte header breaks the check at once instead of swallowing the harness's messages until the budget ends", () => {
    const result = check('adv-channel-lone-header.ts');
    expect(result.status).toBe('error');
    expect(result.error?.kind).toBe('runtime');
    expect(result.error?.message).toMatch(/private channel \(file descriptor 3\)/);
    expect(result.error?.message).not.toMatch(/budget/);
  });
});

/*
 * The bundler refuses `node:dns` by name and the child's module loader by
 * request, before the lockdown of dns itself (unit-tested in
 * test/unit/grader/child/lockdown.test.ts) is reached: whichever stops it,
 * the learner hears about the network block and no query leaves.
 */
describe('servers', () => {
  test("a child that is not a service check cannot listen on a port (it could take a service check's port)", () => {
    const result = check('adv-listen-squat.ts');
    expect(result.error?.kind).toBe('runtime');
    expect(result.error?.message).toMatch(/\(network\)/);
  });
});

describe('builtins replaced for a moment', () => {
  test('replacing Function.prototype.call or Set.prototype.has hands learner code neither the loader nor vm', () => {
    const result = check('adv-builtin-tamper.ts');
    // Pinned before learner code loads (child/integrity.ts): the first swap throws, and is refused at its line.
    expect(result.error?.kind).toBe('forbidden-api');
    expect(result.error?.message).toMatch(
      /^graded code tried to replace JavaScript's built-in Function\.prototype\.call;/,
    );
    expect(result.error?.line).toBe(12);
    expect(result.error?.message).not.toMatch(/ESCAPED/);
  });
});

describe('name lookups', () => {
  test('a dns.promises.Resolver query is refused and none reaches its server', async () => {
    let queries = 0;
    const server = dgram.createSocket('udp4');
    server.on('message', () => queries++);
    await new Promise<void>((resolve) => server.bind(0, '127.0.0.1', resolve));
    try {
      place('adv-dns-resolver.ts', { 'port.txt': String(server.address().port) });
      const run = await runCliAsync(['check', EXERCISE, '--json'], ws);
      const result = resultOf(run.stdout);
      expect(result.error?.kind).toBe('runtime');
      expect(result.error?.message).toMatch(/the network/);
      expect(queries).toBe(0);
    } finally {
      server.close();
    }
  });

  test('dns.lookup is refused, and mlpath goes on grading', () => {
    const refused = check('adv-dns-lookup.ts');
    expect(refused.error?.kind).toBe('runtime');
    expect(refused.error?.message).toMatch(/the network/);
    const honest = check('iris-pass.ts');
    expect(honest.error).toBeNull();
    expect(honest.status).toBe('passed');
  });
});

describe('storage the model size does not weigh', () => {
  test('Blob, File, message ports, key objects and WebAssembly memories are refused; the environment is a plain object', () => {
    const result = check('adv-offheap-stores.ts');
    expect(result.error?.kind).toBe('runtime');
    const outcome = /stores (.*)/.exec(result.error?.message ?? '')?.[1] ?? '';
    expect(outcome.split(' ')).toEqual([
      'Blob:refused',
      'File:refused',
      'MessageChannel:refused',
      'BroadcastChannel:refused',
      'bufferBlob:refused',
      'secretKey:refused',
      'wasmMemory:refused',
      'env:plain',
    ]);
  });
});

test('--timeout past the longest budget is a usage error, not a check that times out at once', () => {
  place('iris-pass.ts');
  const run = runCli(['check', EXERCISE, '--timeout', '3000000'], ws);
  expect(run.code).toBe(2);
  expect(run.stderr).toMatch(/--timeout must be at most 86400 seconds/);
});
