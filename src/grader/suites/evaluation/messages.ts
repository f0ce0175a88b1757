/** How the evaluation checks compare numbers and name values in their messages. */

/** Float slack for comparing counts and accuracies computed in different orders. */
export const EPS = 1e-6;

/** A value named for a message: its type and a short form. */
export function describeValue(value: unknown): string {
  if (value === null) return 'null';
  if (value === undefined) return 'nothing';
  if (Array.isArray(value)) return `an array of ${value.length}`;
  if (typeof value === 'object') return `an object with keys ${Object.keys(value).join(', ') || '(none)'}`;
  return `${typeof value} ${JSON.stringify(value)}`;
}

/** An integer as it is, anything else with three decimals. */
export function fmt(x: number): string {
  return Number.isInteger(x) ? String(x) : x.toFixed(3);
}
