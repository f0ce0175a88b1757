#!/usr/bin/env node
/**
 * Bundles the child side of the grader (dist/grader/harness.js and what it
 * imports) into one file, dist/grader/child.cjs. The sandboxed child may then
 * read that one file of mlpath's, not the whole of dist/: the dataset loaders
 * and generators there would hand graded code the held-out data. So the build
 * fails if the bundle would take in a dataset module or a kind's parent side
 * (which loads the datasets), or zod: only the parent validates messages, and
 * loading zod and the protocol's schemas cost every child about 25 ms.
 * TensorFlow.js stays external (the child loads the installed packages).
 */
const path = require('node:path');
const esbuild = require('esbuild');

const root = path.resolve(__dirname, '..');
const NEVER_IN_CHILD = [
  /^dist\/datasets\//,
  /^dist\/grader\/kinds\/[^/]+\/parent\.js$/,
  /^dist\/grader\/(grade|runner)\.js$/,
  /^node_modules\/zod\//,
];

esbuild
  .build({
    entryPoints: [path.join(root, 'dist', 'grader', 'harness.js')],
    outfile: path.join(root, 'dist', 'grader', 'child.cjs'),
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    external: ['@tensorflow/*'],
    logLevel: 'warning',
    metafile: true,
  })
  .then((result) => {
    const inputs = Object.keys(result.metafile.inputs).map((p) =>
      path.relative(root, path.resolve(p)).split(path.sep).join('/'),
    );
    const leaked = inputs.filter((p) => NEVER_IN_CHILD.some((re) => re.test(p)));
    if (leaked.length) {
      const shown = leaked.slice(0, 5).join(', ') + (leaked.length > 5 ? ` and ${leaked.length - 5} more` : '');
      console.error(
        `bundle-child: the child bundle must not contain ${shown}: the harness imports a parent-side module (or zod)`,
      );
      process.exitCode = 1;
    }
  })
  .catch(() => {
    process.exitCode = 1;
  });
