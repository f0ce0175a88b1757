/**
 * What the harness observes in the child (optimizer steps, a sweep's runs,
 * the predictions it serialises) runs in the same JavaScript realm as
 * learner code, which could replace a built-in the harness relies on
 * (Array.prototype.push, JSON.stringify, a typed array's getter) to bend
 * what gets reported. The built-ins are recorded before learner code loads
 * and compared before every message that carries a verdict: a submission
 * that replaced one gets a precise error instead of a result mlpath cannot
 * trust. Replacing an existing one is refused, and so is adding what changes
 * the grader's own code (see addedKey); the owners pin() leaves open (the
 * global object, the ones V8 needs untouched) may get new methods.
 *
 * A check sees only what is there when it runs: a learner timer or promise
 * callback that fires while the grader's own code awaits (a tensor's data(),
 * the parent's next frame) could swap a built-in and put it back before the
 * next one. So once the lockdown is in place and before learner code loads,
 * pin() fixes the recorded properties (non-writable, non-configurable) and
 * closes their owners to new keys: a swap, or a getter added for a moment,
 * cannot happen at all, and the comparison stays as a second line (and the
 * only one for the owners UNPINNED names, which V8 needs as they are). An
 * attempt throws a TypeError where learner code made it (the bundle runs in
 * strict mode, compile.ts); noteAttempt() turns that error into the name of
 * the built-in, which the harness reports as it reports a replaced one.
 */

import { EventEmitter } from 'node:events';
import { isIndexKey } from './own';

const getDescriptor = Reflect.getOwnPropertyDescriptor;
const ownKeys = Reflect.ownKeys;
const getPrototypeOf = Reflect.getPrototypeOf;
const defineProperty = Reflect.defineProperty;
const preventExtensions = Reflect.preventExtensions;
const isExtensible = Reflect.isExtensible;
const { apply } = Reflect;
const regexpExec = RegExp.prototype.exec;
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

/**
 * Owners left open to new keys when pinned. globalThis: a sloppy assignment to an undeclared name, a learner's
 * own global and Node's lazy globals all add keys there. The owners left unpinned below, as V8 needs them.
 * Their recorded properties are pinned all the same (globalThis's). Error.prepareStackTrace is Node's own
 * function in Node 20, and pinned with the rest: graded code cannot install a hook that runs whenever the
 * grader reads an error's stack.
 */
const EXTENSIBLE = new Set([
  'globalThis',
  'Array',
  '%ArrayIteratorPrototype%',
  'RegExp.prototype',
  'EventEmitter.prototype',
]);

/**
 * Owners checked but not pinned: on them the async window stays open, and only the comparison catches a swap
 * still in place when a check runs. Array, Array.prototype, %ArrayIteratorPrototype%, RegExp.prototype: V8's
 * fast paths for spread, for..of, map and filter and for regular expressions require these objects as V8
 * made them, and any property redefined on them (even to the same value, read-only) sends learner code and
 * TensorFlow.js down the slow paths (measured: array code 5 to 20 times slower in the child, regular
 * expressions 10 to 25 times in Node). EventEmitter.prototype: Node's own modules assign methods on
 * prototypes that inherit from it, which a read-only inherited method refuses (the "override mistake":
 * node:internal/streams/legacy's Stream.prototype.eventNames; month3/deploy's server met it on
 * prependListener). Array.prototype is still closed to new keys, which those fast paths do not notice.
 */
const UNPINNED = new Set([
  'Array',
  'Array.prototype',
  '%ArrayIteratorPrototype%',
  'RegExp.prototype',
  'EventEmitter.prototype',
]);

/**
 * Properties checked but not pinned, on owners otherwise pinned: ordinary code gives its own objects a
 * `toString`, a `valueOf` or a `constructor` by assignment (`Child.prototype.constructor = Child`, compiled
 * class helpers, `err.toString = ...`), and a read-only inherited one makes that assignment throw: the override
 * mistake, which would turn a learner's honest line into a refusal naming a built-in they never touched.
 */
const OVERRIDABLE = new Set([
  'Object.prototype.constructor',
  'Object.prototype.toString',
  'Object.prototype.toLocaleString',
  'Object.prototype.valueOf',
  'Function.prototype.toString',
  'Error.prototype.constructor',
  'Error.prototype.toString',
]);

