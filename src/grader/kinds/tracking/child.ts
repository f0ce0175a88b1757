/**
 * The `tracking` kind, child side: a `train` exercise whose TrainContext also
 * carries `tracker`, writing MLflow's file-store layout into the exercise's
 * `mlruns/` (the one folder this child may write to). Everything else,
 * predictions included, is the train kind's.
 */
import { FileTracker, type TrackerOptions } from '../../../tracking/tracker';
import type { HarnessContext } from '../../child/context';
import type { TrainPayload } from '../../protocol';
import { runTrainKind } from '../train/child';

export interface TrackingPayload {
  train: TrainPayload;
  tracking: Pick<TrackerOptions, 'root' | 'experimentName' | 'checkId' | 'sourceName'>;
}

export async function runTrackingKind(ctx: HarnessContext): Promise<void> {
  const payload = ctx.payload as TrackingPayload;
  let tracker: FileTracker;
  try {
    tracker = new FileTracker(payload.tracking);
  } catch (err) {
    ctx.fail({
      kind: 'runtime',
      message: `could not open the experiment in ${payload.tracking.root}: ${err instanceof Error ? err.message : String(err)}`,
    });
  }
  const exported = ctx.exports as unknown;
  const learnerTrain = ctx.exports.default ?? (typeof exported === 'function' ? exported : undefined);
  const exports =
    typeof learnerTrain === 'function'
      ? {
          default: (trainCtx: object) =>
            (learnerTrain as (c: unknown) => unknown)(Object.freeze({ ...trainCtx, tracker })),
        }
      : ctx.exports;
  await runTrainKind({ ...ctx, exports, payload: payload.train });
}
