/**
 * What the harness observes in the child (optimizer steps, a sweep's runs,
 * the predictions it serialises) runs in the same JavaScript realm as
 * learner code, which could replace a built-in the harness relies on
 * (Array.prototype.push, JSON.stringify, a typed array's getter) to bend
 * what gets reported. The built-ins are recorded before learner code loads
 * and compared before every message that carries a verdict: a submission
 * that replaced one gets a precise error instead of a result mlpath cannot
 * trust. Adding new methods is allowed; replacing existing ones is not, nor
 * adding what changes the grader's own code (see addedKey).
 */

import { EventEmitter } from 'node:events';
import { isIndexKey } from './own';

const getDescriptor = Reflect.getOwnPropertyDescriptor;
const ownKeys = Reflect.ownKeys;
const getPrototypeOf = Reflect.getPrototypeOf;
const StringOf = String;

interface Recorded {
  owner: object;
  name: string;
  key: PropertyKey;
  value: unknown;
  get: unknown;
  set: unknown;
}

/** Properties learner code may replace on purpose (a learner seeding its own randomness). */
const ALLOWED = new Set(['Math.random']);

function owners(): [string, object][] {
  const typed = getPrototypeOf(Uint8Array.prototype) as object;
  const list: [string, unknown][] = [
    ['Object', Object],
    ['Object.prototype', Object.prototype],
    ['Function.prototype', Function.prototype],
    ['Array', Array],
    ['Array.prototype', Array.prototype],
    ['String.prototype', String.prototype],
    ['Number', Number],
    ['Number.prototype', Number.prototype],
    ['Boolean.prototype', Boolean.prototype],
    ['Symbol', Symbol],
    ['Math', Math],
    ['JSON', JSON],
    ['Reflect', Reflect],
    ['Promise', Promise],
    ['Promise.prototype', Promise.prototype],
    ['Map.prototype', Map.prototype],
    ['Set.prototype', Set.prototype],
    ['WeakMap.prototype', WeakMap.prototype],
    ['Error', Error],
    ['Error.prototype', Error.prototype],
    ['ArrayBuffer', ArrayBuffer],
    ['ArrayBuffer.prototype', ArrayBuffer.prototype],
    ['DataView.prototype', DataView.prototype],
    ['TypedArray', getPrototypeOf(Uint8Array)],
    ['TypedArray.prototype', typed],
    ['Float32Array.prototype', Float32Array.prototype],
    ['Float64Array.prototype', Float64Array.prototype],
    ['Int32Array.prototype', Int32Array.prototype],
    // The constructors too: an own static (`Float32Array.from`) shadows the one they inherit from %TypedArray%.
    ['Float32Array', Float32Array],
    ['Float64Array', Float64Array],
    ['Int32Array', Int32Array],
    ['Uint8Array', Uint8Array],
    ['Uint8Array.prototype', Uint8Array.prototype],
    ['Buffer', Buffer],
    ['Buffer.prototype', Buffer.prototype],
    ['globalThis', globalThis],
    ['RegExp.prototype', RegExp.prototype],
    ['Date', Date],
    ['Date.prototype', Date.prototype],
    ['WeakSet.prototype', WeakSet.prototype],
    ['Map', Map],
    ['Set', Set],
    // for..of, spread and destructuring go through the iterators: a replaced next() ends the harness's loops early.
    ['%IteratorPrototype%', getPrototypeOf(getPrototypeOf([][Symbol.iterator]()) as object)],
    ['%ArrayIteratorPrototype%', getPrototypeOf([][Symbol.iterator]())],
    ['%MapIteratorPrototype%', getPrototypeOf(new Map()[Symbol.iterator]())],
    ['%SetIteratorPrototype%', getPrototypeOf(new Set()[Symbol.iterator]())],
    ['%StringIteratorPrototype%', getPrototypeOf(''[Symbol.iterator]())],
    [
      '%GeneratorPrototype%',
      getPrototypeOf(
        getPrototypeOf(
          (function* gen() {
            /* empty */
          })(),
        ) as object,
      ),
    ],
    ['%AsyncFunction.prototype%', getPrototypeOf(async () => undefined)],
    ['EventEmitter.prototype', EventEmitter.prototype],
  ];
  return list.filter(
    (e): e is [string, object] => e[1] !== null && (typeof e[1] === 'object' || typeof e[1] === 'function'),
  );
}

