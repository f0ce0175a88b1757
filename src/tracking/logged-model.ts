/**
 * What the grader can tell about a run's logged model without running it
 * (`artifacts/model/`: TensorFlow.js's `model.json` next to its weight
 * files): a hash of its weights, so one trained model logged under several
 * runs is seen for what it is, and the units of its Dense layers, so a run's
 * claimed layer width can be held against the model it logged. Plain file
 * reading in the grader's process; no TensorFlow.js.
 */
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';

/** model.json and the weights together; a logged model of the exercises is well under 10 MB. */
const MAX_MODEL_BYTES = 256 * 1024 * 1024;

export interface LoggedModel {
  /** sha256 of the weight files in the order the manifest lists them. */
  weightsHash: string;
  /** Units of each Dense layer, in the order of the topology; the last one is the output layer. */
  denseUnits: number[];
  /** The weight files' bytes read as float32, in manifest order (a Dense model's weights are float32). */
  values: Float32Array;
}

/** Dense layers' units in a Keras-style topology, depth first (a Sequential nested in a model included). */
function denseUnitsOf(node: unknown, out: number[], depth = 0): void {
  if (depth > 32 || node === null || typeof node !== 'object') return;
  if (Array.isArray(node)) {
    for (const item of node) denseUnitsOf(item, out, depth + 1);
    return;
  }
  const layer = node as { class_name?: unknown; config?: { units?: unknown; layers?: unknown } };
  if (layer.class_name === 'Dense' && typeof layer.config?.units === 'number') {
    out.push(layer.config.units);
    return;
  }
  if (layer.config && typeof layer.config === 'object') denseUnitsOf(layer.config.layers, out, depth + 1);
}

/** The logged model in `dir`, or undefined when it is not one the grader can read. */
export function readLoggedModel(dir: string): LoggedModel | undefined {
  try {
    const jsonFile = path.join(dir, 'model.json');
    const st = fs.statSync(jsonFile);
    if (!st.isFile() || st.size > MAX_MODEL_BYTES) return undefined;
    const json = JSON.parse(fs.readFileSync(jsonFile, 'utf8')) as {
      modelTopology?: unknown;
      weightsManifest?: { paths?: unknown }[];
    };
    const hash = createHash('sha256');
    const chunks: Buffer[] = [];
    let total = st.size;
    for (const group of json.weightsManifest ?? []) {
      for (const p of Array.isArray(group.paths) ? group.paths : []) {
        // Weight files sit next to model.json: a path that leaves the folder is not a logged model's.
        if (typeof p !== 'string' || p !== path.basename(p) || p === '..' || p === '.') return undefined;
        const file = path.join(dir, p);
        const fst = fs.lstatSync(file);
        if (!fst.isFile()) return undefined;
        total += fst.size;
        if (total > MAX_MODEL_BYTES) return undefined;
        const bytes = fs.readFileSync(file);
        hash.update(bytes);
        chunks.push(bytes);
      }
    }
    const denseUnits: number[] = [];
    const topology = json.modelTopology as { model_config?: unknown } | undefined;
    denseUnitsOf(topology?.model_config ?? topology, denseUnits);
    const all = Buffer.concat(chunks);
    const values = new Float32Array(all.buffer, all.byteOffset, Math.floor(all.byteLength / 4)).slice();
    return { weightsHash: hash.digest('hex'), denseUnits, values };
  } catch {
    return undefined;
  }
}
