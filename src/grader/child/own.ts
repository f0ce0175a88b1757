/**
 * Reading and writing grader data in the child without Array.prototype or
 * Object.prototype. Learner code runs in the same realm: it may replace
 * Number.isInteger, Object.hasOwn, Function.prototype.call or an array
 * method (and put the original back before the integrity check), and it may
 * add getters and setters to the prototypes between two integrity checks
 * (which refuse them once seen). A lookup that misses grader data falls through
 * to those; `arr.push(x)` and `arr[arr.length] = x` reach an inherited
 * setter; `arr.map(f)` runs whatever Array.prototype.map is at that moment.
 * The helpers here use only functions captured when this module loads,
 * before learner code, and plain comparisons.
 */

const apply = Reflect.apply;
const hasOwnProperty = Object.prototype.hasOwnProperty;
const defineProperty = Reflect.defineProperty;
const regexpTest = RegExp.prototype.test;
const INDEX_KEY = /^(0|[1-9][0-9]*)$/;

/** Whether `key` is an own property of `target`, asked the way no learner code can answer. */
export function hasOwn(target: object, key: PropertyKey): boolean {
  return apply(hasOwnProperty, target, [key]);
}

/** `target[key]` when it is `target`'s own property, else undefined: never a prototype's value or getter. */
export function own(target: unknown, key: PropertyKey): unknown {
  return target !== null && typeof target === 'object' && hasOwn(target, key)
    ? (target as Record<PropertyKey, unknown>)[key]
    : undefined;
}

/** Whether `i` indexes an array of `length`: a whole number in [0, length), by plain comparisons only. */
export function isIndex(i: unknown, length: number): i is number {
  return typeof i === 'number' && i >= 0 && i < length && i % 1 === 0;
}

/** Whether property `key` names an array element ('0', '1', ...), asked with a RegExp method taken at load. */
export function isIndexKey(key: PropertyKey): boolean {
  return typeof key === 'string' && apply(regexpTest, INDEX_KEY, [key]);
}

/** Appends `value` to a grader array without push() or `[length] =`, either of which can reach Array.prototype. */
export function append<T>(list: T[], value: T): void {
  defineProperty(list, list.length, { value, writable: true, enumerable: true, configurable: true });
}

/** `list.slice(from, to).map(f)` on a grader array, by index and append alone. */
export function mapList<T, U>(list: readonly T[], f: (x: T, i: number) => U, from = 0, to = list.length): U[] {
  const out: U[] = [];
  for (let i = from; i < to; i++) append(out, f(list[i], i));
  return out;
}
