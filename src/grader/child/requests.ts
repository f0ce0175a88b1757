/**
 * Requests the grader may send a trained `train` child besides `predict`,
 * each answered by the grader's own code here:
 * - `candidates`: the models the learner compared (the predictor's
 *   `candidates`, month2/classical-ml), each asked for predictions on the
 *   inputs sent, so the grader can score them itself (grader/selection.ts);
 * - `scoreSaved`: models saved on disk (the models runs logged, month4/tracking),
 *   each loaded and asked for predictions.
 * A candidate or a saved model that cannot answer is reported with why, never
 * thrown: the grader turns it into a finding.
 */
import type { Tensor } from '@tensorflow/tfjs';
import { loadModel } from '../../serving/model-io';
import type { HarnessContext } from './context';
import type { ParentMessage, WireTensor } from '../protocol';
import { fromTensor, toTensor } from './wire';

type Entry = { name: string; baseline: boolean; claimed: number | null; tensor?: WireTensor; error?: string };

const MAX_CANDIDATES = 100;

function messageOf(err: unknown): string {
  return (err instanceof Error ? err.message : String(err)).slice(0, 300);
}

async function answerCandidates(ctx: HarnessContext, predictor: unknown, x: WireTensor, claim: string): Promise<void> {
  const p = (predictor ?? {}) as { candidates?: unknown; chosen?: unknown };
  const chosen = typeof p.chosen === 'string' ? p.chosen.slice(0, 200) : null;
  const list = p.candidates;
  if (!Array.isArray(list)) {
    const problem =
      list === undefined
        ? 'train() returned no `candidates`'
        : `\`candidates\` must be an array of { name, ${claim}, predict }, but it is ${list === null ? 'null' : typeof list}`;
    ctx.send({ type: 'candidates', chosen, entries: [], problem });
    return;
  }
  const entries: Entry[] = [];
  for (const [i, item] of list.slice(0, MAX_CANDIDATES).entries()) {
    const c = (item ?? {}) as Record<string, unknown>;
    const name = typeof c.name === 'string' && c.name ? c.name.slice(0, 200) : `candidates[${i}]`;
    const value = c[claim];
    const entry: Entry = {
      name,
      baseline: c.baseline === true,
      claimed: typeof value === 'number' && Number.isFinite(value) ? value : null,
    };
    if (typeof c.predict !== 'function') {
      entry.error = 'it has no predict(x) method';
    } else {
      try {
        const out = await (c.predict as (t: Tensor) => unknown).call(c, toTensor(ctx.tf, x));
        entry.tensor = await fromTensor(ctx, out, `candidates[${i}].predict(x)`);
      } catch (err) {
        entry.error = `its predict(x) failed: ${messageOf(err)}`;
      }
    }
    entries.push(entry);
  }
  await ctx.settle();
  ctx.send({ type: 'candidates', chosen, entries });
}

async function answerSaved(ctx: HarnessContext, models: { id: string; dir: string }[], x: WireTensor): Promise<void> {
  const results: { id: string; tensor?: WireTensor; error?: string }[] = [];
  for (const { id, dir } of models) {
    try {
      const model = await loadModel(ctx.tf, dir);
      try {
        const input = toTensor(ctx.tf, x);
        const out = model.predict(input);
        results.push({ id, tensor: await fromTensor(ctx, out, 'the logged model') });
        ctx.tf.dispose([input, out]);
      } finally {
        model.dispose();
      }
    } catch (err) {
      results.push({ id, error: messageOf(err) });
    }
  }
  ctx.send({ type: 'savedScores', results });
}

/** Answers `m` when it is one of these requests; false when it is not. */
export async function answerGraderRequest(ctx: HarnessContext, predictor: unknown, m: ParentMessage): Promise<boolean> {
  if (m.type === 'candidates') {
    await answerCandidates(ctx, predictor, m.x, m.claim);
    return true;
  }
  if (m.type === 'scoreSaved') {
    await answerSaved(ctx, m.models, m.x);
    return true;
  }
  return false;
}
