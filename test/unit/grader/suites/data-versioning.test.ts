/**
 * The data-versioning suite: its fixture folders hold the changes they claim
 * to, and its cases accept a correct implementation (the reference solution,
 * run in-process) and reject the shortcuts learners take.
 */
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { suiteFor } from '../../../../src/grader/suites';
import type { Lock } from '../../../../src/datasets/lock';
import { suite } from '../../../../src/grader/suites/data-versioning';
import type { SuiteCase, SuiteFixture } from '../../../../src/grader/suites/types';
import { walkOrder } from '../../../../src/grader/listing-order';
import * as reference from '../../../../solutions/month4/data-versioning/data';

type Impl = Record<string, (...args: never[]) => unknown>;

let fixture: SuiteFixture;
let cases: SuiteCase[];
let root: string;
const dir = (variant: string): string =>
  cases.find((c) => c.fn === 'fingerprint' && (c.args[0] as string).endsWith(variant))!.args[0] as string;

beforeAll(async () => {
  fixture = await suite.prepare!(1);
  cases = suite.cases(1, fixture);
  root = fixture.readRoots[0];
});
afterAll(() => fixture.cleanup());

function failures(impl: Impl): string[] {
  const out: string[] = [];
  for (const c of cases) {
    let value: unknown;
    try {
      value = (impl[c.fn] as (...a: unknown[]) => unknown)(...c.args);
    } catch (err) {
      out.push(`${c.fn}: ${c.title}: threw ${(err as Error).message}`);
      continue;
    }
    const problem = c.verify(JSON.parse(JSON.stringify(value)));
    if (problem) out.push(`${c.fn}: ${c.title}: ${problem}`);
  }
  return out;
}

/** Every file under a folder with its sha256, computed here without the suite's helpers. */
function walk(folder: string, prefix = ''): Record<string, string> {
  const out: Record<string, string> = {};
  for (const e of fs.readdirSync(path.join(folder, prefix), { withFileTypes: true })) {
    const rel = prefix ? `${prefix}/${e.name}` : e.name;
    if (e.isDirectory()) Object.assign(out, walk(folder, rel));
    else
      out[rel] = createHash('sha256')
        .update(fs.readFileSync(path.join(folder, rel)))
        .digest('hex');
  }
  return out;
}

