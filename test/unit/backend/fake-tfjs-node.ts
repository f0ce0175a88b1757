/** A fake course repository with @tensorflow/tfjs-node installed, with or without its native binding. */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { UsageError } from '../../../src/errors';

const BINARY = {
  module_name: 'tfjs_binding',
  module_path: './lib/napi-v{napi_build_version}',
  napi_versions: [3, 4, 5, 6, 7, 8],
};

let scratch: string | undefined;

/** Call from afterAll: removes every repository made by this test file. */
export function removeFakeRepos(): void {
  if (scratch) rmSync(scratch, { recursive: true, force: true });
  scratch = undefined;
}

/**
 * A course repository holding a tfjs-node whose install script did or did not
 * run. `index.js` stands in for the real entry, which throws when it cannot
 * load the binding or libtensorflow.
 */
export function fakeRepo(name: string, opts: { binding: boolean; napiVersions?: number[] }): string {
  scratch ??= mkdtempSync(path.join(tmpdir(), 'mlpath-backend-'));
  const repo = path.join(scratch, name);
  const pkg = path.join(repo, 'node_modules', '@tensorflow', 'tfjs-node');
  mkdirSync(pkg, { recursive: true });
  const binary = { ...BINARY, napi_versions: opts.napiVersions ?? BINARY.napi_versions };
  writeFileSync(
    path.join(pkg, 'package.json'),
    JSON.stringify({ name: '@tensorflow/tfjs-node', main: 'index.js', binary }),
  );
  writeFileSync(
    path.join(pkg, 'index.js'),
    "throw new Error('libtensorflow.so.2: cannot open shared object file: No such file or directory');\n",
  );
  if (opts.binding) {
    const napi = Math.max(...binary.napi_versions.filter((v) => v <= Number(process.versions.napi)));
    mkdirSync(path.join(pkg, 'lib', `napi-v${napi}`), { recursive: true });
    writeFileSync(path.join(pkg, 'lib', `napi-v${napi}`, 'tfjs_binding.node'), '');
  }
  return repo;
}

export async function rejection(promise: Promise<unknown>): Promise<UsageError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(UsageError);
  return error as UsageError;
}
