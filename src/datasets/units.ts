/**
 * Rows that must land on one side of a split: exact copies of a row, and all
 * rows of one group. Both relations chain (union-find), so a row repeated in
 * two groups joins the two groups. Used by the seeded splits (`split.ts`) and
 * by the grader's checks of a learner's split (month2/evaluation).
 */

/**
 * The unit of each of `count` items: the index of the unit's first item.
 * `keyOf(i)` is the item's content (equal keys are one unit); `groupOf(i)`,
 * when given, its group (one group is one unit).
 */
export function linkedUnits(count: number, keyOf: (i: number) => string, groupOf?: (i: number) => number): Int32Array {
  const parent = Int32Array.from({ length: count }, (_, i) => i);
  const find = (i: number): number => {
    while (parent[i] !== i) {
      parent[i] = parent[parent[i]];
      i = parent[i];
    }
    return i;
  };
  const union = (a: number, b: number): void => {
    const ra = find(a);
    const rb = find(b);
    // The smaller index stays the root, so a unit is named by its first item.
    if (ra < rb) parent[rb] = ra;
    else if (rb < ra) parent[ra] = rb;
  };
  const firstByKey = new Map<string, number>();
  const firstByGroup = new Map<number, number>();
  for (let i = 0; i < count; i++) {
    const key = keyOf(i);
    const seen = firstByKey.get(key);
    if (seen === undefined) firstByKey.set(key, i);
    else union(seen, i);
    if (groupOf) {
      const g = groupOf(i);
      const first = firstByGroup.get(g);
      if (first === undefined) firstByGroup.set(g, i);
      else union(first, i);
    }
  }
  const unit = new Int32Array(count);
  for (let i = 0; i < count; i++) unit[i] = find(i);
  return unit;
}
