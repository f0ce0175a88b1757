/**
 * `mlpath doctor`: what a learner or instructor needs to know when something
 * is off: Node version, which TensorFlow.js backend would be used and why,
 * how to get the native one, the dataset cache and the workspace's health.
 * It probes; it does not load TensorFlow.js.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { nativeFix, probeBackends, type BackendProbe } from '../backend/probe';
import { pinnedSpecProblem } from '../ci/workflows';
import { cacheDir } from '../datasets';
import { loadProgress } from '../progress/store';
import { findWorkspaceRoot, readWorkspace } from '../workspace';
import { loadWorkspaceCurriculum } from '../workspace/curriculum';

export interface DoctorCheck {
  name: string;
  ok: boolean;
  detail: string;
  fix?: string;
}

export interface DoctorResult {
  checks: DoctorCheck[];
  backends: BackendProbe[];
  active?: string;
}

/**
 * A course repository must get mlpath from a pinned source: a registry
 * range (`^0.1.0`) would install whatever was published under the name.
 */
function coursePackageCheck(root: string): DoctorCheck | undefined {
  let pkg: Record<string, Record<string, string> | undefined>;
  try {
    pkg = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')) as typeof pkg;
  } catch {
    return undefined;
  }
  const spec = pkg.dependencies?.mlpath ?? pkg.devDependencies?.mlpath;
  if (spec === undefined) return undefined;
  const problem = pinnedSpecProblem(spec);
  return {
    name: 'course package',
    ok: !problem,
    detail: `package.json installs mlpath from ${spec}`,
    fix: problem
      ? 'run `mlpath ci init` to vendor mlpath (vendor/mlpath-<version>.tgz), or name a git URL with a tag'
      : undefined,
  };
}

export async function run(opts: { cwd: string }): Promise<DoctorResult> {
  const checks: DoctorCheck[] = [];
  const major = Number(process.versions.node.split('.')[0]);
  checks.push({
    name: 'node',
    ok: major >= 20,
    detail: `Node.js ${process.version}`,
    fix: major >= 20 ? undefined : 'install Node.js 20 or newer',
  });
  const backends = probeBackends();
  const requested = process.env.MLPATH_BACKEND;
  const active = requested
    ? backends.find((b) => b.name === requested && b.available)?.name
    : backends.find((b) => b.available)?.name;
  const native = backends.find((b) => b.name === 'tensorflow');
  checks.push({
    name: 'backend',
    ok: active !== undefined,
    detail: active
      ? `${active}${requested ? ' (MLPATH_BACKEND)' : ''}${active === 'tensorflow' ? ', native libtensorflow: the fast path' : ''}`
      : requested
        ? `MLPATH_BACKEND=${requested} is not available`
        : 'no backend available',
  });
  checks.push({
    name: 'native backend',
    ok: !!native?.available,
    detail: native?.available ? '@tensorflow/tfjs-node works' : `not usable: ${native?.reason ?? 'unknown'}`,
    fix: native?.available ? undefined : nativeFix(),
  });
  const cache = cacheDir();
  const cached = fs.existsSync(cache) ? fs.readdirSync(cache).length : 0;
  checks.push({ name: 'dataset cache', ok: true, detail: `${cache} (${cached} file${cached === 1 ? '' : 's'})` });
  const root = findWorkspaceRoot(opts.cwd);
  if (!root) {
    checks.push({
      name: 'workspace',
      ok: true,
      detail: 'not inside a workspace',
      fix: 'run `mlpath start` to create one',
    });
  } else {
    try {
      const ws = readWorkspace(root);
      const { curriculum, mismatch } = loadWorkspaceCurriculum(ws);
      checks.push({
        name: 'workspace',
        ok: !mismatch,
        detail: `${root}: ${curriculum.id} ${curriculum.version}${ws.config.track ? `, track ${ws.config.track}` : ''}`,
        fix: mismatch,
      });
      const pkg = coursePackageCheck(root);
      if (pkg) checks.push(pkg);
      const progress = loadProgress(root);
      checks.push({
        name: 'progress',
        ok: !progress.recoveredFrom,
        detail: progress.recoveredFrom
          ? `was unreadable; moved to ${path.relative(root, progress.recoveredFrom)}`
          : `${Object.keys(progress.progress.exercises).length} exercise(s) attempted`,
      });
    } catch (err) {
      checks.push({
        name: 'workspace',
        ok: false,
        detail: (err as Error).message,
        fix: 'fix mlpath.json or run `mlpath start`',
      });
    }
  }
  return { checks, backends, active };
}
