import * as fs from 'node:fs';
import * as path from 'node:path';
import { DatasetError } from '../../../src/errors';
import { loadDataset, loadHoldout, replaceTest, splitDataset, type LoadedDataset } from '../../../src/datasets';
import { makeDataset } from '../../../src/datasets/dataset';
import { tempDir, useTempCache } from './helpers';

useTempCache();

let dir: string;
let iris: LoadedDataset;
let boston: LoadedDataset;
const textLike = makeDataset({
  id: 'spam',
  features: new Float32Array(0),
  featureShape: [0],
  labels: Float32Array.from([0]),
  texts: ['x'],
  classNames: ['ham', 'spam'],
});
const imageLike = makeDataset({
  id: 'img',
  features: new Float32Array(2 * 2 * 2),
  featureShape: [2, 2],
  labels: Float32Array.from([0, 1]),
  classNames: ['a', 'b'],
});

beforeAll(async () => {
  dir = tempDir();
  iris = await loadDataset('iris');
  boston = await loadDataset('boston');
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

function write(name: string, content: string): string {
  const file = path.join(dir, name);
  fs.writeFileSync(file, content);
  return file;
}

const IRIS_HEADER = 'sepal_length_cm,sepal_width_cm,petal_length_cm,petal_width_cm,label';

function errorOf(fn: () => unknown): DatasetError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(DatasetError);
    return err as DatasetError;
  }
  throw new Error('expected a DatasetError');
}

describe('CSV holdout', () => {
  it('reads features and labels given as class names or indices', () => {
    const file = write(
      'iris.csv',
      `${IRIS_HEADER}\n5.1,3.5,1.4,0.2,setosa\n6.3, 3.3 ,6.0,2.5,2\r\n\n7.0,3.2,4.7,1.4,versicolor\n`,
    );
    const ds = loadHoldout(file, iris);
    expect(ds.n).toBe(3);
    expect(ds.id).toBe('iris');
    expect(ds.featureShape).toEqual([4]);
    expect(Array.from(ds.labels)).toEqual([0, 2, 1]);
    expect(Array.from(ds.features.subarray(4, 8))).toEqual([6.3, 3.3, 6.0, 2.5].map(Math.fround));
    expect(ds.classNames).toEqual(iris.classNames);
    expect(ds.fingerprint).toMatch(/^[0-9a-f]{64}$/);
  });

  it('reads regression targets as numbers', () => {
    const header = [...boston.featureNames!, 'label'].join(',');
    const row = Array.from(boston.features.subarray(0, 13)).join(',');
    const ds = loadHoldout(write('boston.csv', `${header}\n${row},24.5\n`), boston);
    expect(Array.from(ds.labels)).toEqual([24.5]);
  });

  it('reads quoted texts with commas, quotes and line breaks for text datasets', () => {
    const file = write('spam.csv', 'text,label\n"Subject: hi, you\nline two ""quoted""",spam\nplain,0\n');
    const ds = loadHoldout(file, textLike);
    expect(ds.texts).toEqual(['Subject: hi, you\nline two "quoted"', 'plain']);
    expect(Array.from(ds.labels)).toEqual([1, 0]);
    expect(ds.features).toHaveLength(0);
  });

  it.each([
    ['a header not ending in label', 'a,b,c,d,species\n1,2,3,4,setosa\n', /:1: the last column must be 'label'/],
    ['the wrong number of columns', 'a,b,label\n1,2,setosa\n', /:1: header has 3 columns, expected 5 columns/],
    [
      'features in another order',
      'sepal_width_cm,sepal_length_cm,petal_length_cm,petal_width_cm,label\n',
      /:1: column 1 must be 'sepal_length_cm'/,
    ],
    ['a short row', `${IRIS_HEADER}\n5.1,3.5,1.4,0.2,setosa\n5.1,3.5,1.4,setosa\n`, /:3: 4 fields, expected 5/],
    [
      'a non-numeric feature',
      `${IRIS_HEADER}\n5.1,3.5,1.4,0.2,setosa\n5.1,abc,1.4,0.2,setosa\n`,
      /:3: field 'sepal_width_cm' is not a number: "abc"/,
    ],
    ['an empty feature', `${IRIS_HEADER}\n5.1,,1.4,0.2,setosa\n`, /:2: field 'sepal_width_cm' is not a number/],
    [
      'an unknown class',
      `${IRIS_HEADER}\n5.1,3.5,1.4,0.2,rose\n`,
      /:2: field 'label': label "rose" is neither a class index 0..2 nor one of setosa, versicolor, virginica/,
    ],
    ['a class index out of range', `${IRIS_HEADER}\n5.1,3.5,1.4,0.2,3\n`, /:2: field 'label'/],
    ['no rows', `${IRIS_HEADER}\n`, /no examples/],
    ['an empty file', '', /empty file/],
    ['an unclosed quote', `${IRIS_HEADER}\n"5.1,3.5,1.4,0.2,setosa\n`, /:2: a quoted field is never closed/],
  ])('names the line and field for %s', (_, content, message) => {
    const file = write('bad.csv', content);
    const err = errorOf(() => loadHoldout(file, iris));
    expect(err.message).toMatch(message);
    expect(err.message).toContain(file);
  });
});

