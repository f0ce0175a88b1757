import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { openCommand, openFile } from '../../../src/cli/open';

test('the opener of each platform', () => {
  expect(openCommand('/r.html', 'linux')).toEqual({ command: 'xdg-open', args: ['/r.html'] });
  expect(openCommand('/r.html', 'darwin')).toEqual({ command: 'open', args: ['/r.html'] });
  expect(openCommand('C:\\r.html', 'win32')).toEqual({ command: 'cmd', args: ['/c', 'start', '""', 'C:\\r.html'] });
});

describe('openFile on a machine without a desktop', () => {
  test('a missing opener is an answer, not an exception', async () => {
    const env = { PATH: fs.mkdtempSync(path.join(os.tmpdir(), 'mlpath-empty-path-')) };
    await expect(openFile('/nowhere.html', 'linux', env)).resolves.toEqual({
      ok: false,
      reason: 'xdg-open is not installed',
    });
  });

  test('an opener that fails says how it failed; one that succeeds is reported', async () => {
    const bin = fs.mkdtempSync(path.join(os.tmpdir(), 'mlpath-fake-open-'));
    fs.writeFileSync(path.join(bin, 'xdg-open'), '#!/bin/sh\nexit 3\n', { mode: 0o755 });
    const env = { PATH: bin };
    await expect(openFile('/nowhere.html', 'linux', env)).resolves.toEqual({
      ok: false,
      reason: 'xdg-open exited with code 3',
    });
    fs.writeFileSync(path.join(bin, 'xdg-open'), '#!/bin/sh\nexit 0\n', { mode: 0o755 });
    await expect(openFile('/nowhere.html', 'linux', env)).resolves.toEqual({ ok: true, command: 'xdg-open' });
  });
});
