#!/usr/bin/env node
/**
 * Bundles the child side of the grader (dist/grader/harness.js and what it
 * imports) into one file, dist/grader/child.cjs. The sandboxed child may then
 * read that one file of mlpath's, not the whole of dist/: the dataset loaders
 * and generators there would hand graded code the held-out data.
 * TensorFlow.js stays external (the child loads the installed packages).
 */
const path = require('node:path');
const esbuild = require('esbuild');

const root = path.resolve(__dirname, '..');
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
  })
  .catch(() => process.exit(1));
