/**
 * Runs a generated GitHub Actions job the way a runner does, so tests catch
 * a workflow that parses but would not work:
 *
 * - `run:` steps go to `bash --noprofile --norc -eo pipefail` (GitHub's
 *   default shell on Linux) in the repository, with CI=true,
 *   GITHUB_ACTIONS=true, RUNNER_TEMP, and fresh GITHUB_OUTPUT and
 *   GITHUB_STEP_SUMMARY files; `name=value` and `name<<DELIM` lines of
 *   GITHUB_OUTPUT become the step's outputs.
 * - `uses:` steps go to a handler named after the action (`owner/repo`, or
 *   `owner/repo/path`), which gets its inputs the way an action does: as
 *   INPUT_<NAME> variables, beside the step's `env`. An action without a
 *   handler fails the run: nothing is skipped silently.
 * - `${{ }}` expressions and `if:` conditions are evaluated for the subset
 *   GitHub defines that workflows use here (contexts steps, secrets, runner,
 *   github; `==`, `!=`, `&&`, `||`, `!`; always(), success(), failure(),
 *   cancelled(), hashFiles()); anything else throws.
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parse } from 'yaml';

export interface Step {
  name?: string;
  id?: string;
  if?: string;
  run?: string;
  uses?: string;
  with?: Record<string, unknown>;
  env?: Record<string, unknown>;
}

export interface StepRecord {
  name: string;
  id?: string;
  outcome: 'success' | 'failure' | 'skipped';
  outputs: Record<string, string>;
  stdout: string;
  stderr: string;
}

export interface ActionContext {
  repo: string;
  /** The step's environment: its `env` plus INPUT_<NAME> for each `with` input. */
  env: Record<string, string>;
  step: Step;
}

/** Returns the action's outputs, or throws to fail the step. */
export type ActionHandler = (ctx: ActionContext) => Record<string, string> | void;

export interface JobOptions {
  repo: string;
  secrets?: Record<string, string>;
  actions: Record<string, ActionHandler>;
  /** Replaces a `run:` step by id (e.g. `npm ci`, which would need the network). */
  runOverrides?: Record<string, (ctx: ActionContext) => void>;
  actor?: string;
  env?: NodeJS.ProcessEnv;
}

export interface JobRun {
  steps: StepRecord[];
  summary: string;
  conclusion: 'success' | 'failure';
  /** Steps the job-level `if:` skipped the whole job for. */
  skipped: boolean;
}

type Value = string | number | boolean | null;

interface State {
  steps: Map<string, StepRecord>;
  failed: boolean;
  secrets: Record<string, string>;
  repo: string;
  temp: string;
  actor: string;
}

