/**
 * Messages between the grader (parent) and the harness (child), over the
 * private channel of `channel.ts` with V8 serialization so tensors travel as
 * binary typed arrays, not JSON.
 *
 * Every child -> parent message carries the run's token: learner code runs in
 * the same process as the harness and may write to the channel too, but it
 * is not handed the token (it arrives before learner code is loaded and
 * lives in a closure). The parent ignores messages without the token and
 * validates the others with zod. Scores are computed in the parent from
 * predictions alone, so even a forged message cannot carry a pass.
 */
import { z } from 'zod';
import type { GradedKind } from './kinds/kind';
import type { ListingOrder } from './listing-order';

export const ERROR_KINDS = [
  'compile',
  'runtime',
  'timeout',
  'memory',
  'invalid-output',
  'forbidden-api',
  'exited',
  'missing-entry',
] as const;
export type ErrorKind = (typeof ERROR_KINDS)[number];

export { HARNESS_FAILED } from './harness-exit';

/** A tensor as it crosses the process boundary. */
export interface WireTensor {
  values: Float32Array | Int32Array | Uint8Array | string[];
  shape: number[];
  dtype: 'float32' | 'int32' | 'bool' | 'string';
}

const wireTensor = z.object({
  values: z.custom<WireTensor['values']>(
    (v) =>
      v instanceof Float32Array ||
      v instanceof Int32Array ||
      v instanceof Uint8Array ||
      (Array.isArray(v) && v.every((s) => typeof s === 'string')),
    'expected a typed array or an array of strings',
  ),
  shape: z.array(z.number().int().nonnegative()),
  dtype: z.enum(['float32', 'int32', 'bool', 'string']),
});

/** Data for a `train` exercise: everything but the held-out labels. */
export interface TrainPayload {
  xTrain: WireTensor;
  yTrain: WireTensor;
  xVal?: WireTensor;
  yVal?: WireTensor;
  /** Raw text per row, for text datasets (spam): their features are empty. */
  textTrain?: string[];
  textVal?: string[];
  featureNames?: string[];
  classNames?: string[];
  /** Set for exercises whose lesson is the training itself (grader/lesson.ts): what the child watches during train(). */
  observe?: ObserveRequest;
}

/**
 * Data for a `train` exercise whose model is fixed (month3/tabular,
 * grader/fixed-model.ts): the training inputs only. The grader fits the
 * model itself on the columns the learner's `engineer` returns, so the
 * prices stay in the grader until every column is in (they reach the child
 * last, for `explore`).
 */
export interface FixedModelPayload {
  xTrain: WireTensor;
  featureNames?: string[];
  fixedModel: FixedModel;
}

/** The model the grader fits itself when only the features are the learner's (month3/tabular). */
export interface FixedModel {
  kind: 'ridge';
  /** Penalty on the squared weights of the standardised columns. */
  l2: number;
}

/** What the child watches (child/observe.ts); optimizer steps and their losses are always counted. */
export interface ObserveRequest {
  /** Dispose ctx.data's tensors once train() returns, so that predict() cannot look the training data up. */
  release?: boolean;
  /** Measure the memory still held once train() has returned (the data released first: `release` is implied). */
  measure?: boolean;
  /** The lesson in a few words, for the message when predict() reaches for the released data. */
  lesson?: string;
  /** Record the tf.variable values train() assigns and replay them through predict(), scored by this loss (child/replay.ts). */
  replay?: ReplayLoss;
}

/** The training loss the grader computes when it replays assigned weights. */
export type ReplayLoss = 'mse' | 'logloss';

export const replaySchema = z.object({
  /** Rounds of variable updates train() made (a round assigns each of its variables once). */
  rounds: z.number().int().nonnegative(),
  /** The grader's training loss at the first values, at sampled rounds in order, and at the last values. */
  losses: z.array(z.number()).max(100),
  /** For each of the first rounds that moved: the share of weights stepped by their gradient at one common rate (child/replay.ts). */
  alignment: z.array(z.number().min(0).max(1)).max(40).optional(),
  /** Independent directions predict()'s answers move in with the weights, at the final values. */
  rank: z.number().int().nonnegative().optional(),
  /** Columns of the training inputs: a linear model of them has this many directions at least. */
  inputs: z.number().int().nonnegative().optional(),
  /** Why the replay could not be made, when it could not. */
  problem: z.string().max(500).optional(),
});
export type Replay = z.infer<typeof replaySchema>;

/** What the child saw during train(), sent with `trained`; judged by grader/lesson.ts. */
export const recomputedSchema = z.object({
  least: z.number().min(0).max(1),
  why: z.string().max(300).optional(),
  refused: z.string().max(400).optional(),
});

export const observedSchema = z.object({
  /** Optimizer steps (applyGradients, reached directly, through minimize or through model.fit). */
  steps: z.number().int().nonnegative(),
  /** The losses those steps returned, as means of up to 50 equal chunks, in order. */
  losses: z.array(z.number()).max(100),
  /** Bytes of tensors and JavaScript memory alive once train() returned, beyond the pretrained weights and a heap allowance (child/observe.ts). */
  retainedBytes: z.number().nonnegative().optional(),
  tensorBytes: z.number().nonnegative().optional(),
  pretrainedBytes: z.number().nonnegative().optional(),
  /** How TensorFlow.js's byte count was changed by learner code, when it was (child/observe.ts pinEngineBytes). */
  tampered: z.string().max(300).optional(),
  /**
   * The values the optimizer steps moved, the least share of validation answers that changed when one of its large
   * variables was zeroed alone, and, when ctx.pretrained() gave models, the share that changed with all their
   * weights zeroed together (child/reliance.ts).
   */
  reliance: z
    .object({
      weights: z.number().int().nonnegative(),
      least: z.number().min(0).max(1),
      unanswered: z.boolean().optional(),
      base: z.number().min(0).max(1).optional(),
    })
    .optional(),
  /** The replay of the weights train() assigned, when the lesson asked for it. */
  replay: replaySchema.optional(),
  /**
   * The scoring call recomputed by the grader with each large trained variable zeroed (child/recompute.ts): the
   * least share of held-out answers that changed, and why none could be shown when it could not be measured.
   * Sent with the predictions; the parent files it here.
   */
  recomputed: recomputedSchema.optional(),
});
export type Observed = z.infer<typeof observedSchema>;

