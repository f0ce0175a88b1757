/**
 * Whether a process id is running on this machine, for locks and run folders
 * whose owner may have been killed (kill -9 runs no cleanup).
 */

/** Signal 0 checks without signalling; EPERM means alive, but another user's. */
export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
