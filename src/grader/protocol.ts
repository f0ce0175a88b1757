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

export const ERROR_KINDS = [
  'compile', 'runtime', 'timeout', 'memory', 'invalid-output',
  'forbidden-api', 'exited', 'missing-entry',
] as const;
export type ErrorKind = (typeof ERROR_KINDS)[number];

/** A tensor as it crosses the process boundary. */
export interface WireTensor {
  values: Float32Array | Int32Array | Uint8Array | string[];
  shape: number[];
  dtype: 'float32' | 'int32' | 'bool' | 'string';
}

const wireTensor = z.object({
  values: z.custom<WireTensor['values']>(
    (v) => v instanceof Float32Array || v instanceof Int32Array || v instanceof Uint8Array || (Array.isArray(v) && v.every((s) => typeof s === 'string')),
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
}

/** Parent -> child. */
export type ParentMessage =
  | {
      type: 'init';
      token: string;
      kind: string;
      bundle: string;
      sourceRoot: string;
      backend?: string;
      seed: number;
      budgetSeconds: number;
      forbid: string[];
      payload: unknown;
    }
  /** `texts` is set for text datasets: predict() then receives the held-out texts instead of `x`. */
  | { type: 'predict'; x: WireTensor; texts?: string[] }
  | { type: 'call'; id: number; name: string; args: unknown[] }
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
  z.object({ type: z.literal('trained'), token: z.string(), seconds: z.number() }),
  z.object({ type: z.literal('predictions'), token: z.string(), tensor: wireTensor }),
  z.object({ type: z.literal('exports'), token: z.string(), names: z.array(z.string()) }),
  z.object({ type: z.literal('result'), token: z.string(), id: z.number(), ok: z.boolean(), value: z.unknown(), error: z.string().optional() }),
  z.object({ type: z.literal('error'), token: z.string(), error: learnerErrorSchema }),
]);
export type ChildMessage = z.infer<typeof childMessageSchema>;

export type LogStep = Record<string, number | undefined | null>;
