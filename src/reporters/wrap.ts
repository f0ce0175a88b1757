/**
 * Folding prose to a terminal's width at spaces, so a long message reads as
 * lines rather than as whatever the terminal's own wrap makes of it. Words
 * longer than the width (a path, a URL) stay whole.
 */

/** `text` folded to `width` columns: the first line starts with `first`, the others with `rest`. */
export function foldLines(text: string, width: number, first = '', rest = first): string[] {
  const lines: string[] = [];
  let line = first;
  let empty = true;
  for (const word of text.split(' ')) {
    if (!empty && [...`${line} ${word}`].length > width) {
      lines.push(line);
      line = `${rest}${word}`;
    } else {
      line = empty ? `${line}${word}` : `${line} ${word}`;
      empty = false;
    }
  }
  lines.push(line);
  return lines;
}

/** `text` folded to `width` columns; lines after the first start with `indent`. */
export function fold(text: string, width: number, indent = '  '): string {
  return foldLines(text, width, '', indent).join('\n');
}
