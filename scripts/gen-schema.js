#!/usr/bin/env node
/**
 * Regenerates schema/curriculum.schema.json from the zod schema, via the
 * built code (run `npm run build` first).
 *   node scripts/gen-schema.js           write the file
 *   node scripts/gen-schema.js --check   exit 1 if the committed file is stale
 */
'use strict';
const fs = require('node:fs');
const path = require('node:path');

const root = path.resolve(__dirname, '..');
const target = path.join(root, 'schema', 'curriculum.schema.json');
const built = path.join(root, 'dist', 'curriculum', 'json-schema.js');

if (!fs.existsSync(built)) {
  console.error(`${path.relative(root, built)} is missing: run \`npm run build\` first.`);
  process.exitCode = 2;
} else {
  const text = require(built).curriculumJsonSchemaText();
  const current = fs.existsSync(target) ? fs.readFileSync(target, 'utf8') : null;
  if (process.argv.includes('--check')) {
    if (current !== text) {
      console.error(
        `${path.relative(root, target)} is out of date: run \`npm run build && node scripts/gen-schema.js\`.`,
      );
      process.exitCode = 1;
    }
  } else if (current === text) {
    console.log(`${path.relative(root, target)} is up to date.`);
  } else {
    fs.mkdirSync(path.dirname(target), { recursive: true });
    fs.writeFileSync(target, text);
    console.log(`wrote ${path.relative(root, target)}`);
  }
}