/** A tokenizer and recursive-descent parser for the expression subset above. */
function evaluate(expr: string, st: State): Value {
  const tokens = expr.match(/\s*('(?:[^']|'')*'|[A-Za-z_][A-Za-z0-9_.\-*]*|==|!=|&&|\|\||[!(),]|\d+(?:\.\d+)?)\s*/g);
  if (!tokens || tokens.join('').replace(/\s+/g, '') !== expr.replace(/\s+/g, ''))
    throw new Error(`unsupported expression: ${expr}`);
  const toks = tokens.map((t) => t.trim());
  let i = 0;
  const peek = (): string | undefined => toks[i];
  const take = (want?: string): string => {
    const t = toks[i++];
    if (want !== undefined && t !== want) throw new Error(`expected ${want} in ${expr}, got ${t}`);
    return t;
  };
  const truthy = (v: Value): boolean => v !== null && v !== false && v !== 0 && v !== '';
  const call = (name: string, args: Value[]): Value => {
    if (name === 'always') return true;
    if (name === 'success') return !st.failed;
    if (name === 'failure') return st.failed;
    if (name === 'cancelled') return false;
    if (name === 'hashFiles') {
      const h = createHash('sha256');
      let any = false;
      for (const a of args) {
        const f = path.join(st.repo, String(a));
        if (fs.existsSync(f)) {
          any = true;
          h.update(fs.readFileSync(f));
        }
      }
      return any ? h.digest('hex') : '';
    }
    throw new Error(`unsupported function ${name}() in ${expr}`);
  };
  const context = (ref: string): Value => {
    const parts = ref.split('.');
    if (parts[0] === 'secrets' && parts.length === 2) return st.secrets[parts[1]] ?? '';
    if (parts[0] === 'runner' && parts[1] === 'os') return 'Linux';
    if (parts[0] === 'runner' && parts[1] === 'temp') return st.temp;
    if (parts[0] === 'github' && parts[1] === 'actor') return st.actor;
    if (parts[0] === 'github' && parts[1] === 'workspace') return st.repo;
    if (parts[0] === 'steps' && parts.length >= 3) {
      const s = st.steps.get(parts[1]);
      if (!s) throw new Error(`${expr} names step '${parts[1]}', which has not run before this step`);
      if (parts[2] === 'outcome' || parts[2] === 'conclusion') return s.outcome;
      if (parts[2] === 'outputs' && parts.length === 4) return s.outputs[parts[3]] ?? '';
    }
    throw new Error(`unsupported context ${ref} in ${expr}`);
  };
  const primary = (): Value => {
    const t = take();
    if (t === '!') return !truthy(primary());
    if (t === '(') {
      const v = or();
      take(')');
      return v;
    }
    if (t.startsWith("'")) return t.slice(1, -1).replace(/''/g, "'");
    if (/^\d/.test(t)) return Number(t);
    if (t === 'true' || t === 'false') return t === 'true';
    if (t === 'null') return null;
    if (peek() === '(') {
      take('(');
      const args: Value[] = [];
      while (peek() !== ')') {
        args.push(or());
        if (peek() === ',') take(',');
      }
      take(')');
      return call(t, args);
    }
    return context(t);
  };
  const comparison = (): Value => {
    let left = primary();
    while (peek() === '==' || peek() === '!=') {
      const op = take();
      const right = primary();
      const eq = String(left).toLowerCase() === String(right).toLowerCase();
      left = op === '==' ? eq : !eq;
    }
    return left;
  };
  const and = (): Value => {
    let left = comparison();
    while (peek() === '&&') {
      take();
      const right = comparison();
      left = truthy(left) ? right : left;
    }
    return left;
  };
  const or = (): Value => {
    let left = and();
    while (peek() === '||') {
      take();
      const right = and();
      left = truthy(left) ? left : right;
    }
    return left;
  };
  const v = or();
  if (i !== toks.length) throw new Error(`unexpected ${toks[i]} in ${expr}`);
  return v;
}

function interpolate(text: string, st: State): string {
  return text.replace(/\$\{\{\s*([\s\S]*?)\s*\}\}/g, (_, e: string) => {
    const v = evaluate(e, st);
    return v === null ? '' : String(v);
  });
}

function condition(expr: string | undefined, st: State): boolean {
  if (expr === undefined) return !st.failed;
  const bare = expr.trim().replace(/^\$\{\{\s*([\s\S]*)\s*\}\}$/, '$1');
  const v = evaluate(bare, st);
  const statusCheck = /\b(always|success|failure|cancelled)\(\)/.test(bare);
  const ok = v !== null && v !== false && v !== 0 && v !== '';
  return statusCheck ? ok : !st.failed && ok;
}

function readOutputs(file: string): Record<string, string> {
  const out: Record<string, string> = {};
  const lines = fs.readFileSync(file, 'utf8').split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i];
    const heredoc = /^([^=<]+)<<(.+)$/.exec(line);
    if (heredoc) {
      const body: string[] = [];
      for (i++; i < lines.length && lines[i] !== heredoc[2]; i++) body.push(lines[i]);
      out[heredoc[1]] = body.join('\n');
    } else if (line.includes('=')) {
      out[line.slice(0, line.indexOf('='))] = line.slice(line.indexOf('=') + 1);
    }
  }
  return out;
}

