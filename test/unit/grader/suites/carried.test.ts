/**
 * The size of what the grader carries from one learner call to the next is
 * measured as the channel sends it (V8's serializer), and a value over the
 * cap ends the check as invalid output.
 */
import { serialize } from 'node:v8';
import { capCarried, carriedBytes, formatBytes } from '../../../../src/grader/suites/carried';
import { InvalidOutputError } from '../../../../src/grader/predictions';

describe('carried values', () => {
  it('measures a value as the channel frames it', () => {
    const state = { counts: [1, 2, 3], pending: { a: 0.5 }, text: 'x'.repeat(5000) };
    expect(carriedBytes(state)).toBe(serialize(state).length);
    expect(carriedBytes(new Float64Array(1000))).toBeGreaterThan(8000);
    // A function cannot be sent back at all: no cap fits it.
    expect(carriedBytes({ f: () => 1 })).toBe(Infinity);
  });

  it('formats sizes in the units a learner reads', () => {
    expect(formatBytes(512)).toBe('512 bytes');
    expect(formatBytes(9246)).toBe('9.0 KB');
    expect(formatBytes(20 * 1024 * 1024)).toBe('20.0 MB');
  });

  it('throws invalid output over the cap only, naming what, its size, the cap and what to keep', () => {
    expect(() => capCarried('x'.repeat(100), 1000, 'the state', 'keep counts')).not.toThrow();
    let thrown: unknown;
    try {
      capCarried('x'.repeat(5000), 1000, 'the state at tick 3', 'keep counts');
    } catch (err) {
      thrown = err;
    }
    expect(thrown).toBeInstanceOf(InvalidOutputError);
    expect((thrown as Error).message).toBe(
      'the state at tick 3 takes 4.9 KB, more than the 1000 bytes the grader carries from one call to the next: keep counts',
    );
  });
});
