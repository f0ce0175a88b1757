import * as path from 'node:path';
import { UsageError } from '../../../src/errors';
import { findExercise, loadCurriculum } from '../../../src/curriculum';
import { closest, editDistance } from '../../../src/curriculum/find';

const curriculum = loadCurriculum(path.resolve(__dirname, '../../fixtures/curricula/valid.yaml'));

function usageErrorFor(key: string): UsageError {
  try {
    findExercise(curriculum, key);
  } catch (err) {
    expect(err).toBeInstanceOf(UsageError);
    return err as UsageError;
  }
  throw new Error(`'${key}' was found`);
}

describe('findExercise', () => {
  it('returns the exercise for a known key', () => {
    const found = findExercise(curriculum, 'month2/search');
    expect(found.key).toBe('month2/search');
    expect(found.track).toBe('nlp');
  });

  it('suggests only the keys close enough to be the typo', () => {
    const error = usageErrorFor('month1/linaer');
    expect(error.message).toBe("unknown exercise 'month1/linaer'. Did you mean: month1/linear?");
    expect(error.hint).toBe('mlpath status lists every exercise');
    expect(error.exitCode).toBe(2);
  });

  it('finds the key for a misspelt bare exercise id', () => {
    expect(usageErrorFor('serch').message).toMatch(/Did you mean: month2\/search, month2\/serve\?/);
  });

  it('suggests the right month for an exercise filed under the wrong one', () => {
    expect(usageErrorFor('month1/search').message).toMatch(/Did you mean: month2\/search\?/);
  });

  it('suggests nothing when nothing is close', () => {
    expect(usageErrorFor('month9/quantum').message).toBe("unknown exercise 'month9/quantum'.");
  });

  it.each([
    ['serve', 'month2/serve'],
    ['SEARCH', 'month2/search'],
    ['month1/lin', 'month1/linear'],
    ['ten', 'month1/tensors'],
    ['month2/se', undefined],
  ])('resolves the bare id or unique prefix %s', (typed, key) => {
    if (key) expect(findExercise(curriculum, typed).key).toBe(key);
    else expect(usageErrorFor(typed).message).toBe("'month2/se' could be month2/search, month2/serve: which one?");
  });
});

describe('editDistance', () => {
  it.each([
    ['', '', 0],
    ['abc', '', 3],
    ['kitten', 'sitting', 3],
    ['mnist', 'mnsit', 1],
    ['mnist', 'mnist', 0],
  ])('%s -> %s is %d', (a, b, d) => {
    expect(editDistance(a, b)).toBe(d);
    expect(editDistance(b, a)).toBe(d);
  });
});

describe('closest', () => {
  it('keeps the original order between equally close candidates and honours the limit', () => {
    expect(closest('ab', ['ax', 'xb', 'ab', 'zz'], 3)).toEqual(['ab', 'ax', 'xb']);
    expect(closest('x', [], 3)).toEqual([]);
  });
});
