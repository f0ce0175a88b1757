/**
 * The TypeScript the exercise READMEs teach is type-clean against the types
 * the learner's editor sees: every ```ts block is checked in the workspace
 * `mlpath start` makes, by the checker `mlpath check` runs, in one program.
 *
 * How a block is checked (CONTRIBUTING.md, "Adding an exercise"):
 * - a *contract* (a function or class without bodies, e.g. `export function
 *   split(...): Split`, or types alone) is `declare`d in a file beside the
 *   starter, where it sees the starter's imports (unless it has its own) and
 *   top-level types; the starter's export of each function and class it
 *   declares must be assignable to it, so README and starter promise the
 *   same contract;
 * - a *module* (a top-level export) is a file of its own in the exercise
 *   folder;
 * - a *fragment* (anything else) is pasted, in its own `{ }` block, before
 *   the last `return` of the starter's default export: it sees the names the
 *   starter has there (`ctx`, `tf`, `xTrain`...); its imports go to the top
 *   of the file, where the learner would put them.
 * A block shown on purpose as wrong opts out with
 * `<!-- mlpath: no-typecheck (the reason) -->` on the line right before its
 * fence; a marker without a reason, or not before a ts block, fails here.
 * Outside an exercise (the top README, docs/), every block is a module. An
 * unlabelled block that parses as TypeScript fails too: label it ts or text.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as ts from 'typescript';
import { parse } from 'yaml';
import { ROOT, runCli, tempDir } from '../helpers/cli';

// The built module: the blocks are checked as `mlpath check` checks the learner's files.
// eslint-disable-next-line @typescript-eslint/no-require-imports -- dist is built before the tests run
const { typeCheckNow } = require(
  path.join(ROOT, 'dist', 'coach', 'typecheck.js'),
) as typeof import('../../src/coach/typecheck');

interface Block {
  /** Repository-relative, forward slashes. */
  readme: string;
  /** `month2/mnist`, or null outside an exercise. */
  exercise: string | null;
  /** README line of the block's first code line (1-based). */
  line: number;
  code: string;
}

const MARKER = /^<!--\s*mlpath:\s*no-typecheck\b(.*)-->\s*$/;
const REASON = /^\s*\((.*\S.*)\)\s*$/;

