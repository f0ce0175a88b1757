/**
 * Writes the flat mappings of MLflow's meta.yaml files byte for byte as
 * PyYAML's `safe_dump(data, default_flow_style=False, sort_keys=True)`
 * does for the values MLflow stores there: strings, integers, null and the
 * empty list. A string is left plain unless PyYAML would read it back as
 * something else (a number, a boolean, null, a date) or it starts or
 * contains YAML syntax; then it is single-quoted (double-quoted when it holds
 * control characters). Reading goes through the
 * `yaml` package with the YAML 1.1 schema PyYAML uses.
 */
import { parse } from 'yaml';

export type YamlValue = string | number | null | readonly never[];

const BOOL_OR_NULL =
  /^(?:y|Y|yes|Yes|YES|n|N|no|No|NO|true|True|TRUE|false|False|FALSE|on|On|ON|off|Off|OFF|~|null|Null|NULL)$/;
const INT =
  /^(?:[-+]?0b[0-1_]+|[-+]?0[0-7_]+|[-+]?(?:0|[1-9][0-9_]*)|[-+]?0x[0-9a-fA-F_]+|[-+]?[1-9][0-9_]*(?::[0-5]?[0-9])+)$/;
const FLOAT =
  /^(?:[-+]?(?:[0-9][0-9_]*)\.[0-9_]*(?:[eE][-+][0-9]+)?|\.[0-9_]+(?:[eE][-+][0-9]+)?|[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+\.[0-9_]*|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$/;
const TIMESTAMP =
  /^(?:[0-9]{4}-[0-9]{2}-[0-9]{2}|[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}(?:[Tt]|[ \t]+)[0-9]{1,2}:[0-9]{2}:[0-9]{2}(?:\.[0-9]*)?(?:[ \t]*(?:Z|[-+][0-9]{1,2}(?::[0-9]{2})?))?)$/;

function needsQuotes(s: string): boolean {
  if (s === '') return true;
  if (BOOL_OR_NULL.test(s) || INT.test(s) || FLOAT.test(s) || TIMESTAMP.test(s) || s === '<<' || s === '=') return true;
  if (/^[\s]|[\s]$/.test(s)) return true;
  if (/^[!&*|>'"%@`#,[\]{}]/.test(s)) return true;
  if (/^[-?:](?:\s|$)/.test(s)) return true;
  if (/:(?:\s|$)/.test(s) || /\s#/.test(s)) return true;
  return false;
}

function scalar(value: YamlValue): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return '[]';
  if (typeof value === 'number') {
    if (!Number.isInteger(value)) throw new TypeError(`meta.yaml holds integers only, got ${value}`);
    return String(value);
  }
  const s = value as string;
  // Control characters need the double-quoted style; JSON's escapes are valid there.
  if (/[\x00-\x1f\x7f]/.test(s)) return JSON.stringify(s);
  return needsQuotes(s) ? `'${s.replace(/'/g, "''")}'` : s;
}

/** A flat mapping as PyYAML dumps it, keys sorted. */
export function dumpFlatYaml(data: Record<string, YamlValue>): string {
  return Object.keys(data)
    .sort()
    .map((key) => `${key}: ${scalar(data[key])}\n`)
    .join('');
}

/** Reads a meta.yaml (ours or one MLflow wrote); anything but a mapping gives undefined. */
export function parseMetaYaml(text: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = parse(text, { schema: 'yaml-1.1' });
    return value !== null && typeof value === 'object' && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}
