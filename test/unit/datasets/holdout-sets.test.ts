/**
 * Holdouts for a whole course: a folder keyed by exercise id, a bundle of
 * one, or one file (refused for several datasets), resolved before anything
 * is graded; and holdout files made from an instructor's own CSV or from a
 * dataset, which read back exactly as grading reads them.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { DatasetError } from '../../../src/errors';
import { loadDataset, loadHoldout, type LoadedDataset } from '../../../src/datasets';
import { holdoutCsv, holdoutFromCsv, holdoutHeader, openHoldouts } from '../../../src/datasets/holdout';
import { info } from '../../../src/commands/data';
import { tempDir, useTempCache } from './helpers';

useTempCache();

let dir: string;
let iris: LoadedDataset;
const IRIS_ROWS =
  'sepal_length_cm,sepal_width_cm,petal_length_cm,petal_width_cm,label\n5.1,3.5,1.4,0.2,setosa\n6.3,3.3,6.0,2.5,virginica\n';
const targets = [
  { key: 'week1/iris', dataset: { id: 'iris' } },
  { key: 'week1/houses', dataset: { id: 'boston' } },
  { key: 'week1/tensors' },
];

beforeAll(async () => {
  dir = tempDir();
  iris = await loadDataset('iris');
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

function write(rel: string, content: string): string {
  const file = path.join(dir, rel);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, content);
  return file;
}

test('a folder keyed by exercise id: each exercise its own file, a missing one warned about, a no-dataset exercise none', () => {
  write('folder/week1/iris.csv', IRIS_ROWS);
  const set = openHoldouts(path.join(dir, 'folder'), targets);
  expect(set.fileFor(targets[0])).toBe(path.join(dir, 'folder', 'week1', 'iris.csv'));
  expect(set.fileFor(targets[1])).toBeUndefined();
  expect(set.fileFor(targets[2])).toBeUndefined();
  expect(set.warnings).toEqual([
    `no holdout for week1/houses in ${path.join(dir, 'folder')}: graded on the built-in test split`,
  ]);
  expect(loadHoldout(set.fileFor(targets[0])!, iris).n).toBe(2);
  write('twice/week1/iris.csv', IRIS_ROWS);
  write('twice/week1/iris.json', '{}');
  expect(() => openHoldouts(path.join(dir, 'twice'), targets)).toThrow(/two holdouts for week1\/iris/);
  fs.mkdirSync(path.join(dir, 'empty'));
  expect(() => openHoldouts(path.join(dir, 'empty'), targets)).toThrow(/holds no \.csv or \.json/);
});

test('a bundle carries the same in one file; an entry is read by `<bundle>#<id>`', () => {
  const bundle = write(
    'bundle.json',
    JSON.stringify({ mlpathHoldouts: 1, holdouts: { 'week1/iris': { format: 'csv', content: IRIS_ROWS } } }),
  );
  const set = openHoldouts(bundle, targets);
  expect(set.fileFor(targets[0])).toBe(`${bundle}#week1/iris`);
  const test = loadHoldout(set.fileFor(targets[0])!, iris);
  expect(Array.from(test.labels)).toEqual([0, 2]);
  expect(() => loadHoldout(`${bundle}#week9/none`, iris)).toThrow(/has no entry 'week9\/none'/);
  const bad = write('bad-bundle.json', JSON.stringify({ mlpathHoldouts: 1, holdouts: { x: { content: 1 } } }));
  expect(() => openHoldouts(bad, targets)).toThrow(DatasetError);
});

test('one file: every exercise with a dataset, unless the course has several datasets', () => {
  const one = write('one.csv', IRIS_ROWS);
  expect(
    openHoldouts(
      one,
      targets.filter((t) => t.key !== 'week1/houses'),
    ).fileFor(targets[0]),
  ).toBe(one);
  expect(() => openHoldouts(one, targets)).toThrow(/one holdout file .* for exercises on 2 datasets \(iris, boston\)/);
  expect(() => openHoldouts(path.join(dir, 'nowhere.csv'), targets)).toThrow(/does not exist/);
});

test("from an instructor's CSV: columns by name in any order, extras ignored, labels checked with the source line", () => {
  const text =
    'id,species,petal_width_cm,petal_length_cm,sepal_width_cm,sepal_length_cm,note\n1,setosa,0.2,1.4,3.5,5.1,"a, b"\n2,2,2.5,6.0,3.3,6.3,x\n';
  const table = holdoutFromCsv(text, iris, 'mine.csv', { label: 'species' });
  expect(table.ignored).toEqual(['id', 'note']);
  const out = write('made.csv', `${[table.header, ...table.rows].join('\n')}\n`);
  expect(fs.readFileSync(out, 'utf8')).toBe(IRIS_ROWS);
  expect(() => holdoutFromCsv('sepal_length_cm,label\n1,setosa\n', iris, 'short.csv')).toThrow(
    /short\.csv:1: no column for 'sepal_width_cm'/,
  );
  expect(() => holdoutFromCsv(text.replace('1,setosa', '1,tulip'), iris, 'mine.csv', { label: 'species' })).toThrow(
    /mine\.csv:2: field 'species': label "tulip"/,
  );
  expect(() => holdoutFromCsv(text.replace('0.2,1.4', 'n/a,1.4'), iris, 'mine.csv', { label: 'species' })).toThrow(
    /mine\.csv:2: field 'petal_width_cm' is not a number/,
  );
});

test('from a dataset: its rows as a CSV that reads back to the same values; data info names the features and the header', async () => {
  const back = loadHoldout(write('all.csv', holdoutCsv(iris)), iris);
  expect(back.n).toBe(iris.n);
  expect(Array.from(back.features)).toEqual(Array.from(iris.features));
  expect(Array.from(back.labels)).toEqual(Array.from(iris.labels));
  expect(holdoutHeader(iris)).toEqual([
    'sepal_length_cm',
    'sepal_width_cm',
    'petal_length_cm',
    'petal_width_cm',
    'label',
  ]);
  const described = await info('iris');
  expect(described.features).toEqual(['sepal_length_cm', 'sepal_width_cm', 'petal_length_cm', 'petal_width_cm']);
  expect(described.holdoutHeader).toBe('sepal_length_cm,sepal_width_cm,petal_length_cm,petal_width_cm,label');
});
