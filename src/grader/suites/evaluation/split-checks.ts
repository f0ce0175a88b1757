/**
 * Checks of a learner's `split(rows, labels, groups, opts)`: every row in
 * exactly one part, rows that must stay together on one side, part sizes and
 * class shares within the slack that blocks of rows allow, and seeds that
 * decide the split. Each returns undefined or what was wrong.
 */
import { linkedUnits } from '../../../datasets';
import { describeValue, EPS, fmt } from './messages';
import { PARTS, type Part, type SplitIndices, type SplitOptions, type Table } from './types';

/** The three index lists, checked to be arrays of row indices in 0..n-1; a string says what was wrong. */
export function readSplit(value: unknown, n: number): SplitIndices | string {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    return `expected { train, val, test } arrays of row indices, got ${describeValue(value)}`;
  }
  const obj = value as Record<string, unknown>;
  const out: Partial<SplitIndices> = {};
  for (const part of PARTS) {
    const list = obj[part];
    if (!Array.isArray(list)) return `\`${part}\` must be an array of row indices, got ${describeValue(list)}`;
    for (let i = 0; i < list.length; i++) {
      const v: unknown = list[i];
      if (typeof v !== 'number' || !Number.isInteger(v) || v < 0 || v >= n) {
        return `${part}[${i}] is ${JSON.stringify(v)}, not a row index in 0..${n - 1}`;
      }
    }
    out[part] = list as number[];
  }
  return out as SplitIndices;
}

/** Side of every row (-1 for none), or a message naming the first row counted twice or missed. */
export function checkPartition(split: SplitIndices, n: number): string | undefined {
  const side = new Array<number>(n).fill(-1);
  for (let p = 0; p < PARTS.length; p++) {
    for (const i of split[PARTS[p]]) {
      if (side[i] === p) return `row ${i} appears twice in ${PARTS[p]}`;
      if (side[i] >= 0) return `row ${i} is in both ${PARTS[side[i]]} and ${PARTS[p]}: a row in two parts leaks`;
      side[i] = p;
    }
  }
  const missing = side.reduce((count, s) => count + (s < 0 ? 1 : 0), 0);
  if (missing > 0) {
    return `${missing} of ${n} rows are in no part (the first is row ${side.indexOf(-1)}); every row goes in exactly one of train, val, test`;
  }
  return undefined;
}

function sideOf(split: SplitIndices, n: number): Int8Array {
  const side = new Int8Array(n).fill(-1);
  PARTS.forEach((part, p) => {
    for (const i of split[part]) side[i] = p;
  });
  return side;
}

/**
 * Unit id per row (the index of the unit's first row): identical rows are one
 * unit, all rows of a group are one unit, and both relations chain, so a
 * duplicate across two groups joins the two groups.
 */
export function unitsOf(table: Pick<Table, 'rows' | 'groups'>): number[] {
  const { rows, groups } = table;
  return Array.from(linkedUnits(rows.length, (i) => JSON.stringify(rows[i]), groups ? (i) => groups[i] : undefined));
}

/**
 * Per class, how many rows its blocks hold and the size of its largest block.
 * A block (rows that must stay together) counts as the class of its first
 * row, which is also the row that names it in `unitsOf`.
 */
export function blockClasses(labels: number[], units: number[]): Map<number, { rows: number; largest: number }> {
  const sizes = new Map<number, number>();
  for (const u of units) sizes.set(u, (sizes.get(u) ?? 0) + 1);
  const out = new Map<number, { rows: number; largest: number }>();
  for (const [root, size] of sizes) {
    const c = labels[root];
    const entry = out.get(c) ?? { rows: 0, largest: 0 };
    entry.rows += size;
    entry.largest = Math.max(entry.largest, size);
    out.set(c, entry);
  }
  return new Map([...out].sort((a, b) => a[0] - b[0]));
}

/**
 * How far val and test may be from their share of rows: rounding moves a
 * class by under one row, and the last block dealt to a part can overshoot
 * by its size minus one, so under the sum over classes of the largest block.
 */
