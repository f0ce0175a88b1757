/**
 * Tests run as a learner's terminal would, even inside CI: `check` in CI
 * refuses a workspace-named curriculum, and most tests grade fixture courses
 * that way. Tests of CI behaviour set the variables they need themselves.
 */
import { CI_VARIABLES } from '../../src/workspace/curriculum';

for (const name of CI_VARIABLES) delete process.env[name];
