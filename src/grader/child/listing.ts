/**
 * Folder listings in the order another file system would give them, for the
 * `functions` calls that ask for one (month4/data-versioning). Node's
 * `readdir` sorts names on Linux and macOS, so code that never sorts passes
 * there and breaks on Windows or with another lister; during such a call
 * `fs.readdir`, `fs.readdirSync` and `fs.promises.readdir` answer in the
 * requested order (see ../listing-order.ts), and otherwise exactly as Node does.
 *
 * Installed when the harness loads, before the learner's bundle, so that a
 * reference taken at load time (`const { readdirSync } = require('fs')`) is
 * the wrapped one too.
 */
// The module objects themselves, not copies of their exports: learner code requires the same ones.
import fs = require('node:fs');
import path = require('node:path');
import { orderNames, type ListingOrder } from '../listing-order';

// Taken when the harness loads: the wrappers call Node's listers through it, never through
// Function.prototype.call, which learner code could replace to be handed the unordered originals.
const { apply } = Reflect;

let active: { order: ListingOrder; salt: number } | undefined;

type Entry = string | Buffer | fs.Dirent;

function keyOf(entry: Entry, dir: unknown): string | undefined {
  if (typeof entry === 'string') return entry;
  if (entry instanceof fs.Dirent) {
    const parent =
      (entry as fs.Dirent & { parentPath?: string; path?: string }).parentPath ?? (entry as { path?: string }).path;
    return typeof parent === 'string' && typeof dir === 'string' && parent !== dir
      ? `${path.relative(dir, parent).split(path.sep).join('/')}/${entry.name}`
      : entry.name;
  }
  return undefined;
}

function reorder(entries: unknown, dir: unknown): unknown {
  const order = active;
  if (!order || !Array.isArray(entries)) return entries;
  const keyed = new Map<string, Entry>();
  for (const e of entries as Entry[]) {
    const key = keyOf(e, dir);
    if (key === undefined || keyed.has(key)) return entries;
    keyed.set(key, e);
  }
  return orderNames([...keyed.keys()], order.order, order.salt).map((k) => keyed.get(k)!);
}

function install(): void {
  const readdirSync = fs.readdirSync;
  const readdir = fs.readdir;
  const promises = fs.promises;
  const readdirAsync = promises.readdir;
  fs.readdirSync = function listed(this: unknown, dir: fs.PathLike, ...rest: unknown[]) {
    return reorder(apply(readdirSync, this, [dir, ...rest] as Parameters<typeof fs.readdirSync>), dir);
  } as typeof fs.readdirSync;
  fs.readdir = function listed(this: unknown, dir: fs.PathLike, ...rest: unknown[]) {
    const last = rest.length - 1;
    const callback = rest[last];
    if (typeof callback === 'function') {
      rest[last] = (err: unknown, entries: unknown) =>
        (callback as (e: unknown, v: unknown) => void)(err, err ? entries : reorder(entries, dir));
    }
    return apply(readdir, this, [dir, ...rest] as Parameters<typeof fs.readdir>);
  } as typeof fs.readdir;
  promises.readdir = async function listed(this: unknown, dir: fs.PathLike, ...rest: unknown[]) {
    return reorder(await apply(readdirAsync, this, [dir, ...rest] as Parameters<typeof promises.readdir>), dir);
  } as typeof promises.readdir;
}

install();

/** Runs `fn` with folders listed in `order` (salted for the hashed order); restores Node's order after, even when it throws. */
export async function withListingOrder<T>(
  order: ListingOrder | undefined,
  salt: number,
  fn: () => T | Promise<T>,
): Promise<T> {
  if (!order) return fn();
  active = { order, salt };
  try {
    return await fn();
  } finally {
    active = undefined;
  }
}
