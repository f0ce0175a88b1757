/**
 * Keeps what learner code prints without letting a flood hang or bloat the
 * grader: the head and the tail are kept, the middle is counted and dropped.
 * Terminal control sequences are dropped too, so printed output cannot
 * redraw the verdict mlpath shows around it.
 */

/** `text` without terminal control sequences and control characters; newlines and tabs stay. */
export function printable(text: string): string {
  return text
    .replace(/\u001b\[[0-?]*[ -/]*[@-~]|\u001b\][^\u0007\u001b]*(?:\u0007|\u001b\\)?|\u001b[@-_]?/g, '')
    .replace(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/g, '');
}

/**
 * `text` without the report Node prints when V8 runs out of heap ("<--- Last few GCs --->", "FATAL ERROR: ... heap
 * out of memory", the native frames): it is the runtime's, not the learner's, and the grader says it in one line.
 * The report is the last thing a dying process prints, so everything from its first line on is dropped.
 */
export function withoutCrashDump(text: string): string {
  const m = /^.*(<--- Last few GCs --->|<--- JS stacktrace --->|FATAL ERROR: |----- Native stack trace -----).*$/m.exec(
    text,
  );
  return m ? text.slice(0, m.index).replace(/\s+$/, '\n') : text;
}

export class OutputCapture {
  private head = '';
  private tail = '';
  private total = 0;

  constructor(
    private readonly headMax = 4096,
    private readonly tailMax = 16384,
  ) {}

  push(chunk: Buffer | string): void {
    const text = typeof chunk === 'string' ? chunk : chunk.toString('utf8');
    this.total += Buffer.byteLength(text);
    if (this.head.length < this.headMax) {
      const room = this.headMax - this.head.length;
      this.head += text.slice(0, room);
      if (text.length <= room) return;
      this.tail += text.slice(room);
    } else {
      this.tail += text;
    }
    if (this.tail.length > this.tailMax * 2) this.tail = this.tail.slice(-this.tailMax);
  }

  get bytes(): number {
    return this.total;
  }

  text(): string {
    const tail = this.tail.length > this.tailMax ? this.tail.slice(-this.tailMax) : this.tail;
    const dropped = this.total - Buffer.byteLength(this.head) - Buffer.byteLength(tail);
    if (dropped > 0)
      return withoutCrashDump(printable(`${this.head}\n[... ${dropped} bytes of output not shown ...]\n${tail}`));
    return withoutCrashDump(printable(this.head + tail));
  }
}
