/**
 * From-scratch exercises forbid parts of the TensorFlow.js API. This module
 * holds both enforcements: a static scan of the learner's sources (run by the
 * parent before anything executes, so the learner gets file:line at once) and
 * the run-time proxy the harness hands learner code (which catches what a scan
 * cannot see, e.g. `tf['lay' + 'ers']`).
 */
import * as fs from 'node:fs';

export interface ForbiddenUse {
  api: string;
  file: string;
  line: number;
  /** What to do instead, when it is not "build it from tensor operations". */
  advice?: string;
}

/**
 * Names a forbidden entry stands for besides its own: `tf.train` is the
 * optimizers, and each is also exported as a class (`new tf.SGDOptimizer`).
 */
const IMPLIED: Record<string, string[]> = {
  losses: [
    'metrics.binaryCrossentropy',
    'metrics.categoricalCrossentropy',
    'metrics.meanSquaredError',
    'metrics.MSE',
    'metrics.mse',
  ],
  train: [
    'SGDOptimizer',
    'MomentumOptimizer',
    'AdagradOptimizer',
    'AdadeltaOptimizer',
    'AdamOptimizer',
    'AdamaxOptimizer',
    'RMSPropOptimizer',
    'OptimizerConstructors',
  ],
};

/** Every autograd entry point goes through the engine's `gradients`. */
const AUTOGRAD = new Set(['grad', 'grads', 'valueAndGrad', 'valueAndGrads', 'variableGrads']);

/** `tf.layers` -> `layers`; entries are written with or without the `tf.` prefix. */
/**
 * Closed to graded code in every exercise, whatever its `forbid` list: tf.node (tfjs-node's file writers and
 * saved-model loaders) and the registries of kernels, gradients and backends, through which a kernel of the
 * learner's would compute, or lie about, what the grader measures.
 */
export const NEVER_LEARNERS = [
  'node',
  'registerKernel',
  'unregisterKernel',
  'copyRegisteredKernels',
  'registerGradient',
  'unregisterGradient',
  'registerBackend',
  'removeBackend',
  'setBackend',
];

export function forbiddenNames(forbid: string[]): string[] {
  const names = forbid.map((f) => f.replace(/^tf\./, '').trim()).filter(Boolean);
  return [...new Set(names.flatMap((n) => [n, ...(IMPLIED[n] ?? [])]))];
}

/**
 * `LayersModel.fit`: a method of a TensorFlow.js class (capitalised), closed
 * on that class and every exported class that inherits it. A method has no
 * name of its own to scan for or hide in the namespace (`model.fit` is any
 * object's `fit`), so only its implementation is closed.
 */
export function isMethodEntry(name: string): boolean {
  return /^[A-Z]\w*\.\w+$/.test(name);
}

/** How a method entry reads in a message: `LayersModel.fit` -> `model.fit`. */
function methodLabel(entry: string): string {
  const [cls, method] = entry.split('.');
  return `${cls === 'LayersModel' ? 'model' : cls[0].toLowerCase() + cls.slice(1)}.${method}`;
}

/** What a learner should do instead, for the APIs whose replacement is not tensor operations. */
const ADVICE: Record<string, string> = {
  LayersModel: 'write the training loop yourself (README.md shows how)',
  linalg: 'a factorisation solves least squares in one go, and the lesson is getting there by gradient descent',
};

