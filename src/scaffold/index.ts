/**
 * Renders exercise templates into a workspace without ever clobbering a
 * learner's edit. `.mlpath/scaffold.json` remembers the hash of every file
 * mlpath wrote: a file still matching it is mlpath's and may be refreshed, a
 * file that differs is the learner's and is left alone, a missing file is
 * written again.
 */
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { writeJsonAtomic } from '../atomic-write';

export interface ScaffoldReport {
  created: string[];
  updated: string[];
  kept: string[];
  unchanged: string[];
}

type Manifest = Record<string, string>;

export function sha256(content: string | Buffer): string {
  return createHash('sha256').update(content).digest('hex');
}

function manifestFile(root: string): string {
  return path.join(root, '.mlpath', 'scaffold.json');
}

export function readManifest(root: string): Manifest {
  try {
    return JSON.parse(fs.readFileSync(manifestFile(root), 'utf8')) as Manifest;
  } catch {
    return {};
  }
}

export function emptyReport(): ScaffoldReport {
  return { created: [], updated: [], kept: [], unchanged: [] };
}

/** Writes `files` (workspace-relative path -> content), honouring learner edits. */
export function writeFiles(
  root: string,
  files: Map<string, string | Buffer>,
  report = emptyReport(),
  force = false,
): ScaffoldReport {
  const manifest = readManifest(root);
  for (const [rel, content] of files) {
    const target = path.join(root, rel);
    const hash = sha256(content);
    if (fs.existsSync(target)) {
      const current = sha256(fs.readFileSync(target));
      if (current === hash) {
        manifest[rel] = hash;
        report.unchanged.push(rel);
        continue;
      }
      if (!force && manifest[rel] !== current) {
        report.kept.push(rel);
        continue;
      }
      fs.writeFileSync(target, content);
      manifest[rel] = hash;
      report.updated.push(rel);
      continue;
    }
    fs.mkdirSync(path.dirname(target), { recursive: true });
    fs.writeFileSync(target, content);
    manifest[rel] = hash;
    report.created.push(rel);
  }
  writeJsonAtomic(manifestFile(root), manifest);
  return report;
}

/** Every file under a template folder, as workspace-relative path -> content. */
export function templateFiles(templateDir: string, targetRel: string): Map<string, Buffer> {
  const files = new Map<string, Buffer>();
  const walk = (dir: string): void => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(full);
      else
        files.set(
          path.join(targetRel, path.relative(templateDir, full)).split(path.sep).join('/'),
          fs.readFileSync(full),
        );
    }
  };
  walk(templateDir);
  return files;
}
