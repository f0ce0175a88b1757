/**
 * CSV files (instructors' holdout rows) read with csv-parse: RFC 4180, fields
 * optionally in double quotes (a quote inside is doubled), quoted fields may
 * span lines, blank lines skipped, rows of any length (the callers report a
 * wrong column count with the line). Every record remembers the line it
 * starts on, for error messages.
 *
 * Lines are counted here from the byte offset where each record starts
 * rather than taken from csv-parse's `info.lines`: csv-parse 7.0 counts a
 * CRLF inside a quoted field as two lines, so every later line number would
 * be off by one (measured).
 */
import { CsvError, parse } from 'csv-parse/sync';

export interface CsvRecord {
  line: number;
  fields: string[];
}

export class CsvSyntaxError extends Error {
  constructor(
    readonly line: number,
    message: string,
  ) {
    super(message);
  }
}

const CR = 0x0d;
const LF = 0x0a;

/** Line numbers of byte offsets, read forwards once: offsets must not decrease. */
class LineCounter {
  private at = 0;
  private line = 1;

  constructor(private readonly bytes: Buffer) {}

  /** The line a record starting at `offset` begins on: blank lines before it are skipped, as csv-parse skips them. */
  recordStart(offset: number): number {
    while (this.at < offset) this.step();
    while (this.at < this.bytes.length && (this.bytes[this.at] === CR || this.bytes[this.at] === LF)) this.step();
    return this.line;
  }

  /** One byte, or a CRLF as one line break. */
  private step(): void {
    const c = this.bytes[this.at];
    if (c === CR) {
      this.line++;
      this.at += this.bytes[this.at + 1] === LF ? 2 : 1;
    } else {
      if (c === LF) this.line++;
      this.at++;
    }
  }
}

/** csv-parse's error codes in the words mlpath's messages use. */
const MESSAGES: Partial<Record<string, string>> = {
  CSV_QUOTE_NOT_CLOSED: 'a quoted field is never closed',
  INVALID_OPENING_QUOTE: 'a quote inside an unquoted field (quote the whole field and double the inner quotes)',
  CSV_INVALID_CLOSING_QUOTE: 'unexpected character after a closing quote',
  CSV_NON_TRIMABLE_CHAR_AFTER_CLOSING_QUOTE: 'unexpected character after a closing quote',
};

export function parseCsv(text: string): CsvRecord[] {
  const bytes = Buffer.from(text, 'utf8');
  // Where each record ends (csv-parse's byte count after it): the next one starts there.
  const ends: number[] = [];
  let rows: string[][];
  try {
    rows = parse(bytes, {
      bom: true,
      record_delimiter: ['\r\n', '\n', '\r'],
      relax_column_count: true,
      skip_empty_lines: true,
      on_record: (record: string[], context) => {
        ends.push(context.bytes);
        return record;
      },
    });
  } catch (err) {
    if (!(err instanceof CsvError)) throw err;
    // The failing record starts where the last good one ended.
    const line = new LineCounter(bytes).recordStart(ends.at(-1) ?? 0);
    throw new CsvSyntaxError(line, MESSAGES[err.code] ?? err.message);
  }
  const lines = new LineCounter(bytes);
  return rows.map((fields, i) => ({ line: lines.recordStart(i === 0 ? 0 : ends[i - 1]), fields }));
}