export interface Integrity {
  /** The first built-in replaced since the record was taken, e.g. `Array.prototype.push`; undefined when none. */
  changed(): string | undefined;
}

/** Records the built-ins now; call before learner code loads. */
export function recordBuiltins(): Integrity {
  const recorded: Recorded[] = [];
  const shadowable: { owner: object; name: string; keys: PropertyKey[] }[] = [];
  for (const [name, owner] of owners()) {
    const keys = ownKeys(owner);
    // Of the global object, new names are Node's own lazy globals or harmless: only the built-ins' owners count.
    if (owner !== globalThis) shadowable[shadowable.length] = { owner, name, keys };
    for (let i = 0; i < keys.length; i++) {
      const key = keys[i];
      const label = `${name}.${typeof key === 'symbol' ? `[${StringOf(key.description)}]` : key}`;
      if (ALLOWED.has(label)) continue;
      const d = getDescriptor(owner, key);
      if (!d) continue;
      // Data properties that hold state, not behaviour (Error.stackTraceLimit), may change; of the
      // global object only the constructors and namespaces count (Node defines others lazily).
      if (owner === globalThis) {
        if (
          !('value' in d) ||
          (typeof d.value !== 'function' && d.value !== Math && d.value !== JSON && d.value !== Reflect)
        )
          continue;
      } else if ('value' in d && typeof d.value !== 'function' && (typeof d.value !== 'object' || d.value === null)) {
        continue;
      }
      recorded[recorded.length] = { owner, name, key, value: d.value, get: d.get, set: d.set };
    }
  }
  return {
    changed(): string | undefined {
      for (let i = 0; i < recorded.length; i++) {
        const r = recorded[i];
        const d = getDescriptor(r.owner, r.key);
        if (!d || d.value !== r.value || d.get !== r.get || d.set !== r.set) return label(r.name, r.key);
      }
      for (let i = 0; i < shadowable.length; i++) {
        const added = addedKey(shadowable[i].owner, shadowable[i].keys);
        if (added === undefined) continue;
        const d = getDescriptor(shadowable[i].owner, added);
        return `${label(shadowable[i].name, added)}${d && (d.get || d.set) ? ' (by adding a getter or setter there)' : ''}`;
      }
      return undefined;
    },
  };
}

function label(name: string, key: PropertyKey): string {
  return `${name}.${typeof key === 'symbol' ? `[${StringOf(key.description)}]` : StringOf(key)}`;
}

/**
 * A key `owner` has now and had not when recorded that changes what the grader's own code does, not only what
 * learner code can call: an own property that hides an inherited built-in (an own `Float32Array.from` over
 * %TypedArray%.from) replaces it as surely as an assignment; a getter or setter runs learner code whenever the
 * grader reads or assigns that name on an object that lacks it (a setter `reliance` on Object.prototype rewrote
 * what the child reported, review 19); an element index is read and written by every array the grader fills.
 */
function addedKey(owner: object, before: PropertyKey[]): PropertyKey | undefined {
  const keys = ownKeys(owner);
  if (keys.length === before.length) return undefined;
  for (let i = 0; i < keys.length; i++) {
    const key = keys[i];
    let known = false;
    for (let j = 0; j < before.length && !known; j++) known = before[j] === key;
    if (known) continue;
    const d = getDescriptor(owner, key);
    if (d && (d.get || d.set)) return key;
    if (isIndexKey(key)) return key;
    for (let proto = getPrototypeOf(owner); proto !== null; proto = getPrototypeOf(proto))
      if (getDescriptor(proto, key)) return key;
  }
  return undefined;
}
