/** The instructor's authoring loop: new exercise, validate, validate --solutions. */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { COURSE, runCli, tempDir } from '../helpers/cli';

function copyCourse(): string {
  const dir = tempDir('mlpath-course-');
  fs.cpSync(path.dirname(COURSE), dir, { recursive: true });
  return path.join(dir, 'curriculum.yaml');
}

test('validate --solutions grades every starter (fails) and reference (passes)', () => {
  const r = runCli(['validate', '--solutions', COURSE], tempDir());
  expect(r.stdout).toMatch(/3\/3 exercises verified/);
  expect(r.stdout).toMatch(/ok {3}m1\/iris/);
  expect(r.code).toBe(0);
});

test('validate --solutions fails when a reference does not pass', () => {
  const file = copyCourse();
  fs.writeFileSync(
    path.join(path.dirname(file), 'solutions', 'iris', 'train.ts'),
    fs.readFileSync(path.join(path.dirname(file), 'exercises', 'iris', 'train.ts')),
  );
  const r = runCli(['validate', '--solutions', file], tempDir());
  expect(r.code).toBe(1);
  expect(r.stdout).toMatch(/FAIL m1\/iris/);
  expect(r.stdout).toMatch(/0\/3 exercises verified/);
});

test('new exercise adds a planned entry, keeps comments, and the file stays valid', () => {
  const file = copyCourse();
  const r = runCli(['new', 'exercise', 'm2/digits', '--curriculum', file, '--title', 'Digits'], path.dirname(file));
  expect(r.code).toBe(0);
  const text = fs.readFileSync(file, 'utf8');
  expect(text).toMatch(/# A small course for the grader's integration tests/);
  expect(text).toMatch(/id: digits/);
  expect(fs.existsSync(path.join(path.dirname(file), 'exercises', 'm2', 'digits', 'train.ts'))).toBe(true);
  expect(fs.existsSync(path.join(path.dirname(file), 'solutions', 'm2', 'digits', 'train.ts'))).toBe(true);
  expect(runCli(['validate', file], path.dirname(file)).code).toBe(0);
  const again = runCli(['new', 'exercise', 'm2/digits', '--curriculum', file], path.dirname(file));
  expect(again.code).toBe(2);
  expect(again.stderr).toMatch(/already exists/);
});

/** Fixtures of what validate checks beyond the shape, each problem marked `# expect <field>` on its line. */
const MEANING = [
  'unknown-kind',
  'unknown-dataset',
  'unknown-dataset-option',
  'dataset-option-value',
  'unknown-suite',
  'suite-metric',
  'metric-task',
  'budget-bounds',
  'unknown-option',
  'option-task',
  'lesson-metric-notes',
];

test.each(MEANING)('validate %s.yaml: exit 2, every problem as file:line: field: message', (name) => {
  const file = path.join(path.dirname(COURSE), '..', 'curricula', `${name}.yaml`);
  const expected = fs
    .readFileSync(file, 'utf8')
    .split('\n')
    .flatMap((text, i) => {
      const marker = /#\s*expect\s+(.+)$/.exec(text);
      return marker ? marker[1].split(/,\s*/).map((field) => `${file}:${i + 1}: ${field.trim()}: `) : [];
    });
  const r = runCli(['validate', file], tempDir(), { MLPATH_NO_CURRICULUM_CACHE: '1' });
  expect(r.code).toBe(2);
  expect(r.stdout).toBe('');
  const reported = r.stderr
    .replace(/^mlpath: /, '')
    .trimEnd()
    .split('\n')
    .filter((l) => l.startsWith(file));
  expect(reported).toHaveLength(expected.length);
  for (const [i, prefix] of expected.entries()) expect(reported[i].startsWith(prefix)).toBe(true);
});
