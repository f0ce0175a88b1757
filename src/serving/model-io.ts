/**
 * Saving and loading a tf.LayersModel on any backend. TensorFlow.js writes
 * files only through tfjs-node's `file://` handler; with the wasm or cpu
 * backend there is nowhere to save to. These functions go through the
 * backend-independent IOHandler interface instead (`model.save(handler)`,
 * `tf.io.fromMemory`), so a model saved on one backend loads on another.
 *
 * Two formats:
 * - a folder in the standard TensorFlow.js layout, `model.json` (topology
 *   and weights manifest) next to `weights.bin`, which `tf.loadLayersModel`
 *   of tfjs-node (`file://`) and of the browser (`http://`) read as well;
 * - one JSON string with the weights in base64, for sending a model through
 *   a message, a database or an HTTP body.
 *
 * Weights may be stored as float16 (half the bytes, about three significant
 * digits); tfjs dequantizes them on load from the manifest's `quantization`.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type * as tfjs from '@tensorflow/tfjs';
import { UsageError } from '../errors';

type Tf = typeof tfjs;
export type ModelArtifacts = tfjs.io.ModelArtifacts;
type WeightsManifestEntry = tfjs.io.WeightsManifestEntry;

export const MODEL_JSON = 'model.json';
export const WEIGHTS_BIN = 'weights.bin';
/** `format` of the single-string form. */
export const JSON_FORMAT = 'mlpath-model';
const JSON_FORMAT_VERSION = 1;

export interface SaveOptions {
  /** Store float32 weights as float16: half the size, relative error below 0.05 %. */
  quantize?: 'float16';
}

export interface SavedModelInfo {
  /** Absolute paths written. */
  files: string[];
  weightBytes: number;
}

/** The artifacts tfjs hands to a save handler: topology, weight specs and bytes. */
export async function modelArtifacts(model: tfjs.LayersModel): Promise<ModelArtifacts> {
  let captured: ModelArtifacts | undefined;
  await model.save({
    save: async (artifacts: ModelArtifacts) => {
      captured = artifacts;
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
    },
  });
  if (!captured) throw new UsageError('the model handed nothing to its save handler');
  return captured;
}

function weightBytes(artifacts: ModelArtifacts): Uint8Array {
  const data = artifacts.weightData;
  if (data === undefined) return new Uint8Array(0);
  if (!Array.isArray(data)) return new Uint8Array(data);
  const total = data.reduce((n, b) => n + b.byteLength, 0);
  const out = new Uint8Array(total);
  let offset = 0;
  for (const b of data) {
    out.set(new Uint8Array(b), offset);
    offset += b.byteLength;
  }
  return out;
}

const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);

/** IEEE 754 half-precision bits of `value`, rounded to nearest, ties to even. */
export function toFloat16Bits(value: number): number {
  f32[0] = value;
  const x = u32[0];
  const sign = (x >>> 16) & 0x8000;
  const exponent = (x >>> 23) & 0xff;
  let mantissa = x & 0x7fffff;
  if (exponent === 0xff) return sign | 0x7c00 | (mantissa ? 0x200 : 0);
  const e = exponent - 127 + 15;
  if (e >= 0x1f) return sign | 0x7c00;
  if (e <= 0) {
    if (e < -10) return sign;
    mantissa |= 0x800000;
    const shift = 14 - e;
    let half = mantissa >>> shift;
    const rest = mantissa & ((1 << shift) - 1);
    const halfway = 1 << (shift - 1);
    if (rest > halfway || (rest === halfway && (half & 1) === 1)) half++;
    return sign | half;
  }
  let half = (e << 10) | (mantissa >>> 13);
  const rest = mantissa & 0x1fff;
  // A carry out of the mantissa bumps the exponent, which is the right answer (up to infinity).
  if (rest > 0x1000 || (rest === 0x1000 && (half & 1) === 1)) half++;
  return sign | half;
}

