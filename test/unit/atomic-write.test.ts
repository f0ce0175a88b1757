import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { writeFileAtomic, writeJsonAtomic } from '../../src/atomic-write';
import { processAlive } from '../../src/process-alive';
import { countStatuses } from '../../src/grader/result';

describe('writeFileAtomic', () => {
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mlpath-atomic-'));
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('creates the folder, replaces the file and leaves no temporary file', () => {
    const file = path.join(dir, 'a', 'b', 'x.json');
    writeJsonAtomic(file, { n: 1 });
    writeJsonAtomic(file, { n: 2 });
    expect(fs.readFileSync(file, 'utf8')).toBe('{\n  "n": 2\n}\n');
    expect(fs.readdirSync(path.dirname(file))).toEqual(['x.json']);
  });

  it('removes its temporary file and rethrows when the rename fails', () => {
    const target = path.join(dir, 'taken');
    fs.mkdirSync(path.join(target, 'inside'), { recursive: true });
    expect(() => writeFileAtomic(target, 'text')).toThrow();
    expect(fs.readdirSync(dir)).toEqual(['taken']);
  });
});

describe('processAlive', () => {
  it('is true for this process and false for a pid that cannot exist', () => {
    expect(processAlive(process.pid)).toBe(true);
    expect(processAlive(2 ** 30)).toBe(false);
  });
});

describe('countStatuses', () => {
  it('counts each status once', () => {
    const statuses = ['passed', 'error', 'failed', 'passed', 'error', 'error'] as const;
    expect(countStatuses(statuses.map((status) => ({ status })))).toEqual({ passed: 2, failed: 1, errors: 3 });
  });
});
