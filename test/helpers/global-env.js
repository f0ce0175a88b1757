/**
 * Jest's global setup, in the process that starts the test workers: the CI
 * variables are removed before any worker exists, so processes a test spawns
 * without an explicit `env` (they inherit the real environment, not the test
 * sandbox's copy that test/helpers/env.ts cleans) also run as a learner's
 * terminal would. Tests of CI behaviour set the variables themselves.
 */
const path = require('node:path');

module.exports = async function globalSetup() {
  const { CI_VARIABLES } = require(path.join(__dirname, '..', '..', 'dist', 'workspace', 'curriculum.js'));
  for (const name of CI_VARIABLES) delete process.env[name];
  // Type-checking learner files costs each check a second of CPU on a worker thread; the tests of
  // that feature (test/integration/typecheck.test.ts) turn it back on, the others grade without it.
  process.env.MLPATH_TYPECHECK = '0';
};
