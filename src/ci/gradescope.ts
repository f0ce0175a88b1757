/**
 * Gradescope's autograder contract: a zip with `setup.sh` (run once, as
 * root, when Gradescope builds the image) and an executable
 * `run_autograder` at its root, unpacked into /autograder/source; each
 * submission arrives in /autograder/submission, in whatever shape the
 * student uploaded (a whole repository, a folder, one file), and
 * run_autograder must leave /autograder/results/results.json.
 *
 * This module writes the two scripts and reads an upload onto a workspace.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { LoadedExercise } from '../curriculum';
import { NODE_LTS } from './workflows';

export interface AutograderScripts {
  curriculum: string;
  sha256: string;
  exercises: string[];
  holdout?: string;
  visibility: string;
  /** Dataset ids to load at build time, so the first submission does not parse them. */
  datasets: string[];
}

function quote(s: string): string {
  return `'${s.replace(/'/g, `'\\''`)}'`;
}

export function setupScript(s: AutograderScripts): string {
  return `#!/usr/bin/env bash
# Written by \`mlpath gradescope package\`. Gradescope runs it once, as root,
# when it builds the autograder image: Node.js, mlpath (the tarball in
# vendor/, never a registry lookup of the name), and the datasets.
set -euo pipefail
cd "\${AUTOGRADER:-/autograder}/source"

NODE_MAJOR=${NODE_LTS}
if ! command -v node >/dev/null 2>&1 || [ "$(node -p 'process.versions.node.split(".")[0]')" -lt 20 ]; then
  apt-get install -y --no-install-recommends ca-certificates curl xz-utils
  base="https://nodejs.org/dist/latest-v\${NODE_MAJOR}.x"
  curl -fsSL "$base/SHASUMS256.txt" -o /tmp/node-sums.txt
  file=$(awk '/linux-x64\\.tar\\.xz$/ {print $2}' /tmp/node-sums.txt)
  curl -fsSL "$base/$file" -o "/tmp/$file"
  (cd /tmp && grep " $file\\$" node-sums.txt | sha256sum -c -)
  tar -xJf "/tmp/$file" -C /usr/local --strip-components=1
  rm -f "/tmp/$file" /tmp/node-sums.txt
fi

# tfjs-node's install script downloads libtensorflow; where it cannot, npm drops
# the optional package and mlpath grades on wasm (\`mlpath doctor\` below says which).
npm install --no-audit --no-fund
npx --no -- mlpath validate ${quote(s.curriculum)}
${s.datasets.map((d) => `npx --no -- mlpath data info ${quote(d)} >/dev/null`).join('\n')}
npx --no -- mlpath doctor
`;
}

export function runScript(s: AutograderScripts): string {
  const args = [
    '"$AUTOGRADER/submission"',
    '--results "$AUTOGRADER/results/results.json"',
    `--curriculum ${quote(s.curriculum)}`,
    `--curriculum-sha256 ${s.sha256}`,
    ...s.exercises.map((e) => `--exercise ${quote(e)}`),
    ...(s.holdout ? [`--holdout ${quote(s.holdout)}`] : []),
    `--visibility ${s.visibility}`,
  ];
  return `#!/usr/bin/env bash
# Written by \`mlpath gradescope package\`. Gradescope runs it for every
# submission; it always leaves a results.json, whatever was uploaded.
AUTOGRADER="\${AUTOGRADER:-/autograder}"
cd "$AUTOGRADER/source" || exit 1
mkdir -p "$AUTOGRADER/results"
MLPATH_GRADING=1 npx --no -- mlpath gradescope run \\
  ${args.join(' \\\n  ')}
if [ ! -s "$AUTOGRADER/results/results.json" ]; then
  # mlpath itself could not start: the student still gets a result, the log goes to the instructor.
  printf '%s\\n' '{"score":0,"output":"The autograder could not run mlpath on this submission; your instructor can see why in the autograder log.","tests":[]}' > "$AUTOGRADER/results/results.json"
fi
exit 0
`;
}

const SKIP = new Set(['node_modules', '.git', '.mlpath', '__MACOSX', '.github', 'mlruns']);

/** Every regular file of an upload, relative, `/`-separated; symbolic links and tool folders are left out. */
export function uploadFiles(dir: string): string[] {
  const out: string[] = [];
  const walk = (sub: string): void => {
    for (const entry of fs.readdirSync(path.join(dir, sub), { withFileTypes: true })) {
      if (SKIP.has(entry.name) || entry.name === '.DS_Store') continue;
      const rel = sub ? `${sub}/${entry.name}` : entry.name;
      if (entry.isDirectory()) walk(rel);
      else if (entry.isFile()) out.push(rel);
    }
  };
  walk('');
  return out.sort();
}

export interface Placement {
  /** upload-relative path -> workspace-relative path */
  placed: Map<string, string>;
  /** Exercises that got at least one file. */
  exercises: Set<string>;
  /** What the student should know about how the upload was read. */
  notes: string[];
}

/**
 * Where each uploaded file goes in a fresh workspace. A path that contains
 * an exercise's folder (`week1/iris/train.ts`, `my-repo/week1/iris/x.ts`)
 * goes there; a folder named after one exercise id (`iris/train.ts`) goes
 * to that exercise; a bare file goes to the only exercise graded, or to
 * the only one whose entry file has its name. Anything else is named in the
 * notes, never guessed.
 */
export function placeUpload(files: string[], scope: LoadedExercise[]): Placement {
  const placed = new Map<string, string>();
  const exercises = new Set<string>();
  const unplaced: string[] = [];
  const put = (from: string, ex: LoadedExercise, rel: string): void => {
    placed.set(from, `${ex.key}/${rel}`);
    exercises.add(ex.key);
  };
  // A whole workspace (a clone of the learner's repository): only its exercise folders count.
  const workspace = files
    .filter((f) => f === 'mlpath.json' || f.endsWith('/mlpath.json'))
    .sort((a, b) => a.split('/').length - b.split('/').length)[0];
  if (workspace !== undefined) {
    const root = workspace === 'mlpath.json' ? '' : workspace.slice(0, -'/mlpath.json'.length);
    for (const file of files) {
      const rel = root ? (file.startsWith(`${root}/`) ? file.slice(root.length + 1) : undefined) : file;
      const ex = rel === undefined ? undefined : scope.find((e) => rel.startsWith(`${e.key}/`));
      if (ex && rel) put(file, ex, rel.slice(ex.key.length + 1));
    }
    const found = scope.filter((e) => exercises.has(e.key)).map((e) => e.key);
    const notes = [
      `Graded the exercise folders of your workspace${root ? ` (${root}/)` : ''}: ${found.join(', ') || 'none found'}.`,
    ];
    return { placed, exercises, notes };
  }
  for (const file of files) {
    const parts = file.split('/');
    const dirs = parts.slice(0, -1);
    const byPath = scope.find((ex) => {
      const key = ex.key.split('/');
      return dirs.some((_, i) => key.every((k, j) => dirs[i + j] === k));
    });
    if (byPath) {
      const key = byPath.key.split('/');
      const at = dirs.findIndex((_, i) => key.every((k, j) => dirs[i + j] === k));
      put(file, byPath, parts.slice(at + key.length).join('/'));
      continue;
    }
    const byId = scope.filter((ex) => dirs.includes(ex.id));
    if (byId.length === 1) {
      const at = dirs.lastIndexOf(byId[0].id);
      put(file, byId[0], parts.slice(at + 1).join('/'));
      continue;
    }
    if (scope.length === 1) {
      put(file, scope[0], parts[parts.length - 1]);
      continue;
    }
    const byEntry = scope.filter((ex) => ex.entry === parts[parts.length - 1]);
    if (byEntry.length === 1) {
      put(file, byEntry[0], parts[parts.length - 1]);
      continue;
    }
    unplaced.push(file);
  }
  const notes: string[] = [];
  if (placed.size)
    notes.push(
      `Read your upload as: ${[...placed].map(([from, to]) => (from === to ? to : `${from} -> ${to}`)).join(', ')}.`,
    );
  if (unplaced.length) {
    notes.push(
      `Could not tell which exercise these files belong to, so they were not graded: ${unplaced.join(', ')}. Upload them inside their exercise folder (e.g. ${scope[0]?.key}/${scope[0]?.entry ?? 'train.ts'}).`,
    );
  }
  return { placed, exercises, notes };
}
