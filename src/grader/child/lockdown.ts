/**
 * What the permission model of Node 20 leaves open, closed from inside the
 * child before learner code loads: signals to other processes (the grader
 * itself: SIGKILL would orphan this process, SIGSTOP would freeze the check)
 * and outbound network connections (the public copies of a dataset, with
 * their labels, are a download away). Listening stays allowed: the service
 * kind's learner server must accept the grader's requests. The originals
 * are kept only in this closure, and the replacements cannot be removed.
 */
import * as dgram from 'node:dgram';
import * as net from 'node:net';

function denied(what: string, resource: string): Error {
  const err = new Error(`${what} is blocked during a check`) as NodeJS.ErrnoException & { resource?: string };
  err.code = 'ERR_ACCESS_DENIED';
  err.resource = resource;
  return err;
}

function pin(target: object, key: string, value: unknown): void {
  Object.defineProperty(target, key, { value, writable: false, configurable: false, enumerable: false });
}

function lockSignals(): void {
  const proc = process as unknown as { _kill: (pid: number, signal: number) => number };
  const rawKill = proc._kill.bind(process);
  // process.kill validates its arguments, then calls process._kill.
  pin(process, '_kill', (pid: number, signal: number) => {
    if (Number(pid) !== process.pid) throw denied(`sending a signal to process ${pid}`, `process ${pid}`);
    return rawKill(pid, signal);
  });
}

function lockNetwork(): void {
  pin(net.Socket.prototype, 'connect', function connect(this: net.Socket, ...args: unknown[]) {
    const first = args[0] as { path?: string; port?: unknown; host?: string } | string | number | undefined;
    const where = typeof first === 'object' && first !== null
      ? first.path ?? `${first.host ?? 'localhost'}:${String(first.port)}`
      : String(first);
    throw denied(`connecting to ${where}`, 'network');
  });
  const blockUdp = function blocked(): never {
    throw denied('sending UDP packets', 'network');
  };
  pin(dgram.Socket.prototype, 'send', blockUdp);
  pin(dgram.Socket.prototype, 'connect', blockUdp);
}

export function lockDown(): void {
  lockSignals();
  lockNetwork();
}