describe('JSON holdout', () => {
  it('reads flat and nested feature rows', () => {
    const file = write(
      'img.json',
      JSON.stringify({
        features: [
          [
            [0, 0.5],
            [1, 0.25],
          ],
          [1, 2, 3, 4],
        ],
        labels: ['b', 0],
      }),
    );
    const ds = loadHoldout(file, imageLike);
    expect(Array.from(ds.features)).toEqual([0, 0.5, 1, 0.25, 1, 2, 3, 4]);
    expect(Array.from(ds.labels)).toEqual([1, 0]);
    expect(ds.featureShape).toEqual([2, 2]);
  });

  it('reads texts for text datasets', () => {
    const ds = loadHoldout(write('t.json', JSON.stringify({ texts: ['a', 'b'], labels: [1, 'ham'] })), textLike);
    expect(ds.texts).toEqual(['a', 'b']);
    expect(Array.from(ds.labels)).toEqual([1, 0]);
  });

  it('chooses the format by content when the extension says nothing', () => {
    const ds = loadHoldout(write('holdout.data', JSON.stringify({ features: [[1, 2, 3, 4]], labels: [0] })), iris);
    expect(ds.n).toBe(1);
  });

  it.each([
    ['invalid JSON', '{\n  "features": [[1,2,3,4]],\n  "labels": [0,]\n}', /not valid JSON: line 3/],
    ['an array document', '[]', /expected an object/],
    ['missing labels', '{"features": [[1,2,3,4]]}', /:labels: missing, or not an array/],
    ['missing features', '{"labels": [0]}', /:features: missing, or not an array/],
    ['more rows than labels', '{"features": [[1,2,3,4],[1,2,3,4]], "labels": [0]}', /2 rows but 1 labels/],
    ['a short row', '{"features": [[1,2,3,4],[1,2,3]], "labels": [0, 1]}', /:features\[1\]: 3 numbers, expected 4/],
    [
      'a string feature',
      '{"features": [[1,2,"3",4]], "labels": [0]}',
      /:features\[0\]: must be an array of finite numbers/,
    ],
    ['a bad label', '{"features": [[1,2,3,4]], "labels": [null]}', /:labels\[0\]: label null/],
  ])('rejects %s with a DatasetError naming the field', (_, content, message) => {
    const file = write('bad.json', content);
    expect(errorOf(() => loadHoldout(file, iris)).message).toMatch(message);
  });

  it('says so when the file does not exist', () => {
    expect(errorOf(() => loadHoldout(path.join(dir, 'missing.csv'), iris)).message).toMatch(/holdout file not found/);
  });
});

describe('holdout replacing the test split', () => {
  it('becomes the test set, and a holdout copied from training rows shows as overlap', () => {
    const split = splitDataset(iris, { seed: 1, test: 0.2 });
    const fresh = loadHoldout(
      write(
        'fresh.json',
        JSON.stringify({
          features: [
            [9, 9, 9, 9],
            [8, 8, 8, 8],
          ],
          labels: [0, 1],
        }),
      ),
      iris,
    );
    const replaced = replaceTest(split, fresh);
    expect(replaced.test).toBe(fresh);
    expect(replaced.train).toBe(split.train);
    expect(replaced.report.trainTestOverlap).toBe(0);

    const leaked = Array.from({ length: 3 }, (_, i) => Array.from(split.train.features.subarray(i * 4, i * 4 + 4)));
    const copied = loadHoldout(write('copied.json', JSON.stringify({ features: leaked, labels: [0, 0, 0] })), iris);
    expect(replaceTest(split, copied).report.trainTestOverlap).toBe(3);
  });
});