export function runJob(workflowFile: string, jobId: string, opts: JobOptions): JobRun {
  const workflow = parse(fs.readFileSync(workflowFile, 'utf8')) as {
    jobs: Record<string, { if?: string; steps: Step[] }>;
  };
  const job = workflow.jobs[jobId];
  if (!job) throw new Error(`${workflowFile} has no job ${jobId}`);
  const temp = fs.mkdtempSync(path.join(path.dirname(opts.repo), 'runner-temp-'));
  const st: State = {
    steps: new Map(),
    failed: false,
    secrets: opts.secrets ?? {},
    repo: opts.repo,
    temp,
    actor: opts.actor ?? 'a-learner',
  };
  if (job.if !== undefined && !condition(job.if, st))
    return { steps: [], summary: '', conclusion: 'success', skipped: true };
  const records: StepRecord[] = [];
  let summary = '';
  for (const [index, step] of job.steps.entries()) {
    const name = step.name ?? step.uses ?? step.run?.split('\n')[0] ?? `step ${index}`;
    const record: StepRecord = { name, id: step.id, outcome: 'skipped', outputs: {}, stdout: '', stderr: '' };
    records.push(record);
    if (step.id) st.steps.set(step.id, record);
    if (!condition(step.if, st)) continue;
    const env: Record<string, string> = {};
    // Workflow inputs and env values are YAML scalars (GitHub Actions refuses mappings there).
    /* eslint-disable @typescript-eslint/no-base-to-string -- see above */
    for (const [k, v] of Object.entries(step.env ?? {})) env[k] = interpolate(String(v ?? ''), st);
    for (const [k, v] of Object.entries(step.with ?? {}))
      env[`INPUT_${k.replace(/ /g, '_').toUpperCase()}`] = interpolate(String(v ?? ''), st);
    /* eslint-enable @typescript-eslint/no-base-to-string */
    const ctx: ActionContext = { repo: opts.repo, env, step };
    try {
      if (step.run !== undefined) {
        const override = step.id ? opts.runOverrides?.[step.id] : undefined;
        if (override) {
          override(ctx);
        } else {
          const script = path.join(temp, `step-${index}.sh`);
          const outputFile = path.join(temp, `output-${index}`);
          const summaryFile = path.join(temp, `summary-${index}`);
          fs.writeFileSync(script, interpolate(step.run, st));
          fs.writeFileSync(outputFile, '');
          fs.writeFileSync(summaryFile, '');
          const r = spawnSync('bash', ['--noprofile', '--norc', '-eo', 'pipefail', script], {
            cwd: opts.repo,
            encoding: 'utf8',
            maxBuffer: 64 * 1024 * 1024,
            env: {
              ...process.env,
              ...opts.env,
              ...env,
              CI: 'true',
              GITHUB_ACTIONS: 'true',
              GITHUB_WORKSPACE: opts.repo,
              GITHUB_OUTPUT: outputFile,
              GITHUB_STEP_SUMMARY: summaryFile,
              RUNNER_TEMP: temp,
              RUNNER_OS: 'Linux',
              NO_COLOR: '1',
            },
          });
          record.stdout = r.stdout;
          record.stderr = r.stderr;
          record.outputs = readOutputs(outputFile);
          summary += fs.readFileSync(summaryFile, 'utf8');
          if (r.status !== 0) throw new Error(`exit ${r.status}`);
        }
      } else if (step.uses) {
        const action = step.uses.replace(/@.*$/, '');
        const handler = opts.actions[action];
        if (!handler) throw new Error(`no handler for action ${step.uses}: the test must say what it does`);
        record.outputs = handler(ctx) ?? {};
      } else {
        throw new Error(`step ${name} has neither run nor uses`);
      }
      record.outcome = 'success';
    } catch (err) {
      record.outcome = 'failure';
      record.stderr += `\n${(err as Error).message}`;
      st.failed = true;
    }
  }
  return { steps: records, summary, conclusion: st.failed ? 'failure' : 'success', skipped: false };
}