/** Parent -> child. */
export type ParentMessage =
  | {
      type: 'init';
      token: string;
      kind: GradedKind;
      /** Absent when the child is started before the compile: the bundle and the payload then come in 'start'. */
      bundle?: string;
      sourceRoot: string;
      backend?: string;
      seed: number;
      budgetSeconds: number;
      forbid: string[];
      payload: unknown;
    }
  /** The learner's bundle and the kind's payload, for a child started before they were ready (runner.ts, encodeStart). */
  | { type: 'start'; bundle: string; payload: unknown }
  /** `texts` is set for text datasets: predict() then receives the held-out texts instead of `x`. */
  | { type: 'predict'; x: WireTensor; texts?: string[] }
  /**
   * `listing`: answer folder listings in that order during the call (see listing-order.ts).
   * `driver`: run the harness's driver of that name (kinds/functions/drivers.ts) on the exports instead of calling `name`.
   * `gradients`: answer with the gradients TensorFlow.js's engine computed during the call beside the value (child/observe.ts).
   */
  | {
      type: 'call';
      id: number;
      name: string;
      args: unknown[];
      listing?: { order: ListingOrder; salt: number };
      driver?: string;
      gradients?: boolean;
    }
  /** Call train() again on the same rows with these labels, made up by the grader (grader/selection.ts, the probe run); the new predictor answers what follows. */
  | { type: 'probe'; yTrain: WireTensor; yVal?: WireTensor }
  /** Ask the predictor's `candidates` (grader/selection.ts) for predictions on `x`, and for the score each reports as `claim`. */
  | { type: 'candidates'; x: WireTensor; claim: string }
  /** Load each saved model (a run's logged model, grader/kinds/tracking/parent.ts) and predict `x` with it. */
  | { type: 'scoreSaved'; models: { id: string; dir: string }[]; x: WireTensor }
  /** A fixed-model exercise: the learner's `engineer` on these rows. */
  | { type: 'features'; x: WireTensor }
  /** A fixed-model exercise, once the grader has every column it needs: the training prices for the learner's `explore`. */
  | { type: 'explore'; price: Float32Array }
  | { type: 'done' };

export const learnerErrorSchema = z.object({
  kind: z.enum(ERROR_KINDS),
  message: z.string(),
  file: z.string().optional(),
  line: z.number().int().optional(),
  column: z.number().int().optional(),
  frames: z.array(z.string()).optional(),
});
export type LearnerError = z.infer<typeof learnerErrorSchema>;

const logStep = z.record(z.union([z.number(), z.undefined(), z.null()]));

export const childMessageSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('ready'), token: z.string(), backend: z.string(), tfjsVersion: z.string() }),
  z.object({ type: z.literal('log'), token: z.string(), step: logStep }),
  z.object({
    type: z.literal('trained'),
    token: z.string(),
    seconds: z.number(),
    observed: observedSchema.optional(),
    /** A fixed-model exercise: the target transform the learner's file names (`export const target = 'log'`), checked by the grader. */
    target: z.string().max(100).optional(),
  }),
  z.object({
    type: z.literal('predictions'),
    token: z.string(),
    tensor: wireTensor,
    recomputed: recomputedSchema.optional(),
  }),
  /** A fixed-model exercise: what `engineer` returned for the rows of a `features` request. */
  z.object({ type: z.literal('features'), token: z.string(), tensor: wireTensor }),
  z.object({ type: z.literal('explored'), token: z.string() }),
  z.object({ type: z.literal('exports'), token: z.string(), names: z.array(z.string()) }),
  z.object({
    type: z.literal('result'),
    token: z.string(),
    id: z.number(),
    ok: z.boolean(),
    value: z.unknown(),
    error: z.string().optional(),
  }),
  z.object({ type: z.literal('error'), token: z.string(), error: learnerErrorSchema }),
  z.object({
    type: z.literal('candidates'),
    token: z.string(),
    /** The `chosen` name the predictor reported, when it is a string. */
    chosen: z.string().nullable(),
    entries: z
      .array(
        z.object({
          name: z.string(),
          baseline: z.boolean(),
          /** The validation score the learner reported for it, when a finite number. */
          claimed: z.number().nullable(),
          tensor: wireTensor.optional(),
          /** Why it has no predictions (predict threw, returned something else). */
          error: z.string().optional(),
        }),
      )
      .max(100),
    /** Why there is no list at all (no `candidates`, not an array). */
    problem: z.string().optional(),
  }),
  z.object({
    type: z.literal('savedScores'),
    token: z.string(),
    results: z
      .array(z.object({ id: z.string(), tensor: wireTensor.optional(), error: z.string().optional() }))
      .max(1000),
  }),
]);
export type ChildMessage = z.infer<typeof childMessageSchema>;

export type LogStep = Record<string, number | undefined | null>;
