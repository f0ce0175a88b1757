/**
 * The questions of `mlpath start` in a terminal: folder and domain track.
 * `--yes` or flags skip them.
 */
import { loadCurriculum } from '../curriculum';

export interface StartAnswers {
  dir?: string;
  track?: string;
}

export async function startWizard(given: { dir?: string; track?: string; curriculum?: string }): Promise<StartAnswers> {
  const { input, select } = await import('@inquirer/prompts');
  const curriculum = loadCurriculum(given.curriculum);
  const dir = given.dir ?? (await input({ message: 'Where should the workspace go?', default: 'ml-path' }));
  let track = given.track;
  if (!track && curriculum.tracks.length) {
    track = await select({
      message: 'Month 3 has a domain track. Which one?',
      default: curriculum.defaultTrack,
      choices: curriculum.tracks.map((t) => ({ name: `${t.title}: ${t.description}`, value: t.id })),
    });
  }
  return { dir, track };
}
