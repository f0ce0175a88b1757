/**
 * The worker thread of coach/typecheck.ts: answers each request with the
 * type issues of one exercise, from the cache or reusing the last program of
 * each workspace.
 */
import { parentPort } from 'node:worker_threads';
import { typeCheckCached, type TypeCheckRequest, type TypeIssue } from './typecheck';

parentPort?.on('message', (msg: { id: number; req: TypeCheckRequest }) => {
  let issues: TypeIssue[] = [];
  try {
    issues = typeCheckCached(msg.req);
  } catch {
    // a compiler crash costs the warnings, never the check
  }
  parentPort?.postMessage({ id: msg.id, issues });
});