/** Weight specs and bytes with every float32 weight stored as float16. */
function quantizeFloat16(
  specs: WeightsManifestEntry[],
  bytes: Uint8Array,
): { specs: WeightsManifestEntry[]; bytes: Uint8Array } {
  const parts: Uint8Array[] = [];
  const out: WeightsManifestEntry[] = [];
  let offset = 0;
  for (const spec of specs) {
    const count = spec.shape.reduce((a, b) => a * b, 1);
    if (spec.quantization || spec.dtype !== 'float32') {
      if (spec.dtype === 'string')
        throw new UsageError(`weight ${spec.name} is a string tensor; save without quantize`);
      const size = spec.quantization ? count * (spec.quantization.dtype === 'uint8' ? 1 : 2) : count * 4;
      parts.push(bytes.slice(offset, offset + size));
      out.push(spec);
      offset += size;
      continue;
    }
    const values = new Float32Array(
      bytes.buffer.slice(bytes.byteOffset + offset, bytes.byteOffset + offset + count * 4),
    );
    const halves = new Uint16Array(count);
    for (let i = 0; i < count; i++) halves[i] = toFloat16Bits(values[i]);
    parts.push(new Uint8Array(halves.buffer));
    out.push({ ...spec, quantization: { dtype: 'float16' } });
    offset += count * 4;
  }
  const total = parts.reduce((n, p) => n + p.byteLength, 0);
  const joined = new Uint8Array(total);
  let at = 0;
  for (const p of parts) {
    joined.set(p, at);
    at += p.byteLength;
  }
  return { specs: out, bytes: joined };
}

function encoded(artifacts: ModelArtifacts, opts: SaveOptions): { specs: WeightsManifestEntry[]; bytes: Uint8Array } {
  if (artifacts.modelTopology instanceof ArrayBuffer)
    throw new UsageError('only layers models (JSON topology) can be saved this way');
  const specs = artifacts.weightSpecs ?? [];
  const bytes = weightBytes(artifacts);
  return opts.quantize === 'float16' ? quantizeFloat16(specs, bytes) : { specs, bytes };
}

/** The contents of `model.json` for artifacts whose weights live in `weights.bin`. */
function modelJson(artifacts: ModelArtifacts, specs: WeightsManifestEntry[]): tfjs.io.ModelJSON {
  const json: tfjs.io.ModelJSON = {
    format: 'layers-model',
    generatedBy: artifacts.generatedBy,
    convertedBy: null,
    modelTopology: artifacts.modelTopology as object,
    weightsManifest: [{ paths: [WEIGHTS_BIN], weights: specs }],
  };
  if (artifacts.trainingConfig) json.trainingConfig = artifacts.trainingConfig;
  if (artifacts.userDefinedMetadata) json.userDefinedMetadata = artifacts.userDefinedMetadata;
  return json;
}

/** Writes `dir/model.json` and `dir/weights.bin`, creating `dir`. */
export async function saveModel(model: tfjs.LayersModel, dir: string, opts: SaveOptions = {}): Promise<SavedModelInfo> {
  const artifacts = await modelArtifacts(model);
  const { specs, bytes } = encoded(artifacts, opts);
  fs.mkdirSync(dir, { recursive: true });
  const jsonFile = path.resolve(dir, MODEL_JSON);
  const binFile = path.resolve(dir, WEIGHTS_BIN);
  fs.writeFileSync(binFile, bytes);
  fs.writeFileSync(jsonFile, `${JSON.stringify(modelJson(artifacts, specs))}\n`);
  return { files: [jsonFile, binFile], weightBytes: bytes.byteLength };
}

function modelJsonPath(location: string): string {
  const stat = fs.statSync(location, { throwIfNoEntry: false });
  if (!stat) throw new UsageError(`no saved model at ${location}`, 'save one first with saveModel(model, dir)');
  return stat.isDirectory() ? path.join(location, MODEL_JSON) : location;
}

/**
 * Reads a saved model folder (or its model.json) into artifacts, without
 * TensorFlow.js. Weight files must sit inside the model's folder.
 */
export function readModelArtifacts(location: string): ModelArtifacts {
  const jsonFile = modelJsonPath(location);
  if (!fs.existsSync(jsonFile))
    throw new UsageError(
      `${path.dirname(jsonFile)} has no ${MODEL_JSON}`,
      'save a model there with saveModel(model, dir)',
    );
  let json: tfjs.io.ModelJSON;
  try {
    json = JSON.parse(fs.readFileSync(jsonFile, 'utf8')) as tfjs.io.ModelJSON;
  } catch (err) {
    throw new UsageError(`${jsonFile} is not valid JSON (${err instanceof Error ? err.message : String(err)})`);
  }
  if (!json || typeof json !== 'object' || !json.modelTopology || !Array.isArray(json.weightsManifest)) {
    throw new UsageError(
      `${jsonFile} is not a TensorFlow.js layers model (it needs modelTopology and weightsManifest)`,
    );
  }
  const dir = path.dirname(jsonFile);
  const specs: WeightsManifestEntry[] = [];
  const buffers: Buffer[] = [];
  for (const group of json.weightsManifest) {
    for (const p of group.paths) {
      const file = path.resolve(dir, p);
      if (path.isAbsolute(p) || path.relative(dir, file).startsWith('..')) {
        throw new UsageError(`${jsonFile}: weight file '${p}' is outside the model folder`);
      }
      if (!fs.existsSync(file)) throw new UsageError(`${jsonFile} lists weight file '${p}', which is missing`);
      buffers.push(fs.readFileSync(file));
    }
    specs.push(...group.weights);
  }
  const joined = Buffer.concat(buffers);
  return {
    modelTopology: json.modelTopology,
    trainingConfig: json.trainingConfig,
    userDefinedMetadata: json.userDefinedMetadata,
    format: json.format,
    generatedBy: json.generatedBy,
    weightSpecs: specs,
    weightData: joined.buffer.slice(joined.byteOffset, joined.byteOffset + joined.byteLength),
  };
}

