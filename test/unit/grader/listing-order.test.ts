/** The folder-listing orders of other file systems, as the data-versioning suite presents them. */
import { LISTING_ORDERS, orderNames, walkOrder } from '../../../src/grader/listing-order';

const NAMES = ['iris.csv', 'README.md', 'boston'];
const PATHS = ['README.md', 'boston/NOTES', 'boston/test.csv', 'boston/train.csv', 'iris.csv'];

test('each order is the one its file system gives', () => {
  expect(orderNames(NAMES, 'sorted')).toEqual(['README.md', 'boston', 'iris.csv']);
  expect(orderNames(NAMES, 'ntfs')).toEqual(['boston', 'iris.csv', 'README.md']);
  expect(orderNames(NAMES, 'reverse')).toEqual(['iris.csv', 'boston', 'README.md']);
  expect(orderNames(NAMES, 'hashed', 7).sort()).toEqual([...NAMES].sort());
  expect(orderNames(NAMES, 'hashed', 7)).toEqual(orderNames([...NAMES].reverse(), 'hashed', 7));
});

test('a walk lists each folder in the order and meets the files depth first', () => {
  expect(walkOrder(PATHS, 'sorted')).toEqual(PATHS);
  expect(walkOrder(PATHS, 'ntfs')).toEqual([
    'boston/NOTES',
    'boston/test.csv',
    'boston/train.csv',
    'iris.csv',
    'README.md',
  ]);
  expect(walkOrder(PATHS, 'reverse')).toEqual([
    'iris.csv',
    'boston/train.csv',
    'boston/test.csv',
    'boston/NOTES',
    'README.md',
  ]);
  for (const order of LISTING_ORDERS) expect([...walkOrder(PATHS, order, 3)].sort()).toEqual(PATHS);
});

test('a plain sort of the paths is not always a walk of sorted folders', () => {
  // '-' sorts before '/': a sorted manifest and a walk of sorted listings part ways.
  const paths = ['data/a.csv', 'data-notes.txt'];
  expect([...paths].sort()).toEqual(['data-notes.txt', 'data/a.csv']);
  expect(walkOrder(paths, 'sorted')).toEqual(['data/a.csv', 'data-notes.txt']);
});