const TF_MODULE = /['"]@tensorflow\/tfjs[\w-]*['"]/;

function tfAliases(source: string): Set<string> {
  const aliases = new Set<string>(['tf']);
  const patterns = [
    /import\s+\*\s+as\s+(\w+)\s+from\s+['"]@tensorflow\/tfjs[\w-]*['"]/g,
    /import\s+(\w+)\s*(?:,\s*\{[^}]*\})?\s+from\s+['"]@tensorflow\/tfjs[\w-]*['"]/g,
    /(?:const|let|var)\s+(\w+)\s*=\s*require\(\s*['"]@tensorflow\/tfjs[\w-]*['"]\s*\)/g,
    /(?:const|let|var)\s+(\w+)\s*=\s*\w+\.tf\b/g,
  ];
  for (const re of patterns) {
    for (const m of source.matchAll(re)) aliases.add(m[1]);
  }
  return aliases;
}

/** Replace comments and string contents with spaces, keeping line structure. */
export function blankCommentsAndStrings(source: string): string {
  return source.replace(
    /\/\*[\s\S]*?\*\/|\/\/[^\n]*|`(?:\\[\s\S]|[^`\\])*`|'(?:\\.|[^'\\\n])*'|"(?:\\.|[^"\\\n])*"/g,
    (m) => {
      if (m.startsWith('/')) return m.replace(/[^\n]/g, ' ');
      const keep = TF_MODULE.test(m) ? m : m[0] + m.slice(1, -1).replace(/[^\n]/g, ' ') + m[m.length - 1];
      return keep;
    },
  );
}

function lineOf(text: string, index: number): number {
  let line = 1;
  for (let i = 0; i < index; i++) if (text.charCodeAt(i) === 10) line++;
  return line;
}

export function scanSource(file: string, source: string, forbid: string[]): ForbiddenUse[] {
  const names = forbiddenNames(forbid).filter((n) => !isMethodEntry(n));
  if (names.length === 0) return [];
  const text = blankCommentsAndStrings(source);
  const aliases = [...tfAliases(text)].map((a) => a.replace(/\$/g, '\\$'));
  const owner = `(?:${aliases.join('|')}|\\w+\\.tf)`;
  const uses: ForbiddenUse[] = [];
  for (const name of names) {
    const checks = [
      new RegExp(`\\b${owner}\\s*(?:\\?\\.|\\.)\\s*${name}\\b`, 'g'),
      new RegExp(`\\b${owner}\\s*\\[\\s*['"\`]${name}['"\`]\\s*\\]`, 'g'),
      new RegExp(`import\\s*\\{[^}]*\\b${name}\\b[^}]*\\}\\s*from\\s*['"]@tensorflow\\/tfjs[\\w-]*['"]`, 'g'),
      // `const { grad } = tf`, but not `const { grads } = tf.engine().gradients(...)`.
      new RegExp(
        `\\{[^}]*\\b${name}\\b[^}]*\\}\\s*=\\s*(?:(?:${owner})(?![\\w$.\\[(])|require\\(\\s*['"]@tensorflow\\/tfjs[\\w-]*['"]\\s*\\))`,
        'g',
      ),
    ];
    for (const re of checks) {
      for (const m of text.matchAll(re)) {
        uses.push({
          api: `tf.${name}`,
          file,
          line: lineOf(text, m.index ?? 0),
          ...(ADVICE[name] ? { advice: ADVICE[name] } : {}),
        });
      }
    }
  }
  uses.sort((a, b) => a.line - b.line);
  return uses;
}

export function scanFiles(files: string[], forbid: string[]): ForbiddenUse[] {
  const uses: ForbiddenUse[] = [];
  for (const file of files) {
    if (!/\.[cm]?[jt]sx?$/.test(file) || !fs.existsSync(file)) continue;
    uses.push(...scanSource(file, fs.readFileSync(file, 'utf8'), forbid));
  }
  return uses;
}

export const FORBIDDEN_MARK = Symbol.for('mlpath.forbidden');

/** Error thrown by the run-time proxy; the harness recognises it by its mark. */
export class ForbiddenApiError extends Error {
  readonly api: string;
  readonly [FORBIDDEN_MARK] = true;
  constructor(api: string, advice = 'build it from tensor operations yourself') {
    super(`${api} is not allowed in this exercise: ${advice}`);
    this.name = 'ForbiddenApiError';
    this.api = api;
  }
}

/**
 * A copy of a TensorFlow.js namespace whose forbidden members throw when read.
 * The first violation is also reported through `onUse`, so a learner who
 * catches the error still fails the check. Members are forwarding getters
 * (module namespaces can hold non-configurable properties a proxy may not
 * hide), and forbidden ones stay enumerable so bundlers' namespace copies
 * (`import * as tf`) carry the throwing getter along.
 */
export function restrictNamespace<T extends object>(
  ns: T,
  forbid: string[],
  onUse: (err: ForbiddenApiError) => void,
  prefix = 'tf',
): T {
  const all = forbiddenNames(forbid).filter((n) => !isMethodEntry(n));
  const names = new Set(all.filter((n) => !n.includes('.')));
  // `metrics.mse` hides one member of the `metrics` namespace.
  const nested = new Map<string, string[]>();
  for (const n of all.filter((x) => x.includes('.'))) {
    const [head, ...rest] = n.split('.');
    nested.set(head, [...(nested.get(head) ?? []), rest.join('.')]);
  }
  if (names.size === 0 && nested.size === 0) return ns;
  const shadow: Record<string, unknown> = {};
  const keys = new Set<string>();
  for (let o: object | null = ns; o && o !== Object.prototype; o = Object.getPrototypeOf(o) as object | null) {
    for (const k of Object.getOwnPropertyNames(o)) keys.add(k);
  }
  for (const name of names) keys.add(name);
  for (const key of keys) {
    const forbidden = names.has(key);
    const inner = nested.get(key);
    let restricted: unknown;
    Object.defineProperty(shadow, key, {
      get: forbidden
        ? () => {
            const err = new ForbiddenApiError(`${prefix}.${key}`, ADVICE[key]);
            onUse(err);
            throw err;
          }
        : inner
          ? () => {
              const value = (ns as Record<string, unknown>)[key];
              if (value === null || typeof value !== 'object') return value;
              restricted ??= restrictNamespace(value, inner, onUse, `${prefix}.${key}`);
              return restricted;
            }
          : () => (ns as Record<string, unknown>)[key],
      enumerable: key !== '__esModule',
      configurable: true,
    });
  }
  return shadow as T;
}

/**
 * When autograd is forbidden, the engine's `gradients` is replaced for good
 * in this process: grad, variableGrads, an optimizer's minimize and
 * model.fit all go through it, however learner code reached them (the
 * restricted namespace, `tf.engine()`, the module cache or a second
 * require of TensorFlow.js).
 */
export function blockAutograd(
  tf: { engine(): object },
  forbid: string[],
  onUse: (err: ForbiddenApiError) => void,
): void {
  if (!forbiddenNames(forbid).some((n) => AUTOGRAD.has(n))) return;
  const proto = Object.getPrototypeOf(tf.engine()) as object;
  Object.defineProperty(proto, 'gradients', {
    value: function gradients(): never {
      const err = new ForbiddenApiError('autograd (tf.grad, tf.variableGrads, optimizer.minimize, model.fit)');
      onUse(err);
      throw err;
    },
    writable: false,
    configurable: false,
  });
}

type Tf = typeof import('@tensorflow/tfjs');

function throwing(api: string, onUse: (err: ForbiddenApiError) => void, advice?: string): () => never {
  return function forbidden(): never {
    const err = new ForbiddenApiError(api, advice);
    onUse(err);
    throw err;
  };
}

function pinThrowing(
  target: object,
  key: string,
  api: string,
  onUse: (err: ForbiddenApiError) => void,
  advice?: string,
): void {
  Object.defineProperty(target, key, {
    value: throwing(api, onUse, advice),
    writable: false,
    configurable: false,
    enumerable: false,
  });
}

const OPTIMIZER_METHODS = ['minimize', 'computeGradients', 'applyGradients'];
const MODEL_METHODS = [
  'compile',
  'fit',
  'fitDataset',
  'trainOnBatch',
  'predict',
  'predictOnBatch',
  'evaluate',
  'evaluateDataset',
  'execute',
];

/**
 * The forbidden APIs closed where they are implemented, not only where they
 * are named, so that every route to them fails the same way: the optimizer
 * classes (reachable through the serialization registry), the layers' forward
 * pass and models' training, an op's chained form (`x.softmax()`) and its
 * kernel, and, with autograd forbidden, the registered gradients themselves,
 * shared by every copy of TensorFlow.js in the process.
 */
export function blockImplementations(
  tf: Tf,
  forbid: string[],
  onUse: (err: ForbiddenApiError) => void,
  core?: Record<string, unknown>,
): void {
  const names = new Set(forbiddenNames(forbid));
  if (names.size === 0) return;
  const lib = tf as unknown as Record<string, unknown>;
  if (names.has('train')) {
    const classes = ['Optimizer', ...IMPLIED.train]
      .map((n) => lib[n])
      .filter((c): c is { prototype: object } => typeof c === 'function');
    for (const cls of classes) {
      for (const method of OPTIMIZER_METHODS) {
        if (Object.prototype.hasOwnProperty.call(cls.prototype, method))
          pinThrowing(cls.prototype, method, 'tf.train (optimizers)', onUse);
      }
    }
  }
  if (names.has('layers') || names.has('sequential') || names.has('model')) {
    const api = 'tf.layers (layers and models)';
    // Sequential extends LayersModel, Container and Layer: one walk up covers models and every layer's forward pass.
    for (
      let cls = lib.Sequential as { prototype: object } | null;
      cls && cls.prototype;
      cls = Object.getPrototypeOf(cls) as typeof cls
    ) {
      for (const method of [...MODEL_METHODS, 'apply', 'call']) {
        if (Object.prototype.hasOwnProperty.call(cls.prototype, method)) pinThrowing(cls.prototype, method, api, onUse);
      }
    }
  }
  // Sequential overrides LayersModel's fit: close the method on every exported class that has the named one as an ancestor.
  const classes = Object.values(lib).filter(
    (v): v is { prototype: object } =>
      typeof v === 'function' && typeof (v as { prototype?: unknown }).prototype === 'object',
  );
  for (const entry of [...names].filter(isMethodEntry)) {
    const [cls, method] = entry.split('.');
    const named = lib[cls];
    if (typeof named !== 'function' || typeof named.prototype !== 'object') continue;
    const proto = named.prototype as object;
    for (const c of classes) {
      const own = Object.getOwnPropertyDescriptor(c.prototype, method);
      // A method closed already (tf.layers closes every model method) stays as it is.
      if ((c.prototype === proto || Object.prototype.isPrototypeOf.call(proto, c.prototype)) && own?.configurable) {
        pinThrowing(c.prototype, method, methodLabel(entry), onUse, ADVICE[cls]);
      }
    }
  }
  const tensorProto = (tf.Tensor as unknown as { prototype: Record<string, unknown> }).prototype;
  const backends = Object.keys(
    (tf.engine() as unknown as { registryFactory: Record<string, unknown> }).registryFactory,
  );
  for (const name of names) {
    if (name.includes('.')) continue;
    const api = `tf.${name}`;
    // tfjs-core's exports object is what every other package reads at call time (tfjs's re-exports, tfjs-layers'
    // activations and losses): the op or namespace replaced there is gone by every route.
    if (core && Object.prototype.hasOwnProperty.call(core, name)) {
      const d = Object.getOwnPropertyDescriptor(core, name)!;
      if ('value' in d && d.writable) {
        if (typeof d.value === 'function') core[name] = throwing(api, onUse);
        else if (d.value !== null && typeof d.value === 'object') {
          core[name] = Object.freeze(
            Object.fromEntries(Object.keys(d.value as object).map((k) => [k, throwing(`${api}.${k}`, onUse)])),
          );
        }
      }
    }
    if (AUTOGRAD.has(name)) continue;
    if (typeof tensorProto[name] === 'function') pinThrowing(tensorProto, name, api, onUse);
    const kernel = name[0].toUpperCase() + name.slice(1);
    // Every route to an op with a kernel (a kernel run by hand, another backend) ends in the kernel, on every backend.
    for (const backend of backends) {
      if (!tf.getKernel(kernel, backend)) continue;
      tf.unregisterKernel(kernel, backend);
      tf.registerKernel({ kernelName: kernel, backendName: backend, kernelFunc: throwing(api, onUse) });
    }
  }
  closeBackendInternals(
    tf,
    [...names].filter((n) => !n.includes('.') && !AUTOGRAD.has(n)).map((n) => n[0].toUpperCase() + n.slice(1)),
    onUse,
  );
  if ([...names].some((n) => AUTOGRAD.has(n))) {
    const globals = (globalThis as { _tfGlobals?: Map<string, unknown> })._tfGlobals;
    const registry = globals?.get('gradRegistry') as Map<string, unknown> | undefined;
    if (registry) {
      registry.clear();
      pin(registry, 'set', () => registry);
      pin(registry, 'get', () => undefined);
      pin(registry, 'has', () => false);
    }
    const engine = tf.engine() as unknown as object;
    pinThrowing(engine, 'gradients', 'autograd (tf.grad, tf.variableGrads, optimizer.minimize, model.fit)', onUse);
  }
}

function pin(target: object, key: string, value: unknown): void {
  Object.defineProperty(target, key, { value, writable: false, configurable: false, enumerable: false });
}

/**
 * A backend's own entry points reach a forbidden op without its kernel: the
 * wasm module's exports (`backend.wasm._Softmax`, `cwrap('Softmax')`, the
 * raw `asm` exports) are replaced for the forbidden kernels; the other
 * exports stay, since the backend's own methods use them.
 */
function closeBackendInternals(tf: Tf, kernels: string[], onUse: (err: ForbiddenApiError) => void): void {
  if (kernels.length === 0) return;
  const registry = (tf.engine() as unknown as { registry: Record<string, unknown> }).registry;
  for (const backend of Object.values(registry)) {
    const mod = (backend as { wasm?: Record<string, unknown> } | null)?.wasm;
    if (!mod || typeof mod !== 'object') continue;
    for (const kernel of kernels) {
      if (typeof mod[`_${kernel}`] === 'function')
        pinThrowing(mod, `_${kernel}`, `tf.${kernel[0].toLowerCase()}${kernel.slice(1)}`, onUse);
    }
    const asm = mod.asm as Record<string, unknown> | undefined;
    if (asm && typeof asm === 'object') {
      const kept: Record<string, unknown> = {};
      for (const key of Object.keys(asm)) if (!kernels.includes(key)) kept[key] = asm[key];
      Object.defineProperty(mod, 'asm', { value: Object.freeze(kept), writable: false, configurable: false });
    }
  }
}
