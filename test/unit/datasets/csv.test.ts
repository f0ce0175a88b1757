/**
 * The CSV reader over csv-parse: records keep the line they start on (also
 * after quoted fields that span lines with CRLF, which csv-parse itself
 * miscounts), and syntax errors name the line of the record.
 */
import { CsvSyntaxError, parseCsv } from '../../../src/datasets/csv';

function syntaxError(text: string): CsvSyntaxError {
  try {
    parseCsv(text);
  } catch (err) {
    expect(err).toBeInstanceOf(CsvSyntaxError);
    return err as CsvSyntaxError;
  }
  throw new Error('parsed without an error');
}

describe('parseCsv', () => {
  it('reads quoted fields, doubled quotes and rows of any length, skipping blank lines', () => {
    expect(parseCsv('\ufeffa,"b ""c"""\n\n1,,3\n"x,y"\n')).toEqual([
      { line: 1, fields: ['a', 'b "c"'] },
      { line: 3, fields: ['1', '', '3'] },
      { line: 4, fields: ['x,y'] },
    ]);
  });

  it.each([
    ['LF', '\n'],
    ['CRLF', '\r\n'],
    ['CR', '\r'],
  ])('numbers records by the line they start on with %s line ends and multi-line fields', (_name, eol) => {
    const text = ['h1,h2', '', '"multi', 'line",2', '3,4', '', '', '5,"é"'].join(eol);
    expect(parseCsv(text)).toEqual([
      { line: 1, fields: ['h1', 'h2'] },
      { line: 3, fields: [`multi${eol}line`, '2'] },
      { line: 5, fields: ['3', '4'] },
      { line: 8, fields: ['5', 'é'] },
    ]);
  });

  it('names the line of the record that breaks the syntax', () => {
    expect(syntaxError('a,b\n"x\ny",1\n"5.1,3\n')).toMatchObject({
      line: 4,
      message: 'a quoted field is never closed',
    });
    expect(syntaxError('a,b\r\n"x\r\ny",1\r\nx"y,1\r\n')).toMatchObject({
      line: 4,
      message: expect.stringMatching(/^a quote inside an unquoted field/),
    });
    expect(syntaxError('a,b\n"x"y,1\n')).toMatchObject({
      line: 2,
      message: 'unexpected character after a closing quote',
    });
  });
});
