import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { CurriculumError } from '../../../src/errors';
import { loadCurriculum } from '../../../src/curriculum';
import { MAX_BUDGET_SECONDS } from '../../../src/curriculum/schema';

const VALID = path.resolve(__dirname, '../../fixtures/curricula/valid.yaml');

/** valid.yaml, with its one budget set to `seconds`, loaded from a copy beside it (templates resolve the same). */
function loadWithBudget(seconds: number): unknown {
  const text = fs.readFileSync(VALID, 'utf8').replace('budget: { seconds: 30 }', `budget: { seconds: ${seconds} }`);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mlpath-budget-'));
  const file = path.join(dir, 'curriculum.yaml');
  fs.writeFileSync(file, text);
  for (const folder of ['exercises', 'solutions'])
    fs.symlinkSync(path.join(path.dirname(VALID), folder), path.join(dir, folder));
  try {
    return loadCurriculum(file);
  } catch (err) {
    return err;
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

describe('budget.seconds', () => {
  test('a day is the longest budget', () => {
    expect(MAX_BUDGET_SECONDS).toBe(24 * 60 * 60);
    expect(loadWithBudget(MAX_BUDGET_SECONDS)).not.toBeInstanceOf(Error);
  });

  test('past it (where Node timers overflow and fire at once) the curriculum is refused with the field, line and limit', () => {
    const err = loadWithBudget(2 ** 31 / 1000 + 1);
    expect(err).toBeInstanceOf(CurriculumError);
    const issues = (err as CurriculumError).issues;
    expect(issues).toHaveLength(1);
    expect(issues[0].field).toMatch(/budget\.seconds$/);
    expect(issues[0].line).toBe(42);
    expect(issues[0].message).toMatch(/at most 86400 seconds \(24 hours\)/);
  });
});