/** The messages V8 gives a TypeError for writing a non-writable property, redefining a non-configurable one, adding to a closed object. */
const READ_ONLY = /^Cannot assign to read only property '(.+)' of (object|function) '([^]*)'$/;
const REDEFINE = /^Cannot redefine property: (.+)$/;
// Only a definition: a learner's own frozen object (the held-out texts predict() gets) meets "Cannot add
// property" when written to, and would be taken for a built-in; a getter or setter is added by defining.
const CLOSED = /^Cannot define property (.+), object is not extensible$/;

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
  /**
   * Fixes every recorded built-in where it is (non-writable, non-configurable) and closes its owner to new keys
   * (but EXTENSIBLE's). Once, after the lockdown and before learner code loads; Math.random stays replaceable.
   */
  pin(): void;
  /**
   * When `thrown` is the TypeError of an attempt to change a pinned built-in, notes it and says what was tried,
   * to follow "graded code tried to": `replace JavaScript's built-in Array.prototype.filter` (the candidates when
   * V8's message leaves more than one), `add 'reliance' to one of JavaScript's built-in objects`; otherwise
   * undefined.
   */
  noteAttempt(thrown: unknown): string | undefined;
  /** The first attempt noteAttempt saw, in its words; undefined when none. */
  attempted(): string | undefined;
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
  let attempt: string | undefined;
  let pinned = false;
  return {
    pin(): void {
      if (pinned) return;
      pinned = true;
      for (let i = 0; i < recorded.length; i++) {
        const r = recorded[i];
        if (UNPINNED.has(r.name) || OVERRIDABLE.has(label(r.name, r.key))) continue;
        const d = getDescriptor(r.owner, r.key);
        if (!d) continue;
        // Data stays data (a getter in its place would slow every call and change what V8 optimises).
        defineProperty(
          r.owner,
          r.key,
          'value' in d ? { writable: false, configurable: false } : { configurable: false },
        );
      }
      for (let i = 0; i < shadowable.length; i++)
        if (!EXTENSIBLE.has(shadowable[i].name)) preventExtensions(shadowable[i].owner);
    },
    noteAttempt(thrown: unknown): string | undefined {
      if (!pinned || thrown === null || typeof thrown !== 'object') return undefined;
      // Read as an own data property: a getter on the thrown object would be learner code answering.
      const d = getDescriptor(thrown, 'message');
      const message = d && typeof d.value === 'string' ? d.value : undefined;
      if (message === undefined) return undefined;
      const name = attemptedName(message, recorded, shadowable);
      if (name !== undefined) attempt ??= name;
      return name;
    },
    attempted(): string | undefined {
      return attempt;
    },
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

/**
 * What a TypeError's message says learner code tried to do to a built-in, or undefined. V8 names the key, and
 * for a write the object's kind (`'[object Array]'`, `'#<Map>'`, `function 'function Array() {...}'`), which
 * picks the owner when the key alone leaves several; an addition names no object at all.
 */
function attemptedName(
  message: string,
  recorded: readonly Recorded[],
  owned: readonly { owner: object; name: string }[],
): string | undefined {
  const readOnly = apply(regexpExec, READ_ONLY, [message]);
  const redefine = readOnly ? null : apply(regexpExec, REDEFINE, [message]);
  if (!readOnly && !redefine) {
    const added = apply(regexpExec, CLOSED, [message]);
    if (!added) return undefined;
    let any = false;
    for (let i = 0; i < owned.length && !any; i++) any = !isExtensible(owned[i].owner);
    return any ? `add '${added[1]}' to one of JavaScript's built-in objects` : undefined;
  }
  const key = readOnly ? readOnly[1] : redefine![1];
  const names: string[] = [];
  let preferred: string | undefined;
  // A write names the object: an owner's inherited key too (`Float32Array.from = ...` meets %TypedArray%.from).
  for (let i = 0; readOnly && i < owned.length && preferred === undefined; i++)
    if (describes(readOnly[3], owned[i].name) && hasKey(owned[i].owner, key)) preferred = label(owned[i].name, key);
  for (let i = 0; i < recorded.length; i++) {
    const r = recorded[i];
    if (keyText(r.key) !== key) continue;
    const d = getDescriptor(r.owner, r.key);
    // Only what pin() fixed throws: a property still writable is not what the message is about.
    if (!d || d.configurable || ('value' in d && d.writable)) continue;
    if (readOnly && (readOnly[2] === 'function') !== (typeof r.owner === 'function')) continue;
    const name = label(r.name, r.key);
    names[names.length] = name;
    if (readOnly && describes(readOnly[3], r.name)) preferred = name;
  }
  if (preferred === undefined && names.length === 0) return undefined;
  let text = preferred ?? names[0];
  for (let i = 1; preferred === undefined && i < names.length; i++)
    text = `${text}${i === names.length - 1 ? ' or ' : ', '}${names[i]}`;
  return `replace JavaScript's built-in ${text}`;
}

/** Whether `owner` has or inherits a key V8 prints as `key`. */
function hasKey(owner: object, key: string): boolean {
  for (let o: object | null = owner; o !== null; o = getPrototypeOf(o)) {
    const keys = ownKeys(o);
    for (let i = 0; i < keys.length; i++) if (keyText(keys[i]) === key) return true;
  }
  return false;
}

/** Whether V8's description of an object (`[object Array]`, `#<Map>`, `function Array() { [native code] }`) is owner `name`'s. */
function describes(description: string, name: string): boolean {
  return (
    description === `[object ${name.slice(0, -'.prototype'.length)}]` ||
    description === `#<${name.slice(0, -'.prototype'.length)}>` ||
    description === `function ${name}() { [native code] }`
  );
}

/** A key as V8 prints it in a message: `filter`, `Symbol(Symbol.iterator)`. */
function keyText(key: PropertyKey): string {
  return typeof key === 'symbol' ? `Symbol(${StringOf(key.description)})` : StringOf(key);
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
