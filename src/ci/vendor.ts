/**
 * mlpath for a course's CI, from a source no registry entry can stand in
 * for: `npm pack` of the mlpath that runs this command, written into the
 * course repository's `vendor/` and named in package.json as
 * `file:vendor/mlpath-<version>.tgz`. npm records the tarball's integrity
 * in package-lock.json, so CI installs exactly these bytes.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { UsageError } from '../errors';
import { packageRoot } from '../grader/sandbox';

export const VENDOR_DIR = 'vendor';

export interface VendoredMlpath {
  /** Repository-relative path of the tarball. */
  file: string;
  /** The spec for package.json. */
  spec: string;
}

function npm(args: string[], what: string): string {
  const r = spawnSync('npm', args, {
    encoding: 'utf8',
    shell: process.platform === 'win32',
    maxBuffer: 64 * 1024 * 1024,
  });
  if (r.error || r.status !== 0) {
    const why = r.error ? r.error.message : (r.stderr || '').trim().split('\n').slice(-3).join(' ');
    throw new UsageError(
      `could not ${what} with npm: ${why}`,
      'install npm, or pass `--mlpath <git URL with a tag>` to install mlpath from git',
    );
  }
  return r.stdout;
}

function packJson(stdout: string): { filename: string; files: { path: string }[] } {
  return (JSON.parse(stdout.slice(stdout.indexOf('['))) as { filename: string; files: { path: string }[] }[])[0];
}

/**
 * Scripts npm would list (or, from a git source, run) when the tarball is
 * installed: `prepare` builds from sources the tarball does not hold.
 */
const LIFECYCLE = ['prepare', 'prepack', 'postpack', 'preinstall', 'install', 'postinstall'];

/**
 * Packs the running mlpath into `<root>/vendor/`, replacing other mlpath
 * tarballs there. The files are the ones `npm pack` would take; the
 * package.json loses its build scripts, so installing runs nothing of
 * mlpath's.
 */
export function vendorMlpath(root: string): VendoredMlpath {
  const dir = path.join(root, VENDOR_DIR);
  const listing = packJson(
    npm(['pack', '--dry-run', '--json', '--ignore-scripts', packageRoot()], 'list the files of mlpath'),
  );
  const stage = fs.mkdtempSync(path.join(os.tmpdir(), 'mlpath-vendor-'));
  try {
    const pkgDir = path.join(stage, 'mlpath');
    for (const f of listing.files) {
      fs.mkdirSync(path.dirname(path.join(pkgDir, f.path)), { recursive: true });
      fs.copyFileSync(path.join(packageRoot(), f.path), path.join(pkgDir, f.path));
    }
    const pkgFile = path.join(pkgDir, 'package.json');
    const pkg = JSON.parse(fs.readFileSync(pkgFile, 'utf8')) as {
      scripts?: Record<string, string>;
      devDependencies?: unknown;
    };
    for (const name of LIFECYCLE) delete pkg.scripts?.[name];
    delete pkg.devDependencies;
    fs.writeFileSync(pkgFile, `${JSON.stringify(pkg, null, 2)}\n`);
    fs.mkdirSync(dir, { recursive: true });
    const filename = path.basename(
      packJson(npm(['pack', '--json', '--ignore-scripts', '--pack-destination', dir, pkgDir], 'pack mlpath')).filename,
    );
    if (!fs.existsSync(path.join(dir, filename)))
      throw new UsageError(`npm pack reported ${filename}, but it is not in ${dir}`);
    for (const old of fs.readdirSync(dir)) {
      if (/^mlpath-.*\.tgz$/.test(old) && old !== filename) fs.rmSync(path.join(dir, old));
    }
    const file = `${VENDOR_DIR}/${filename}`;
    return { file, spec: `file:${file}` };
  } finally {
    fs.rmSync(stage, { recursive: true, force: true });
  }
}
