/**
 * `mlpath` with no arguments in a terminal: a menu of what to do next.
 * Outside a workspace it offers to create one.
 */
import { findWorkspaceRoot } from '../workspace';
import { makeOut } from './output';

export async function menu(): Promise<number> {
  const { select, confirm } = await import('@inquirer/prompts');
  const out = makeOut();
  if (!findWorkspaceRoot(process.cwd())) {
    const create = await confirm({ message: 'There is no mlpath workspace here. Create one?', default: true });
    if (!create) {
      out.print('Run `mlpath start <folder>` when you are ready, or `mlpath --help`.');
      return 0;
    }
    const { startWizard } = await import('./wizard');
    const answers = await startWizard({});
    const { run } = await import('../commands/start');
    const { formatStart } = await import('../reporters/status');
    out.print(formatStart(await run({ cwd: process.cwd(), ...answers }), out.color));
    return 0;
  }
  const { run: status } = await import('../commands/status');
  for (;;) {
    const s = await status({ cwd: process.cwd() });
    const choice = await select({
      message: s.next ? `Next up: ${s.next.key} (${s.next.title})` : 'Every exercise has passed.',
      choices: [
        ...(s.next ? [{ name: `Check ${s.next.key}`, value: 'check' }] : []),
        { name: 'Show progress', value: 'status' },
        { name: 'Quit', value: 'quit' },
      ],
    });
    if (choice === 'quit') return 0;
    if (choice === 'status') {
      out.print((await import('../reporters/status')).formatStatus(s, out.color));
    } else if (choice === 'check' && s.next) {
      const { checkCli } = await import('./check');
      await checkCli([s.next.key], {});
    }
  }
}
