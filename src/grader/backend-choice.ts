/**
 * Picks the backend name in the grader process without loading TensorFlow.js:
 * the probe only looks for the packages and the native binding. The child
 * initialises the chosen backend itself.
 */
import { UsageError } from '../errors';
import { nativeFix, probeBackends, type BackendName } from '../backend/probe';

export interface BackendChoice {
  name: BackendName;
  note?: string;
}

export function resolveBackendName(requested: string | undefined): BackendChoice {
  const probes = probeBackends();
  if (requested) {
    const probe = probes.find((p) => p.name === requested);
    if (!probe) {
      throw new UsageError(`unknown backend '${requested}': choose one of ${probes.map((p) => p.name).join(', ')}`);
    }
    if (!probe.available) {
      const available = probes.filter((p) => p.available).map((p) => p.name);
      throw new UsageError(
        `backend '${requested}' is not available: ${probe.reason}`,
        requested === 'tensorflow' ? nativeFix() : `available here: ${available.join(', ')}`,
      );
    }
    return { name: probe.name };
  }
  const first = probes.find((p) => p.available);
  if (!first) throw new UsageError('no TensorFlow.js backend is available', 'reinstall mlpath: `npm i -g mlpath`');
  const native = probes.find((p) => p.name === 'tensorflow');
  const note =
    first.name !== 'tensorflow' && native && /binding/i.test(native.reason)
      ? `@tensorflow/tfjs-node is installed but ${native.reason}; using ${first.name} (\`mlpath doctor\` shows the fix)`
      : undefined;
  return { name: first.name, note };
}
