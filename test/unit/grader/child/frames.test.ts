/**
 * The child's frames cannot be read or forged by learner code in its process,
 * and the grader refuses a message too large to validate before validating it.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { childMarker, FrameDecoder } from '../../../../src/grader/channel';
import { frameWriter } from '../../../../src/grader/child/writer';
import { recordBuiltins } from '../../../../src/grader/child/integrity';
import { shapeProblem } from '../../../../src/grader/runner';

describe('frameWriter', () => {
  test('writes frames the grader decodes, through no method learner code can wrap', () => {
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'mlpath-frames-')), 'out');
    const fd = fs.openSync(file, 'w');
    const marker = childMarker('secret-token');
    const seen: unknown[] = [];
    // eslint-disable-next-line @typescript-eslint/unbound-method -- a static that uses no `this`, kept to put back
    const concat = Buffer.concat;
    const write = fs.writeSync;
    Buffer.concat = (list: Uint8Array[], n?: number) => {
      seen.push(list);
      return concat(list, n);
    };
    try {
      frameWriter(fd, marker)({ type: 'trained', token: 'secret-token', seconds: 1 });
    } finally {
      Buffer.concat = concat;
      fs.closeSync(fd);
    }
    expect(seen).toEqual([]);
    expect(fs.writeSync).toBe(write);
    const messages = new FrameDecoder(marker).push(fs.readFileSync(file));
    expect(messages).toEqual([{ type: 'trained', token: 'secret-token', seconds: 1 }]);
  });
});

describe('recordBuiltins', () => {
  test('names a replaced built-in, and ignores new properties and Math.random', () => {
    const integrity = recordBuiltins();
    expect(integrity.changed()).toBeUndefined();
    const random = Math.random;
    const originalPush = Array.prototype.push;
    (Array.prototype as unknown as Record<string, unknown>).mlpathExtra = 1;
    Math.random = () => 0.5;
    expect(integrity.changed()).toBeUndefined();
    Array.prototype.push = function push(...items: unknown[]) {
      return originalPush.apply(this, items);
    };
    try {
      expect(integrity.changed()).toBe('Array.prototype.push');
    } finally {
      Array.prototype.push = originalPush;
      Math.random = random;
      delete (Array.prototype as unknown as Record<string, unknown>).mlpathExtra;
    }
    expect(integrity.changed()).toBeUndefined();
  });
});

describe('shapeProblem', () => {
  test('refuses a huge sparse array and deep nesting, accepts real messages', () => {
    const sparse: unknown[] = [];
    sparse.length = 2 ** 32 - 1;
    expect(shapeProblem({ type: 'exports', names: sparse })).toMatch(/an array of 4294967295 elements/);
    let deep: unknown = 1;
    for (let i = 0; i < 40; i++) deep = { deep };
    expect(shapeProblem({ type: 'result', value: deep })).toMatch(/nested more than/);
    expect(
      shapeProblem({ type: 'predictions', tensor: { values: new Float32Array(100000), shape: [10000, 10] } }),
    ).toBeUndefined();
  });
});