/** Loads a model saved by saveModel (or by tfjs-node's `file://`), on whatever backend `tf` runs. */
export async function loadModel(tf: Tf, location: string): Promise<tfjs.LayersModel> {
  return tf.loadLayersModel(tf.io.fromMemory(readModelArtifacts(location)));
}

interface JsonModel {
  format: typeof JSON_FORMAT;
  formatVersion: number;
  modelTopology: object;
  weightSpecs: WeightsManifestEntry[];
  /** base64 of the concatenated weight bytes. */
  weightData: string;
  trainingConfig?: tfjs.io.TrainingConfig;
  userDefinedMetadata?: Record<string, object>;
}

/** The whole model as one JSON string (weights in base64). */
export async function modelToJSON(model: tfjs.LayersModel, opts: SaveOptions = {}): Promise<string> {
  const artifacts = await modelArtifacts(model);
  const { specs, bytes } = encoded(artifacts, opts);
  const out: JsonModel = {
    format: JSON_FORMAT,
    formatVersion: JSON_FORMAT_VERSION,
    modelTopology: artifacts.modelTopology as object,
    weightSpecs: specs,
    weightData: Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64'),
  };
  if (artifacts.trainingConfig) out.trainingConfig = artifacts.trainingConfig;
  if (artifacts.userDefinedMetadata) out.userDefinedMetadata = artifacts.userDefinedMetadata;
  return JSON.stringify(out);
}

/** Artifacts of a string made by modelToJSON. */
export function parseModelJSON(text: string): ModelArtifacts {
  let parsed: Partial<JsonModel>;
  try {
    parsed = JSON.parse(text) as Partial<JsonModel>;
  } catch (err) {
    throw new UsageError(`not a saved model: invalid JSON (${err instanceof Error ? err.message : String(err)})`);
  }
  if (
    !parsed ||
    parsed.format !== JSON_FORMAT ||
    typeof parsed.weightData !== 'string' ||
    !Array.isArray(parsed.weightSpecs) ||
    !parsed.modelTopology
  ) {
    throw new UsageError(`not a saved model: expected the output of modelToJSON (format '${JSON_FORMAT}')`);
  }
  if (parsed.formatVersion !== JSON_FORMAT_VERSION) {
    throw new UsageError(
      `saved model format version ${parsed.formatVersion} is not supported (this mlpath reads version ${JSON_FORMAT_VERSION})`,
    );
  }
  const bytes = Buffer.from(parsed.weightData, 'base64');
  return {
    modelTopology: parsed.modelTopology,
    weightSpecs: parsed.weightSpecs,
    weightData: bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength),
    trainingConfig: parsed.trainingConfig,
    userDefinedMetadata: parsed.userDefinedMetadata,
  };
}

export async function modelFromJSON(tf: Tf, text: string): Promise<tfjs.LayersModel> {
  return tf.loadLayersModel(tf.io.fromMemory(parseModelJSON(text)));
}

/** The helpers bound to one tf instance, as learner code receives them (`ctx.models`). */
export interface ModelStore {
  save(model: tfjs.LayersModel, dir: string, opts?: SaveOptions): Promise<SavedModelInfo>;
  load(location: string): Promise<tfjs.LayersModel>;
  toJSON(model: tfjs.LayersModel, opts?: SaveOptions): Promise<string>;
  fromJSON(text: string): Promise<tfjs.LayersModel>;
}

export function modelStore(tf: Tf): ModelStore {
  return Object.freeze({
    save: saveModel,
    load: (location: string) => loadModel(tf, location),
    toJSON: modelToJSON,
    fromJSON: (text: string) => modelFromJSON(tf, text),
  });
}
