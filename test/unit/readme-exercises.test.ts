/**
 * The README's exercise table maps every exercise of the shipped curriculum
 * to the article's topic: an exercise added without its row fails here.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parse } from 'yaml';

const ROOT = path.join(__dirname, '..', '..');

test('every exercise of the shipped curriculum has a row in the README table', () => {
  const curriculum = parse(fs.readFileSync(path.join(ROOT, 'curriculum', 'curriculum.yaml'), 'utf8')) as {
    months: { id: string; exercises: { id: string }[] }[];
  };
  const readme = fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8');
  const rows = new Set([...readme.matchAll(/^\| \d \| `([^`]+)` \|/gm)].map((m) => m[1]));
  const ids = curriculum.months.flatMap((m) => m.exercises.map((e) => `${m.id}/${e.id}`));
  expect(ids.filter((id) => !rows.has(id))).toEqual([]);
  expect([...rows].filter((id) => !ids.includes(id))).toEqual([]);
});
