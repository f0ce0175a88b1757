import { invalidJsonPosition } from '../../../src/datasets/json-position';

describe('invalidJsonPosition', () => {
  it.each([
    '{}',
    '[]',
    '0',
    '-1.5e+3',
    '"a\\"b\\u00e9\\n"',
    'true',
    ' null ',
    '{"features": [[1, 2.5, -3e-2]], "labels": ["a", 0, false]}',
    JSON.stringify({ deep: [[[{ x: 'y' }]]], s: 'é ✓ \t' }),
  ])('accepts what JSON.parse accepts: %s', (text) => {
    expect(() => JSON.parse(text)).not.toThrow();
    expect(invalidJsonPosition(text)).toBeUndefined();
  });

  it.each([
    ['{\n  "a": [0,]\n}', 2, 11],
    ['{"a": 1,}', 1, 9],
    ['[1 2]', 1, 4],
    ['{\n"a": tru}', 2, 6],
    ['{"a": "x\ny"}', 1, 9],
    ['[01]', 1, 3],
    ['{"a": 1} x', 1, 10],
    ['"\\q"', 1, 3],
    ['', 1, 1],
  ])('locates the first error in %j', (text, line, column) => {
    expect(() => JSON.parse(text)).toThrow();
    expect(invalidJsonPosition(text)).toEqual({ line, column });
  });
});
