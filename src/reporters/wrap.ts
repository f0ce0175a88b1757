/**
 * Folding prose to a terminal's width at spaces, so a long message reads as
 * lines rather than as whatever the terminal's own wrap makes of it. Words
 * longer than the width (a path, a URL) stay whole.
 */

const ANSI = /\x1b\[[0-9;]*m/g;

/** Columns a string takes on a terminal: its characters less colour codes. */
export function visibleWidth(text: string): number {
  return [...text.replace(ANSI, '')].length;
}

/** The words of `text`, split at spaces; a span in backticks (a command to copy) stays one word. */
function words(text: string): string[] {
  const out: string[] = [];
  let open: string | undefined;
  for (const part of text.split(' ')) {
    const ticks = part.split('`').length - 1;
    if (open !== undefined) {
      open = `${open} ${part}`;
      if (ticks % 2 === 1) {
        out.push(open);
        open = undefined;
      }
    } else if (ticks % 2 === 1) open = part;
    else out.push(part);
  }
  if (open !== undefined) out.push(open);
  return out;
}

/** `text` folded to `width` columns: the first line starts with `first`, the others with `rest`. */
export function foldLines(text: string, width: number, first = '', rest = first): string[] {
  const lines: string[] = [];
  let line = first;
  let empty = true;
  for (const word of words(text)) {
    if (empty) {
      // A continuation line never starts with the blanks that padded a column.
      if (word === '' && lines.length) continue;
      line += word;
      empty = false;
    } else if (visibleWidth(`${line} ${word}`) > width) {
      lines.push(line.trimEnd());
      line = rest;
      empty = word === '';
      line += word;
    } else line = `${line} ${word}`;
  }
  lines.push(line);
  return lines;
}

/** `text` folded to `width` columns; lines after the first start with `indent`. */
export function fold(text: string, width: number, indent = '  '): string {
  return foldLines(text, width, '', indent).join('\n');
}

/**
 * Every line of `text` that is wider than `width`, folded: its continuation lines are indented two past the
 * line's own indent, so a long table row or message still reads as one item. Narrower lines are unchanged.
 */
export function fitToWidth(text: string, width: number): string {
  return text
    .split('\n')
    .map((line) => {
      if (visibleWidth(line) <= width) return line;
      const indent = /^ */.exec(line)![0];
      const rest = indent.length + 2 < width / 2 ? `${indent}  ` : '  ';
      return foldLines(line.slice(indent.length), width, indent, rest).join('\n');
    })
    .join('\n');
}
