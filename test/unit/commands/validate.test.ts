import * as path from 'node:path';
import { run } from '../../../src/commands/validate';
import { CurriculumError } from '../../../src/errors';

const FIXTURES = path.resolve(__dirname, '../../fixtures/curricula');

describe('validate', () => {
  it('resolves the file against cwd and counts months, exercises and ready exercises', async () => {
    await expect(run({ file: 'valid.yaml', cwd: FIXTURES })).resolves.toEqual({
      file: path.join(FIXTURES, 'valid.yaml'),
      months: 2,
      exercises: 4,
      ready: 3,
    });
  });

  it('accepts an absolute file whatever the cwd', async () => {
    const result = await run({ file: path.join(FIXTURES, 'valid.yaml'), cwd: '/' });
    expect(result.file).toBe(path.join(FIXTURES, 'valid.yaml'));
  });

  it('rejects an invalid curriculum with every issue', async () => {
    const error: unknown = await run({ file: 'ready-train-incomplete.yaml', cwd: FIXTURES }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CurriculumError);
    expect((error as CurriculumError).issues.map((i) => i.field)).toEqual([
      'months[0].exercises[0].dataset',
      'months[0].exercises[0].task',
      'months[0].exercises[0].metrics',
    ]);
  });
});
