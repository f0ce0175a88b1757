/**
 * Dataset options (`dataset.options` in a curriculum): declared per dataset,
 * checked here, so a typo like `{ noize: 0.1 }` is an error and not a silent
 * default.
 */
import { DatasetError } from '../errors';
import type { DatasetOptions } from './types';

export type OptionValue = number | boolean | string;

export interface OptionSpec {
  type: 'int' | 'number' | 'boolean' | 'enum';
  /** A value, or a function of the environment (e.g. MLPATH_MNIST_FULL). */
  default: OptionValue | (() => OptionValue);
  min?: number;
  max?: number;
  values?: readonly string[];
  description: string;
}

export type OptionSpecs = Record<string, OptionSpec>;
export type ResolvedOptions = Record<string, OptionValue>;

function describeExpected(spec: OptionSpec): string {
  switch (spec.type) {
    case 'boolean':
      return 'true or false';
    case 'enum':
      return `one of ${(spec.values ?? []).join(', ')}`;
    default: {
      const kind = spec.type === 'int' ? 'an integer' : 'a number';
      if (spec.min !== undefined && spec.max !== undefined) return `${kind} from ${spec.min} to ${spec.max}`;
      if (spec.min !== undefined) return `${kind} >= ${spec.min}`;
      return kind;
    }
  }
}

function accepts(spec: OptionSpec, value: unknown): value is OptionValue {
  switch (spec.type) {
    case 'boolean':
      return typeof value === 'boolean';
    case 'enum':
      return typeof value === 'string' && (spec.values ?? []).includes(value);
    default:
      return (
        typeof value === 'number' &&
        Number.isFinite(value) &&
        (spec.type === 'number' || Number.isInteger(value)) &&
        (spec.min === undefined || value >= spec.min) &&
        (spec.max === undefined || value <= spec.max)
      );
  }
}

export function resolveOptions(id: string, specs: OptionSpecs, given: DatasetOptions = {}): ResolvedOptions {
  const names = Object.keys(specs);
  for (const name of Object.keys(given)) {
    if (!(name in specs)) {
      const valid = names.length ? `valid options: ${names.join(', ')}` : 'it takes no options';
      throw new DatasetError(`dataset '${id}' has no option '${name}' (${valid})`, `run \`mlpath data info ${id}\``);
    }
  }
  const resolved: ResolvedOptions = {};
  for (const [name, spec] of Object.entries(specs)) {
    const value = given[name] ?? (typeof spec.default === 'function' ? spec.default() : spec.default);
    if (!accepts(spec, value)) {
      throw new DatasetError(
        `dataset '${id}' option '${name}' must be ${describeExpected(spec)}, got ${JSON.stringify(value)}`,
        `run \`mlpath data info ${id}\``,
      );
    }
    resolved[name] = value;
  }
  return resolved;
}