/** The ts blocks of one Markdown file, and the problems of its opt-out markers. */
function blocksOf(
  text: string,
  readme: string,
  exercise: string | null,
): { blocks: Block[]; skipped: string[]; problems: string[] } {
  const lines = text.split('\n');
  const blocks: Block[] = [];
  const skipped: string[] = [];
  const problems: string[] = [];
  let open: { fence: string; info: string; ts: boolean; start: number; optOut: boolean } | null = null;
  for (let i = 0; i < lines.length; i++) {
    const fence = /^(\s*)(`{3,})\s*([\w-]*)(.*)$/.exec(lines[i]);
    if (open) {
      if (fence && fence[2].length >= open.fence.length && !fence[3]) {
        const code = lines
          .slice(open.start, i)
          .map((l) => l.slice(Math.min(l.length - l.trimStart().length, fence[1].length)))
          .join('\n');
        const block = { readme, exercise, line: open.start + 1, code };
        if (open.ts) {
          if (open.optOut) skipped.push(`${readme}:${open.start + 1}`);
          else blocks.push(block);
        } else if (!open.info && looksLikeTypeScript(code)) {
          problems.push(`${readme}:${open.start}: this block reads as TypeScript: label it \`\`\`ts (or \`\`\`text)`);
        }
        open = null;
      }
      continue;
    }
    const marker = MARKER.exec(lines[i].trim());
    if (marker) {
      const next = /^\s*```\s*(ts|typescript)\b/.exec(lines[i + 1] ?? '');
      if (!REASON.test(marker[1])) problems.push(`${readme}:${i + 1}: no-typecheck needs a reason: (why)`);
      if (!next) problems.push(`${readme}:${i + 1}: no-typecheck must be the line right before a ts block`);
      continue;
    }
    if (fence) {
      const ts = fence[3] === 'ts' || fence[3] === 'typescript';
      open = {
        fence: fence[2],
        info: fence[3],
        ts,
        start: i + 1,
        optOut: ts && MARKER.test((lines[i - 1] ?? '').trim()),
      };
    }
  }
  if (open) problems.push(`${readme}:${open.start}: code block never closed`);
  return { blocks, skipped, problems };
}

/** An unlabelled block that parses as TypeScript with a declaration in it would escape the check. */
function looksLikeTypeScript(code: string): boolean {
  if (!/\b(const|let|function|interface|import|export|await)\b/.test(code)) return false;
  const out = ts.transpileModule(code, { reportDiagnostics: true, fileName: 'block.ts' });
  return !out.diagnostics?.length;
}

type Kind = 'contract' | 'module' | 'fragment';

function hasExport(s: ts.Statement): boolean {
  return (
    ts.isExportAssignment(s) ||
    ts.isExportDeclaration(s) ||
    (ts.canHaveModifiers(s) && !!ts.getModifiers(s)?.some((m) => m.kind === ts.SyntaxKind.ExportKeyword))
  );
}

/** A class stated by its members' signatures, as a contract shows one. */
function isBodilessClass(s: ts.Statement): s is ts.ClassDeclaration {
  return (
    ts.isClassDeclaration(s) &&
    s.members.some((m) => (ts.isMethodDeclaration(m) || ts.isConstructorDeclaration(m)) && !m.body)
  );
}

const isSignature = (s: ts.Statement): s is ts.FunctionDeclaration | ts.ClassDeclaration =>
  (ts.isFunctionDeclaration(s) && !s.body) || isBodilessClass(s);
const isType = (s: ts.Statement): boolean => ts.isInterfaceDeclaration(s) || ts.isTypeAliasDeclaration(s);

function kindOf(source: ts.SourceFile, exercise: string | null): Kind {
  const statements = source.statements;
  if (statements.some(isSignature) || (statements.length && statements.every(isType))) return 'contract';
  if (!exercise || source.statements.some(hasExport)) return 'module';
  return 'fragment';
}

/** A generated file, line by line, each line with the README line it came from (if any). */
class Generated {
  lines: string[] = [];
  from: (number | undefined)[] = [];
  add(text: string, firstLine?: number): void {
    text.split('\n').forEach((l, i) => {
      this.lines.push(l);
      this.from.push(firstLine === undefined ? undefined : firstLine + i);
    });
  }
}

/** The starter's entry file: the one with a default export, else the first. */
function starterOf(dir: string): { file: string; source: ts.SourceFile } {
  const files = fs
    .readdirSync(dir)
    .filter((f) => f.endsWith('.ts') && !f.endsWith('.d.ts') && !f.startsWith('readme-block-'))
    .sort();
  const sources = files.map((f) => ({
    file: f,
    source: ts.createSourceFile(f, fs.readFileSync(path.join(dir, f), 'utf8'), ts.ScriptTarget.ES2022, true),
  }));
  const withDefault = sources.find((s) =>
    s.source.statements.some(
      (st) =>
        ts.isExportAssignment(st) ||
        (ts.isFunctionDeclaration(st) && !!ts.getModifiers(st)?.some((m) => m.kind === ts.SyntaxKind.DefaultKeyword)),
    ),
  );
  const found = withDefault ?? sources[0];
  if (!found) throw new Error(`no starter in ${dir}`);
  return found;
}

const text = (source: ts.SourceFile, node: ts.Node): string => source.text.slice(node.getStart(source), node.end);

/**
 * A contract as checked TypeScript: its bodiless functions and its classes
 * become `declare`d (a .d.ts would be skipped by skipLibCheck), `async` goes
 * (it is in the Promise the signature returns), and `export default
 * function f` becomes `declare function f` plus `export default f`. Lines
 * stay where they were.
 */
function asDeclarations(source: ts.SourceFile): string {
  const edits: { at: number; end: number; text: string }[] = [];
  const defaults: string[] = [];
  for (const s of source.statements) {
    if (!isSignature(s)) continue;
    const mods = ts.getModifiers(s) ?? [];
    const dflt = mods.find((m) => m.kind === ts.SyntaxKind.DefaultKeyword);
    for (const m of mods) {
      if (m.kind === ts.SyntaxKind.AsyncKeyword || m === dflt)
        edits.push({ at: m.getStart(source), end: m.end, text: '' });
    }
    if (dflt && s.name) defaults.push(s.name.text);
    const keyword = s
      .getChildren(source)
      .find((c) => c.kind === ts.SyntaxKind.FunctionKeyword || c.kind === ts.SyntaxKind.ClassKeyword);
    if (keyword) edits.push({ at: keyword.getStart(source), end: keyword.getStart(source), text: 'declare ' });
  }
  let code = source.text;
  for (const e of edits.sort((a, b) => b.at - a.at)) code = code.slice(0, e.at) + e.text + code.slice(e.end);
  return [code, ...defaults.map((d) => `export default ${d};`)].join('\n');
}

/** Writes the files that check one block; returns them with their line maps. */
function generate(ws: string, block: Block, problems: string[]): { file: string; gen: Generated }[] {
  const dir = block.exercise ? path.join(ws, ...block.exercise.split('/')) : ws;
  const base = `readme-block-${block.line}`;
  const source = ts.createSourceFile('block.ts', block.code, ts.ScriptTarget.ES2022, true);
  const kind = kindOf(source, block.exercise);
  const out: { file: string; gen: Generated }[] = [];
  const lineOf = (node: ts.Node): number =>
    block.line + source.getLineAndCharacterOfPosition(node.getStart(source)).line;

  if (kind === 'module') {
    const gen = new Generated();
    gen.add(block.code, block.line);
    out.push({ file: path.join(dir, `${base}.ts`), gen });
  } else if (kind === 'contract') {
    const starter = block.exercise ? starterOf(dir) : undefined;
    const declared = new Set(
      source.statements.flatMap((s) =>
        (ts.isInterfaceDeclaration(s) || ts.isTypeAliasDeclaration(s) || ts.isClassDeclaration(s)) && s.name
          ? [s.name.text]
          : [],
      ),
    );
    const gen = new Generated();
    for (const s of starter?.source.statements ?? []) {
      if (ts.isImportDeclaration(s)) {
        if (!source.statements.some(ts.isImportDeclaration)) gen.add(text(starter!.source, s));
      } else if ((ts.isInterfaceDeclaration(s) || ts.isTypeAliasDeclaration(s)) && !declared.has(s.name.text)) {
        gen.add(text(starter!.source, s));
      }
    }
    gen.add(asDeclarations(source), block.line);
    out.push({ file: path.join(dir, `${base}.ts`), gen });
    if (starter) {
      const conforms = new Generated();
      conforms.add(`import type * as readme from './${base}';`);
      conforms.add(`import * as starter from './${starter.file.replace(/\.ts$/, '')}';`);
      for (const s of source.statements) {
        if (!isSignature(s) || !hasExport(s)) continue;
        const isDefault = !!ts.getModifiers(s)?.some((m) => m.kind === ts.SyntaxKind.DefaultKeyword);
        const name = isDefault ? 'default' : s.name?.text;
        if (!name) continue;
        conforms.add(`export const _${name}: typeof readme.${name} = starter.${name};`, lineOf(s));
      }
      out.push({ file: path.join(dir, `${base}-conforms.ts`), gen: conforms });
    }
  } else {
    const starter = starterOf(dir);
    const entry = starter.source.statements.find(
      (s): s is ts.FunctionDeclaration =>
        ts.isFunctionDeclaration(s) && !!ts.getModifiers(s)?.some((m) => m.kind === ts.SyntaxKind.DefaultKeyword),
    );
    if (!entry?.body) {
      problems.push(`${block.readme}:${block.line}: a fragment needs a starter with a default export; write a module`);
      return [];
    }
    const returns = entry.body.statements.filter(ts.isReturnStatement);
    const at = returns.length ? returns[returns.length - 1].getStart(starter.source) : entry.body.end - 1;
    const gen = new Generated();
    const imports = source.statements.filter(ts.isImportDeclaration);
    for (const i of imports) gen.add(text(source, i), lineOf(i));
    gen.add(starter.source.text.slice(0, at).replace(/\n?[ \t]*$/, ''));
    gen.add('{');
    // The fragment's lines as written, its imports blanked (they went to the top).
    const codeLines = block.code.split('\n');
    for (const i of imports) {
      const first = source.getLineAndCharacterOfPosition(i.getStart(source)).line;
      const last = source.getLineAndCharacterOfPosition(i.end).line;
      for (let l = first; l <= last; l++) codeLines[l] = '';
    }
    gen.add(codeLines.join('\n'), block.line);
    gen.add('}');
    gen.add(starter.source.text.slice(at));
    out.push({ file: path.join(dir, `${base}.ts`), gen });
  }
  for (const o of out) fs.writeFileSync(o.file, o.gen.lines.join('\n') + '\n');
  return out;
}

const curriculum = parse(fs.readFileSync(path.join(ROOT, 'curriculum', 'curriculum.yaml'), 'utf8')) as {
  months: { id: string; exercises: { id: string; track?: string }[] }[];
};
const exercises = curriculum.months.flatMap((m) => m.exercises.map((e) => ({ ...e, key: `${m.id}/${e.id}` })));
const tracks = [...new Set(exercises.map((e) => e.track).filter((t): t is string => !!t))];

function markdownFiles(): { file: string; exercise: string | null }[] {
  const files: { file: string; exercise: string | null }[] = exercises
    .map((e) => ({ file: `exercises/${e.key}/README.md`, exercise: e.key }))
    .filter((f) => fs.existsSync(path.join(ROOT, f.file)));
  files.push({ file: 'README.md', exercise: null });
  for (const f of fs.readdirSync(path.join(ROOT, 'docs')).sort()) {
    if (f.endsWith('.md')) files.push({ file: `docs/${f}`, exercise: null });
  }
  return files;
}

/** The original month2/mnist mistake: `yVal` is optional in TrainContext, so this is TS2345 in the editor. */
const KNOWN_WRONG: Block = {
  readme: 'exercises/month2/mnist/README.md',
  exercise: 'month2/mnist',
  line: 100000,
  code: 'const { yVal } = ctx.data;\nconst labels = tf.oneHot(yVal, 10);',
};

test('every ts block of the READMEs is type-clean in the workspace mlpath start makes', () => {
  const ws = path.join(tempDir('mlpath-readme-'), 'ws');
  for (const track of tracks) {
    const r = runCli(['start', ws, '--yes', '--track', track], ROOT);
    if (r.code !== 0) throw new Error(`mlpath start failed: ${r.stderr}`);
  }
  const problems: string[] = [];
  const blocks: Block[] = [];
  let skipped = 0;
  for (const { file, exercise } of markdownFiles()) {
    const found = blocksOf(fs.readFileSync(path.join(ROOT, file), 'utf8'), file, exercise);
    problems.push(...found.problems);
    blocks.push(...found.blocks);
    skipped += found.skipped.length;
  }
  expect(blocks.length).toBeGreaterThan(20);

  const origin = new Map<string, { block: Block; gen: Generated }>();
  for (const block of [...blocks, KNOWN_WRONG]) {
    for (const { file, gen } of generate(ws, block, problems)) {
      origin.set(path.relative(ws, file).split(path.sep).join('/'), { block, gen });
    }
  }
  // One program over the whole workspace, by the checker `mlpath check` runs.
  const known: string[] = [];
  for (const issue of typeCheckNow({ root: ws, dir: ws })) {
    const o = origin.get(issue.file);
    const line = o?.gen.from[issue.line - 1];
    const where = o ? `${o.block.readme}:${line ?? `${issue.line} of the generated ${issue.file}`}` : issue.file;
    const message = `${where}: TS${issue.code}: ${issue.message}`;
    (o?.block === KNOWN_WRONG ? known : problems).push(message);
  }
  expect(problems).toEqual([]);
  // The checker sees the mistake that started this test: a fragment using ctx's optional yVal as a Tensor.
  expect(known).toEqual([expect.stringMatching(/^exercises\/month2\/mnist\/README\.md:100001: TS2345: /)]);
  console.log(`${blocks.length} README blocks type-checked, ${skipped} opted out`);
  // Kept when a check fails, so the generated files the messages name can be read.
  fs.rmSync(path.dirname(ws), { recursive: true, force: true });
});
