/**
 * The orders in which file systems list a folder, for the data-versioning
 * suite. On Linux and macOS Node's `fs.readdir` hands back names sorted by
 * code unit (libuv sorts them), so a manifest built in listing order looks
 * sorted there and is wrong everywhere else. The child answers `readdir`
 * in one of these orders during a case (child/listing.ts), and the suite
 * computes the same orders to explain a hash that followed the listing.
 * Pure: no file system here.
 */

export const LISTING_ORDERS = ['sorted', 'ntfs', 'hashed', 'reverse'] as const;
export type ListingOrder = (typeof LISTING_ORDERS)[number];

/** How each order is named in a case title. */
export const LISTING_DESCRIPTIONS: Record<ListingOrder, string> = {
  sorted: 'by character code, as Node lists a folder on Linux and macOS',
  ntfs: 'case-insensitively, as Windows lists a folder on NTFS',
  hashed: "in hash order, as ext4 gives it to `ls -f`, fs.opendir and Python's os.listdir",
  reverse: 'newest first, as tmpfs lists a folder',
};

/** FNV-1a over the salt and the name: a stable stand-in for ext4's per-volume hash seed. */
function nameHash(name: string, salt: number): number {
  let h = (0x811c9dc5 ^ salt) >>> 0;
  for (let i = 0; i < name.length; i++) {
    h ^= name.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h;
}

const byCode = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/** The names of one folder (or the paths of a recursive listing) in the order `order` lists them. */
export function orderNames(names: readonly string[], order: ListingOrder, salt = 0): string[] {
  const out = [...names];
  switch (order) {
    case 'sorted':
      return out.sort(byCode);
    case 'reverse':
      return out.sort(byCode).reverse();
    case 'ntfs':
      // NTFS compares names through its upcase table; ties (names equal but for case) cannot share a folder there.
      return out.sort((a, b) => byCode(a.toUpperCase(), b.toUpperCase()) || byCode(a, b));
    case 'hashed':
      return out.sort((a, b) => nameHash(a, salt) - nameHash(b, salt) || byCode(a, b));
  }
}

/**
 * The file paths of a folder in the order a depth-first walk meets them when
 * every folder is listed in `order`: the order of a manifest built without
 * sorting.
 */
export function walkOrder(paths: readonly string[], order: ListingOrder, salt = 0): string[] {
  interface Folder {
    files: Set<string>;
    folders: Map<string, Folder>;
  }
  const root: Folder = { files: new Set(), folders: new Map() };
  for (const p of paths) {
    const parts = p.split('/');
    let at = root;
    for (const part of parts.slice(0, -1)) {
      let next = at.folders.get(part);
      if (!next) {
        next = { files: new Set(), folders: new Map() };
        at.folders.set(part, next);
      }
      at = next;
    }
    at.files.add(parts[parts.length - 1]);
  }
  const out: string[] = [];
  const visit = (folder: Folder, prefix: string): void => {
    for (const name of orderNames([...folder.files, ...folder.folders.keys()], order, salt)) {
      const rel = prefix ? `${prefix}/${name}` : name;
      const sub = folder.folders.get(name);
      if (sub) visit(sub, rel);
      else out.push(rel);
    }
  };
  visit(root, '');
  return out;
}
