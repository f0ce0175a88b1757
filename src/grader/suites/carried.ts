/**
 * A size cap on what a learner's code returns that the grader hands back to
 * it in a later call: a monitor's state (month4/monitoring), chained tick by
 * tick, and the capstone's model and registry, handed to later stages. Without a cap such a value grows without bound and only the time
 * budget ends the check, with gigabytes held (issue: a 20 MB state per tick
 * reached the 60 s timeout at about 2.5 GB resident); with it the check stops
 * at the first value too large and says how large, the cap and what to keep.
 */
import { serialize } from 'node:v8';
import { InvalidOutputError } from '../predictions';

/**
 * The bytes `value` takes between the grader and the child: the channel frames every message with V8's
 * serializer (channel.ts), so this is what one more call would carry. A value that does not serialize cannot
 * be carried at all, so it counts as unbounded.
 */
export function carriedBytes(value: unknown): number {
  try {
    return serialize(value).length;
  } catch {
    return Infinity;
  }
}

export function formatBytes(bytes: number): string {
  if (!Number.isFinite(bytes)) return 'a value that cannot be sent back';
  if (bytes < 1024) return `${bytes} bytes`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}

/**
 * Ends the check, as invalid output, when `value` (named by `what`, e.g. "the state update returned at stream 2,
 * tick 7") takes more than `cap` bytes; `keep` says what belongs in it instead. It throws rather than fail one
 * case, since every later call would carry the value again: the grader stops at once instead of holding it.
 */
export function capCarried(value: unknown, cap: number, what: string, keep: string): void {
  const bytes = carriedBytes(value);
  if (bytes > cap)
    throw new InvalidOutputError(
      `${what} takes ${formatBytes(bytes)}, more than the ${formatBytes(cap)} the grader carries from one call to the next: ${keep}`,
    );
}
