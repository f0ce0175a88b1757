/**
 * mlpath for a course's CI, from a source no registry entry can stand in
 * for: `npm pack` of the mlpath that runs this command, written into the
 * course repository's `vendor/` and named in package.json as
 * `file:vendor/mlpath-<version>.tgz`. npm records the tarball's integrity
 * in package-lock.json, so CI installs exactly these bytes.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { UsageError } from '../errors';
import { packageRoot } from '../grader/sandbox';
import { mlpathVersion } from '../version';

export const VENDOR_DIR = 'vendor';

export interface VendoredMlpath {
  /** Repository-relative path of the tarball. */
  file: string;
  /** The spec for package.json. */
  spec: string;
}

/** Packs the running mlpath into `<root>/vendor/`, replacing other mlpath tarballs there. */
export function vendorMlpath(root: string): VendoredMlpath {
  const dir = path.join(root, VENDOR_DIR);
  fs.mkdirSync(dir, { recursive: true });
  // --ignore-scripts: `prepare` builds from sources an installed mlpath does not have; dist/ is already built.
  const r = spawnSync('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', dir, packageRoot()], {
    encoding: 'utf8',
    shell: process.platform === 'win32',
    maxBuffer: 64 * 1024 * 1024,
  });
  if (r.error || r.status !== 0) {
    const why = r.error ? r.error.message : (r.stderr || '').trim().split('\n').slice(-3).join(' ');
    throw new UsageError(`could not pack mlpath with npm: ${why}`, 'install npm, or pass `--mlpath <git URL with a tag>` to install mlpath from git');
  }
  let filename: string;
  try {
    filename = (JSON.parse(r.stdout) as { filename: string }[])[0].filename;
  } catch {
    filename = `mlpath-${mlpathVersion()}.tgz`;
  }
  filename = path.basename(filename);
  if (!fs.existsSync(path.join(dir, filename))) throw new UsageError(`npm pack reported ${filename}, but it is not in ${dir}`);
  for (const old of fs.readdirSync(dir)) {
    if (/^mlpath-.*\.tgz$/.test(old) && old !== filename) fs.rmSync(path.join(dir, old));
  }
  const file = `${VENDOR_DIR}/${filename}`;
  return { file, spec: `file:${file}` };
}
