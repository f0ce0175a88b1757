/**
 * What a workspace holds for a course's CI: a tsconfig.json without
 * absolute paths that names the curriculum's month folders, and a
 * `doctor` that flags a package.json installing mlpath from a registry.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { run as doctor } from '../../../src/commands/doctor';
import { run as start } from '../../../src/commands/start';
import { pinnedSpecProblem } from '../../../src/ci/workflows';

const COURSE = path.join(__dirname, '..', '..', 'fixtures', 'ci-course', 'course.yaml');

function tmp(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'mlpath-course-files-'));
}

test("tsconfig.json: relative paths to the install or to the workspace's own node_modules, and the course's months", async () => {
  const dir = tmp();
  const installed = await start({ cwd: dir, dir: 'ws', curriculum: COURSE });
  const config = JSON.parse(fs.readFileSync(path.join(installed.root, 'tsconfig.json'), 'utf8'));
  expect(config.include).toEqual(['week1/**/*.ts']);
  for (const p of [
    ...config.compilerOptions.typeRoots,
    ...Object.values(config.compilerOptions.paths as Record<string, string[]>).flat(),
  ])
    expect(path.isAbsolute(p)).toBe(false);
  // Relative, yet still the running install: resolved from the workspace it names mlpath's own types.
  expect(fs.existsSync(path.resolve(installed.root, config.compilerOptions.paths.mlpath[0]))).toBe(true);
  const local = await start({ cwd: dir, dir: 'template', curriculum: COURSE, localInstall: true });
  const templateConfig = JSON.parse(fs.readFileSync(path.join(local.root, 'tsconfig.json'), 'utf8'));
  expect(templateConfig.compilerOptions.paths.mlpath).toEqual(['./node_modules/mlpath/dist/index.d.ts']);
  expect(templateConfig.compilerOptions.typeRoots).toEqual(['./node_modules/@types']);
});

test('doctor flags a course package.json that would install mlpath from a registry', async () => {
  const dir = tmp();
  const ws = (await start({ cwd: dir, dir: 'ws', curriculum: COURSE })).root;
  fs.writeFileSync(path.join(ws, 'package.json'), JSON.stringify({ devDependencies: { mlpath: '^0.1.0' } }));
  expect((await doctor({ cwd: ws })).checks.find((c) => c.name === 'course package')).toMatchObject({
    ok: false,
    fix: expect.stringMatching(/mlpath ci init/),
  });
  fs.writeFileSync(
    path.join(ws, 'package.json'),
    JSON.stringify({ devDependencies: { mlpath: 'file:vendor/mlpath-0.1.0.tgz' } }),
  );
  expect((await doctor({ cwd: ws })).checks.find((c) => c.name === 'course package')).toMatchObject({ ok: true });
  for (const ok of [
    'file:vendor/mlpath-0.1.0.tgz',
    'git+https://example.invalid/mlpath.git#v0.1.0',
    'github:org/mlpath#v0.1.0',
  ])
    expect(pinnedSpecProblem(ok)).toBeUndefined();
  for (const bad of ['^0.1.0', 'latest', '0.1.0', 'mlpath@0.1.0'])
    expect(pinnedSpecProblem(bad)).toMatch(/looked up in the npm registry/);
});