describe('data-versioning suite', () => {
  it('is registered, and its cases call its exports', async () => {
    expect(await suiteFor('data-versioning')).toBe(suite);
    expect([...new Set(cases.map((c) => c.fn))].sort()).toEqual([...suite.exports].sort());
    expect(cases).toHaveLength(18);
  });

  it('builds real data folders, each with the one change it names', () => {
    const base = walk(dir('base'));
    expect(Object.keys(base).sort()).toEqual([
      'README.md',
      'boston/NOTES',
      'boston/test.csv',
      'boston/train.csv',
      'iris.csv',
    ]);
    const iris = fs
      .readFileSync(path.join(dir('base'), 'iris.csv'), 'utf8')
      .trim()
      .split('\n');
    expect(iris).toHaveLength(151);
    expect(iris[0]).toBe('sepal_length_cm,sepal_width_cm,petal_length_cm,petal_width_cm,species');
    const boston = ['train', 'test'].map(
      (s) =>
        fs
          .readFileSync(path.join(dir('base'), 'boston', `${s}.csv`), 'utf8')
          .trim()
          .split('\n').length - 1,
    );
    expect(boston[0] + boston[1]).toBe(506);

    expect(walk(dir('data-copy'))).toEqual(base);
    const edited = walk(dir('row-changed'));
    expect(Object.keys(edited).filter((p) => edited[p] !== base[p])).toEqual(['boston/train.csv']);
    const stat = (v: string): fs.Stats => fs.statSync(path.join(dir(v), 'boston', 'train.csv'));
    expect(stat('row-changed').size).toBe(stat('base').size);
    expect(stat('row-changed').mtimeMs).toBe(stat('base').mtimeMs);
    expect(stat('data-copy').mtimeMs).not.toBe(stat('base').mtimeMs);
    const swapped = walk(dir('contents-swapped'));
    expect([swapped['boston/train.csv'], swapped['boston/test.csv']]).toEqual([
      base['boston/test.csv'],
      base['boston/train.csv'],
    ]);
    expect(walk(dir('renamed'))['flowers.csv']).toBe(base['iris.csv']);
    expect(walk(dir('rows-swapped'))['iris.csv']).not.toBe(base['iris.csv']);
    expect(fixture.readRoots).toEqual([root]);
    expect(dir('base').startsWith(root)).toBe(true);
  });

  it('passes the reference solution on every case', () => {
    expect(failures(reference as unknown as Impl)).toEqual([]);
  });

  it('checks the manifest hash as sha256sum would print it', () => {
    const lock = reference.fingerprint(dir('base'));
    const manifest = Object.entries(walk(dir('base')))
      .sort(([a], [b]) => (a < b ? -1 : 1))
      .map(([p, h]) => `${h}  ${p}\n`)
      .join('');
    expect(lock.hash).toBe(createHash('sha256').update(manifest).digest('hex'));
  });

  it('catches a fingerprint made of sizes and modification times', () => {
    const bySize: Impl = {
      ...(reference as unknown as Impl),
      fingerprint: (d: string): Lock => {
        const lock = reference.fingerprint(d);
        const files = Object.fromEntries(
          Object.keys(lock.files).map((p) => {
            const st = fs.statSync(path.join(d, p));
            return [p, createHash('sha256').update(`${st.size}:${st.mtimeMs}`).digest('hex')];
          }),
        );
        return { files, hash: createHash('sha256').update(JSON.stringify(files)).digest('hex') };
      },
    };
    const failed = failures(bySize).join('\n');
    expect(failed).toMatch(/one value of one row of boston\/train\.csv edited/);
    expect(failed).toMatch(/not the sha256 \(hex\) of the file's bytes/);
  });

  it('catches a folder hash that leaves the paths out', () => {
    const pathless: Impl = {
      ...(reference as unknown as Impl),
      fingerprint: (d: string): Lock => {
        const lock = reference.fingerprint(d);
        const contents = Object.keys(lock.files)
          .sort()
          .map((p) => lock.files[p])
          .sort()
          .join('');
        return { files: lock.files, hash: createHash('sha256').update(contents).digest('hex') };
      },
    };
    const failed = failures(pathless).join('\n');
    expect(failed).toMatch(
      /iris\.csv renamed to flowers\.csv; folders listed [^:]*: hash .* it equals the original's: a path is part of the lock/,
    );
    expect(failed).toMatch(
      /boston\/train\.csv and boston\/test\.csv swapped; folders listed [^:]*: hash .* each hash must stay tied to its path/,
    );
  });

  it('catches a diff that ignores direction or reports renames as modified', () => {
    const sloppy: Impl = {
      ...(reference as unknown as Impl),
      diff: (a: Lock, b: Lock) => {
        const all = [...new Set([...Object.keys(a.files), ...Object.keys(b.files)])].sort();
        return { added: [], removed: [], modified: all.filter((p) => a.files[p] !== b.files[p]) };
      },
    };
    const failed = failures(sloppy);
    // Of the seven diff cases, the four with a path only on one side.
    expect(failed.filter((f) => f.startsWith('diff:'))).toHaveLength(4);
    expect(failed.join('\n')).toMatch(/a rename .*: added is \[\], expected \['flowers\.csv'\]/);
  });

  it("lists most folders in another file system's order, and names a manifest that followed the listing", () => {
    const orders = cases.filter((c) => c.fn === 'fingerprint').map((c) => c.listing?.order);
    expect(new Set(orders)).toEqual(new Set(['sorted', 'ntfs', 'hashed', 'reverse']));
    // What the learner's code would see, walked folder by folder in the case's order, without sorting.
    const unsorted = (c: SuiteCase): Lock => {
      const d = c.args[0] as string;
      const paths = walkOrder(Object.keys(walk(d)), c.listing!.order, c.listing!.salt);
      const files = Object.fromEntries(
        paths.map((p) => [
          p,
          createHash('sha256')
            .update(fs.readFileSync(path.join(d, p)))
            .digest('hex'),
        ]),
      );
      return {
        files,
        hash: createHash('sha256')
          .update(paths.map((p) => `${files[p]}  ${p}\n`).join(''))
          .digest('hex'),
      };
    };
    const named = cases
      .filter((c) => c.fn === 'fingerprint' && c.listing!.order !== 'sorted')
      .map((c) => c.verify(unsorted(c)));
    expect(
      named.every((p) =>
        /it is the hash of the manifest in the order the folder was listed: sort the paths/.test(p ?? ''),
      ),
    ).toBe(true);
  });

  it('removes its folders on cleanup', async () => {
    const other = await suite.prepare!(2);
    expect(fs.existsSync(other.readRoots[0])).toBe(true);
    other.cleanup();
    expect(fs.existsSync(other.readRoots[0])).toBe(false);
  });
});