export function sizeSlack(labels: number[], units: number[]): number {
  let slack = 0;
  for (const { largest } of blockClasses(labels, units).values()) slack += largest;
  return slack;
}

function linkReason(table: Table, a: number, b: number): string {
  if (JSON.stringify(table.rows[a]) === JSON.stringify(table.rows[b])) return 'are identical';
  if (table.groups && table.groups[a] === table.groups[b])
    return `are in the same ${table.groupName ?? 'group'} (${table.groups[a]})`;
  return 'are linked (an identical row in one group ties it to another group)';
}

/** Every unit on one side; the message names two rows that were split apart and why they belong together. */
export function checkUnits(split: SplitIndices, table: Table, units: number[]): string | undefined {
  const side = sideOf(split, table.rows.length);
  const firstRow = new Map<number, number>();
  for (let i = 0; i < units.length; i++) {
    const first = firstRow.get(units[i]);
    if (first === undefined) {
      firstRow.set(units[i], i);
      continue;
    }
    if (side[i] !== side[first]) {
      return (
        `rows ${first} and ${i} ${linkReason(table, first, i)} but row ${first} is in ${PARTS[side[first]]} and row ${i} in ${PARTS[side[i]]}; ` +
        'rows that repeat (or share a group) must land on one side, or the test set partly grades memory'
      );
    }
  }
  return undefined;
}

function fraction(opts: SplitOptions, part: Part): number {
  return part === 'test' ? opts.test : part === 'val' ? opts.val : 1 - opts.test - opts.val;
}

/** Sizes of val and test less than `slack` rows off their share of n (train is what is left). */
export function checkSizes(split: SplitIndices, n: number, opts: SplitOptions, slack: number): string | undefined {
  for (const part of ['test', 'val'] as const) {
    const want = n * fraction(opts, part);
    const got = split[part].length;
    if (want > 0 && got === 0) return `${part} is empty`;
    if (Math.abs(got - want) > slack - EPS) {
      return `${part} has ${got} rows; ${part} ${fmt(fraction(opts, part))} of ${n} rows is ${fmt(want)}, and it must be less than ${slack} rows off`;
    }
  }
  return undefined;
}

/**
 * Class counts of val and test less than one block off their exact share (rows
 * of the class x fraction): each class has its own slack, the size of its
 * largest block, which is 1 when none of its rows repeat. Train is what is
 * left, so it follows.
 */
export function checkStratified(
  split: SplitIndices,
  table: Table,
  units: number[],
  opts: SplitOptions,
): string | undefined {
  const classes = blockClasses(table.labels, units);
  for (const part of ['test', 'val'] as const) {
    const counts = new Map<number, number>();
    for (const i of split[part]) {
      const c = table.labels[units[i]];
      counts.set(c, (counts.get(c) ?? 0) + 1);
    }
    for (const [c, { rows, largest }] of classes) {
      const want = rows * fraction(opts, part);
      const got = counts.get(c) ?? 0;
      if (Math.abs(got - want) > largest - EPS) {
        const name = table.classNames?.[c] ?? `class ${c}`;
        const give = largest === 1 ? 'less than one row off' : `less than ${largest} rows off (its largest block)`;
        return (
          `${part} holds ${got} of the ${rows} rows of ${name}; its share (${fmt(fraction(opts, part))} of them) is ${fmt(want)}, and it must be ${give}. ` +
          'Shuffle and deal out each class on its own so every part keeps the class proportions'
        );
      }
    }
  }
  return undefined;
}

function sorted(list: number[]): number[] {
  return [...list].sort((a, b) => a - b);
}

/** Whether two splits put every row on the same side (order inside a part does not matter). */
export function sameSplit(a: SplitIndices, b: SplitIndices): boolean {
  return PARTS.every((part) => {
    const x = sorted(a[part]);
    const y = sorted(b[part]);
    return x.length === y.length && x.every((v, i) => v === y[i]);
  });
}
