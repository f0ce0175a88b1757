import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { useColor } from '../../../src/cli/output';
import { folderProblem } from '../../../src/cli/wizard';

test('colour only on a terminal, and never with NO_COLOR or TERM=dumb', () => {
  const tty = { isTTY: true } as NodeJS.WriteStream;
  const pipe = { isTTY: false } as NodeJS.WriteStream;
  expect(useColor(tty, {})).toBe(true);
  expect(useColor(pipe, {})).toBe(false);
  expect(useColor(tty, { NO_COLOR: '1' })).toBe(false);
  expect(useColor(tty, { TERM: 'dumb' })).toBe(false);
});

test('the wizard refuses a file, or a folder inside another workspace', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mlpath-wizard-unit-'));
  fs.writeFileSync(path.join(dir, 'file'), '');
  fs.mkdirSync(path.join(dir, 'ws', 'sub'), { recursive: true });
  fs.writeFileSync(path.join(dir, 'ws', 'mlpath.json'), '{}');
  expect(folderProblem(dir, 'new')).toBeUndefined();
  expect(folderProblem(dir, 'file')).toMatch(/is not a folder/);
  expect(folderProblem(dir, 'ws/sub')).toMatch(/is inside the workspace/);
  expect(folderProblem(dir, 'ws')).toBeUndefined();
});
