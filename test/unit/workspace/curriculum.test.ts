/**
 * The rule for which curriculum grades a workspace, and when a pin that does
 * not match it breaks the grade or only warns (see src/workspace/curriculum.ts).
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { defaultCurriculumPath, loadCurriculum } from '../../../src/curriculum';
import type { Workspace, WorkspaceConfig } from '../../../src/workspace';
import { gradingStrictly, loadWorkspaceCurriculum } from '../../../src/workspace/curriculum';

const COURSE = path.resolve(__dirname, '..', '..', 'fixtures', 'course', 'curriculum.yaml');

function workspace(config: Partial<WorkspaceConfig>, curriculumFile?: string): Workspace {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'mlpath-ws-'));
  const builtIn = loadCurriculum();
  return {
    root,
    config: { curriculum: builtIn.id, curriculumVersion: builtIn.version, curriculumHash: builtIn.hash, ...config },
    curriculumFile,
  };
}

describe('gradingStrictly', () => {
  test.each([
    [{}, false],
    [{ CI: 'true' }, true],
    [{ CI: '1' }, true],
    [{ CI: 'false' }, false],
    [{ CI: '' }, false],
    [{ GITHUB_ACTIONS: 'true' }, true],
    [{ GITLAB_CI: 'true' }, true],
    [{ JENKINS_URL: 'http://ci' }, true],
    [{ MLPATH_GRADING: '1' }, true],
  ])('%j -> %s', (env, strict) => {
    expect(gradingStrictly(env)).toBe(strict);
  });
});

describe('loadWorkspaceCurriculum', () => {
  const saved = process.env.MLPATH_CURRICULUM;
  beforeEach(() => delete process.env.MLPATH_CURRICULUM);
  afterAll(() => {
    if (saved !== undefined) process.env.MLPATH_CURRICULUM = saved;
  });

  test('the built-in curriculum of an older mlpath only warns', () => {
    const wc = loadWorkspaceCurriculum(workspace({ curriculumVersion: '0.0.1' }));
    expect(wc.source).toBe('built-in');
    expect(wc.mismatch).toMatch(/version 0\.0\.1/);
    expect(wc.pinBroken).toBe(false);
    const changed = loadWorkspaceCurriculum(workspace({ curriculumHash: 'f'.repeat(64) }));
    expect(changed.pinBroken).toBe(false);
  });

  test('another curriculum id is a broken pin, whatever grades', () => {
    expect(loadWorkspaceCurriculum(workspace({ curriculum: 'someone-else' })).pinBroken).toBe(true);
  });

  test('an instructor file: a different hash, or none, is a broken pin', () => {
    const course = loadCurriculum(COURSE);
    const pinned = { curriculum: course.id, curriculumVersion: course.version };
    const ok = loadWorkspaceCurriculum(workspace({ ...pinned, curriculumHash: course.hash }), {
      override: COURSE,
      strict: true,
    });
    expect(ok).toMatchObject({ source: 'override', pinBroken: false });
    expect(ok.mismatch).toBeUndefined();
    expect(
      loadWorkspaceCurriculum(workspace({ ...pinned, curriculumHash: 'f'.repeat(64) }), { override: COURSE }).pinBroken,
    ).toBe(true);
    expect(
      loadWorkspaceCurriculum(workspace({ ...pinned, curriculumHash: undefined }), { override: COURSE }).pinBroken,
    ).toBe(true);
  });

  test('strict: the file mlpath.json names is refused, unless it is the built-in one', () => {
    const course = loadCurriculum(COURSE);
    const named = workspace(
      { curriculum: course.id, curriculumVersion: course.version, curriculumHash: course.hash, curriculumFile: COURSE },
      COURSE,
    );
    expect(loadWorkspaceCurriculum(named).source).toBe('workspace');
    expect(() => loadWorkspaceCurriculum(named, { strict: true })).toThrow(
      /names its own curriculum file.*--curriculum/,
    );
    process.env.MLPATH_CURRICULUM = COURSE;
    expect(loadWorkspaceCurriculum(named, { strict: true }).source).toBe('override');
    delete process.env.MLPATH_CURRICULUM;
    const builtIn = workspace({ curriculumFile: defaultCurriculumPath() }, defaultCurriculumPath());
    expect(loadWorkspaceCurriculum(builtIn, { strict: true }).source).toBe('built-in');
  });

  test('strict: an override inside the workspace is graded, with a warning', () => {
    const course = loadCurriculum(COURSE);
    const ws = workspace({ curriculum: course.id, curriculumVersion: course.version, curriculumHash: course.hash });
    const inside = path.join(ws.root, 'course.yaml');
    const base = path.dirname(COURSE);
    fs.writeFileSync(
      inside,
      fs
        .readFileSync(COURSE, 'utf8')
        .replace(/(template|solution): (\S+)/g, (_, k: string, rel: string) => `${k}: ${path.resolve(base, rel)}`),
    );
    const wc = loadWorkspaceCurriculum(
      { ...ws, config: { ...ws.config, curriculumHash: loadCurriculum(inside).hash } },
      { override: inside, strict: true },
    );
    expect(wc.source).toBe('override');
    expect(wc.warnings.join('\n')).toMatch(/lies inside the workspace/);
  });
});
