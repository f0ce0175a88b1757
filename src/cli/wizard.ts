/**
 * `mlpath start` in a terminal: where the workspace goes, which domain track
 * month 3 follows, which TensorFlow.js backend training will use (and how to
 * get the native one), then a last confirmation. `--yes` skips every
 * question and each flag skips its own; nothing is written until the
 * learner has said yes (or answered everything by flags).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { loadCurriculum } from '../curriculum';
import { findWorkspaceRoot } from '../workspace';

export interface StartAnswers {
  dir?: string;
  track?: string;
  /** False when the learner declined at the confirmation. */
  proceed: boolean;
}

export interface WizardInput {
  cwd: string;
  dir?: string;
  track?: string;
  curriculum?: string;
  color: boolean;
  print: (text: string) => void;
}

/** Why a folder cannot hold a new workspace, or undefined when it can. */
export function folderProblem(cwd: string, dir: string): string | undefined {
  const target = path.resolve(cwd, dir.trim() || '.');
  if (fs.existsSync(target) && !fs.statSync(target).isDirectory()) return `${target} exists and is not a folder`;
  const enclosing = findWorkspaceRoot(target);
  if (enclosing && enclosing !== target) return `${target} is inside the workspace ${enclosing}; choose another folder`;
  return undefined;
}

export async function startWizard(input: WizardInput): Promise<StartAnswers> {
  const { input: ask, select, confirm } = await import('@inquirer/prompts');
  const { formatBackend } = await import('../reporters/status');
  const { nativeFix, probeBackends } = await import('../backend/probe');
  const curriculumFile = input.curriculum ? path.resolve(input.cwd, input.curriculum) : undefined;
  const here = findWorkspaceRoot(input.cwd);
  const existingConfig = here === path.resolve(input.cwd) ? readTrack(here) : undefined;
  const curriculum = loadCurriculum(curriculumFile ?? existingConfig?.curriculumFile);
  input.print(
    `${curriculum.title}: ${curriculum.months.length} months, one folder per exercise, graded on data your code never sees.\n`,
  );

  const dir =
    input.dir ??
    (
      await ask({
        message:
          here === path.resolve(input.cwd)
            ? 'Folder for your workspace (this one is already a workspace: "." updates it)'
            : 'Folder for your workspace',
        default: here === path.resolve(input.cwd) ? '.' : 'ml-path',
        validate: (value) => folderProblem(input.cwd, value) ?? true,
      })
    ).trim();

  let track = input.track;
  if (!track && curriculum.tracks.length) {
    const width = Math.max(...curriculum.tracks.map((t) => t.id.length));
    track = await select({
      message: 'Month 3 follows one domain track. Which one?',
      default: existingConfig?.track ?? curriculum.defaultTrack,
      choices: curriculum.tracks.map((t) => ({
        name: `${t.id.padEnd(width)}  ${t.title}${t.description ? `: ${t.description}` : ''}`,
        value: t.id,
        short: t.id,
      })),
    });
  }

  input.print(formatBackend(probeBackends(), nativeFix(), input.color, true));
  const target = path.resolve(input.cwd, dir || '.');
  const exists = fs.existsSync(path.join(target, 'mlpath.json'));
  // Flags that answered every question need no confirmation either.
  const asked = input.dir === undefined || (input.track === undefined && curriculum.tracks.length > 0);
  const proceed =
    !asked ||
    (await confirm({ message: `${exists ? 'Update' : 'Create'} the workspace in ${target}?`, default: true }));
  return { dir, track, proceed };
}

function readTrack(root: string): { track?: string; curriculumFile?: string } | undefined {
  try {
    const config = JSON.parse(fs.readFileSync(path.join(root, 'mlpath.json'), 'utf8')) as {
      track?: string;
      curriculumFile?: string;
    };
    return {
      track: config.track,
      curriculumFile: config.curriculumFile ? path.resolve(root, config.curriculumFile) : undefined,
    };
  } catch {
    return undefined;
  }
}
