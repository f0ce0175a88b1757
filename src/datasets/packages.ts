/**
 * Finding the npm packages that ship dataset files. Files are read with
 * fs + JSON.parse, not require(): require would keep tens of megabytes of
 * parsed JSON alive in its module cache after the typed arrays are built.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { DatasetError } from '../errors';

export interface PackageRef {
  root: string;
  version: string;
}

/** Where `name` is installed, or a DatasetError saying how to install it (large packages are optional). */
export function findPackage(name: string, datasetId: string): PackageRef {
  let manifest: string;
  try {
    manifest = require.resolve(`${name}/package.json`);
  } catch {
    throw new DatasetError(
      `dataset '${datasetId}' needs the package '${name}', which is not installed (it is an optional dependency)`,
      `run \`npm install ${name}\` where mlpath is installed, then try again`,
    );
  }
  const { version } = JSON.parse(fs.readFileSync(manifest, 'utf8')) as { version: string };
  return { root: path.dirname(manifest), version };
}

export function readPackageJson<T>(pkg: PackageRef, relative: string, datasetId: string): T {
  const file = path.join(pkg.root, relative);
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8')) as T;
  } catch (err) {
    throw new DatasetError(
      `dataset '${datasetId}': cannot read ${file}: ${(err as Error).message}`,
      "reinstall mlpath's dependencies with `npm ci`",
    );
  }
}
