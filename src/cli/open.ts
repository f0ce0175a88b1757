/**
 * Opens a file with the desktop's default application (`report --open`).
 * Headless machines, containers and SSH sessions have no such thing, so a
 * failure is an answer to print, never an exception.
 */
import { spawn } from 'node:child_process';

export type OpenResult = { ok: true; command: string } | { ok: false; reason: string };

export function openCommand(
  file: string,
  platform: NodeJS.Platform = process.platform,
): { command: string; args: string[] } {
  if (platform === 'darwin') return { command: 'open', args: [file] };
  // `start` is a cmd builtin; its first quoted argument is a window title.
  if (platform === 'win32') return { command: 'cmd', args: ['/c', 'start', '""', file] };
  return { command: 'xdg-open', args: [file] };
}

export function openFile(
  file: string,
  platform: NodeJS.Platform = process.platform,
  env: NodeJS.ProcessEnv = process.env,
): Promise<OpenResult> {
  const { command, args } = openCommand(file, platform);
  return new Promise((resolve) => {
    let child;
    try {
      child = spawn(command, args, { stdio: 'ignore', detached: true, env });
    } catch (err) {
      resolve({ ok: false, reason: `${command}: ${(err as Error).message}` });
      return;
    }
    child.once('error', (err: NodeJS.ErrnoException) => {
      resolve({
        ok: false,
        reason: err.code === 'ENOENT' ? `${command} is not installed` : `${command}: ${err.message}`,
      });
    });
    // xdg-open exits non-zero at once when no browser is configured; a
    // browser it launched keeps running, so a quiet second means success.
    const settle = setTimeout(() => {
      child.unref();
      resolve({ ok: true, command });
    }, 1000);
    child.once('exit', (code) => {
      clearTimeout(settle);
      resolve(code === 0 ? { ok: true, command } : { ok: false, reason: `${command} exited with code ${code}` });
    });
  });
}
