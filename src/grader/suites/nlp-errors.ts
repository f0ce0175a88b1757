/**
 * Suite of month3/nlp-errors: the error analysis of a text classifier.
 *
 * The messages are real mails of the SpamAssassin corpus (the `spam`
 * dataset), their bodies only (headers dropped, so the errors are the
 * content's, not the mailboxes'). For each of three data seeds derived from
 * the grading seed the grader trains its own classifier here, in plain
 * JavaScript (Bernoulli naive Bayes on 1,500 mails), and scores 300 other
 * mails with it: the errors the learner analyses are a real model's real
 * errors, and a different set on every seed.
 *
 * The learner writes three functions and each is graded by properties the
 * grader checks against its own counts, not by one exact answer:
 * - `confusion(labels, scores, threshold)`: the four counts, exactly;
 * - `confidentlyWrong(labels, scores, threshold, k)`: k wrong messages,
 *   most confident first, none less confident than the k-th most confident
 *   mistake (ties may come in any order);
 * - `errorTokens(texts, labels, scores, threshold, minSupport, k)`: k tokens
 *   found in at least minSupport messages, none with a lower share of
 *   misclassified messages than the k-th highest share (ties in any order).
 */
import { loadDataset } from '../../datasets/registry';
import { createRng, deriveSeed, shuffleInPlace, sigmoid } from '../../datasets/rng';
import type { Suite, SuiteCase } from './types';

export const DATA_SEEDS = 3;
const TRAIN_MAILS = 1500;
export const SCORED_MAILS = 300;
const VOCABULARY = 3000;
/** Characters of each body kept: enough for the words that matter, small enough to send. */
const BODY_CHARS = 3000;
const K = 10;
export const MIN_SUPPORT = 8;

/** The tokenizer of the README and the starter: the suite counts tokens exactly this way. */
export function tokenize(text: string): string[] {
  return text.toLowerCase().match(/[a-z0-9$!']+/g) ?? [];
}

/** A mail's body: everything after the first blank line. */
export function body(text: string): string {
  const cut = text.search(/\r?\n\r?\n/);
  return (cut < 0 ? text : text.slice(cut)).trim().slice(0, BODY_CHARS);
}

export interface Scored {
  texts: string[];
  labels: number[];
  scores: number[];
}

/** Naive Bayes on token presence, trained on `train`, scoring `scored`: the classifier whose errors are analysed. */
export function naiveBayes(train: { texts: string[]; labels: number[] }, scored: string[]): number[] {
  const docs = new Map<string, [number, number]>();
  let spam = 0;
  train.texts.forEach((text, i) => {
    const y = train.labels[i] === 1 ? 1 : 0;
    spam += y;
    for (const token of new Set(tokenize(text))) {
      const c = docs.get(token) ?? [0, 0];
      c[y]++;
      docs.set(token, c);
    }
  });
  const ham = train.texts.length - spam;
  const vocabulary = [...docs.entries()]
    .sort((a, b) => b[1][0] + b[1][1] - (a[1][0] + a[1][1]) || (a[0] < b[0] ? -1 : 1))
    .slice(0, VOCABULARY);
  const weight = new Map(
    vocabulary.map(([token, [h, s]]) => [token, Math.log((s + 1) / (spam + 2)) - Math.log((h + 1) / (ham + 2))]),
  );
  const logits = scored.map((text) => {
    let z = Math.log(spam / ham);
    for (const token of new Set(tokenize(text))) z += weight.get(token) ?? 0;
    return z;
  });
  // Presence weights add up to large logits: scale them so the scores spread over 0..1, and round
  // them so every machine gets the same numbers.
  const spread = Math.max(...logits.map(Math.abs)) / 8 || 1;
  return logits.map((z) => Math.round(sigmoid(z / spread) * 1e4) / 1e4);
}

export async function buildScored(seed: number): Promise<Scored[]> {
  const ds = await loadDataset('spam');
  const texts = ds.texts!;
  const out: Scored[] = [];
  for (let d = 0; d < DATA_SEEDS; d++) {
    const order = Array.from({ length: ds.n }, (_, i) => i);
    shuffleInPlace(order, createRng(deriveSeed(seed, `nlp-errors:${d}`)));
    const trainRows = order.slice(0, TRAIN_MAILS);
    const scoredRows = order.slice(TRAIN_MAILS, TRAIN_MAILS + SCORED_MAILS);
    const train = { texts: trainRows.map((i) => body(texts[i])), labels: trainRows.map((i) => ds.labels[i]) };
    const scoredTexts = scoredRows.map((i) => body(texts[i]));
    out.push({
      texts: scoredTexts,
      labels: scoredRows.map((i) => ds.labels[i]),
      scores: naiveBayes(train, scoredTexts),
    });
  }
  return out;
}

export interface Confusion {
  tp: number;
  fp: number;
  fn: number;
  tn: number;
}

export function referenceConfusion(labels: number[], scores: number[], threshold: number): Confusion {
  const c = { tp: 0, fp: 0, fn: 0, tn: 0 };
  labels.forEach((y, i) => {
    const flagged = scores[i] >= threshold;
    if (flagged && y === 1) c.tp++;
    else if (flagged) c.fp++;
    else if (y === 1) c.fn++;
    else c.tn++;
  });
  return c;
}

/** How far a wrong answer is on the wrong side of the threshold; undefined for a right one. */
export function wrongBy(label: number, score: number, threshold: number): number | undefined {
  const flagged = score >= threshold;
  if (flagged && label !== 1) return score - threshold;
  if (!flagged && label === 1) return threshold - score;
  return undefined;
}

/** Per token counted once per message: how many messages hold it, and how many of those were misclassified. */
export function tokenErrors(
  texts: string[],
  labels: number[],
  scores: number[],
  threshold: number,
): Map<string, { support: number; errors: number }> {
  const out = new Map<string, { support: number; errors: number }>();
  texts.forEach((text, i) => {
    const wrong = wrongBy(labels[i], scores[i], threshold) !== undefined;
    for (const token of new Set(tokenize(text))) {
      const c = out.get(token) ?? { support: 0, errors: 0 };
      c.support++;
      if (wrong) c.errors++;
      out.set(token, c);
    }
  });
  return out;
}

const EPS = 1e-9;
const show = (v: unknown): string => (JSON.stringify(v) ?? 'undefined').slice(0, 120);

export function verifyConfusion(value: unknown, expected: Confusion): string | undefined {
  if (value === null || typeof value !== 'object') return `returned ${show(value)}; return { tp, fp, fn, tn }`;
  const v = value as Record<string, unknown>;
  const wrong = (['tp', 'fp', 'fn', 'tn'] as const).filter((key) => v[key] !== expected[key]);
  if (wrong.length === 0) return undefined;
  // The grader's counts are not shown: they would make a table to copy.
  return `${wrong.map((key) => `${key} ${show(v[key])}`).join(', ')} ${wrong.length === 1 ? 'is' : 'are'} wrong (a message is flagged when its score is at least the threshold; the four counts add up to the number of messages)`;
}

export function verifyConfidentlyWrong(value: unknown, data: Scored, threshold: number, k: number): string | undefined {
  if (!Array.isArray(value)) return `returned ${show(value)}; return an array of message indices`;
  const margins = data.labels
    .map((y, i) => wrongBy(y, data.scores[i], threshold))
    .filter((m): m is number => m !== undefined)
    .sort((a, b) => b - a);
  const want = Math.min(k, margins.length);
  if (value.length !== want) {
    return `returned ${value.length} indices; there are ${margins.length} misclassified messages, so return ${want}`;
  }
  if (new Set(value).size !== value.length) return `returned an index twice: ${show(value)}`;
  const cutoff = margins[want - 1] ?? 0;
  let previous = Infinity;
  for (const index of value) {
    if (!Number.isInteger(index) || index < 0 || index >= data.labels.length)
      return `${show(index)} is not a message index`;
    const margin = wrongBy(data.labels[index as number], data.scores[index as number], threshold);
    if (margin === undefined) {
      return `message ${index} (label ${data.labels[index as number]}, score ${data.scores[index as number]}) is classified correctly at threshold ${threshold}: return only mistakes`;
    }
    if (margin < cutoff - EPS) {
      return `message ${index} is wrong by ${margin.toFixed(4)}, but ${want} mistakes are wrong by ${cutoff.toFixed(4)} or more: a false positive is wrong by score - threshold, a false negative by threshold - score`;
    }
    if (margin > previous + EPS) return `the indices are not in order, most confident mistake first: ${show(value)}`;
    previous = margin;
  }
  return undefined;
}

export function verifyErrorTokens(
  value: unknown,
  data: Scored,
  threshold: number,
  minSupport: number,
  k: number,
): string | undefined {
  if (!Array.isArray(value)) return `returned ${show(value)}; return an array of tokens`;
  const counts = tokenErrors(data.texts, data.labels, data.scores, threshold);
  const rates = [...counts.values()]
    .filter((c) => c.support >= minSupport)
    .map((c) => c.errors / c.support)
    .sort((a, b) => b - a);
  const want = Math.min(k, rates.length);
  if (value.length !== want) return `returned ${value.length} tokens; return ${want}`;
  if (new Set(value).size !== value.length) return `returned a token twice: ${show(value)}`;
  const cutoff = rates[want - 1] ?? 0;
  let previous = Infinity;
  for (const token of value) {
    const c = typeof token === 'string' ? counts.get(token) : undefined;
    if (!c) return `${show(token)} is not a token of these messages (use tokenize() as given)`;
    if (c.support < minSupport) return `'${token}' is in ${c.support} messages, fewer than minSupport ${minSupport}`;
    const rate = c.errors / c.support;
    if (rate < cutoff - EPS) {
      return `'${token}': ${c.errors} of the ${c.support} messages that hold it are misclassified (${rate.toFixed(3)}), but ${want} tokens have a share of ${cutoff.toFixed(3)} or more: rank by the share of errors, not by their number`;
    }
    if (rate > previous + EPS) return `the tokens are not in order, highest error share first: ${show(value)}`;
    previous = rate;
  }
  return undefined;
}

export const suite: Suite = {
  id: 'nlp-errors',
  exports: ['confusion', 'confidentlyWrong', 'errorTokens'],
  async prepare(seed) {
    return { readRoots: [], data: await buildScored(seed), cleanup: () => undefined };
  },
  cases(seed, fixture) {
    const sets = fixture?.data as Scored[];
    const out: SuiteCase[] = [];
    sets.forEach((data, d) => {
      const rng = createRng(deriveSeed(seed, `nlp-errors:threshold:${d}`));
      // A threshold other than 0.5 as well: real filters move it, and a fixed 0.5 is a common slip.
      const other = Math.round((0.2 + 0.6 * rng()) * 100) / 100;
      const set = `set ${d + 1} (${data.labels.length} mails)`;
      for (const threshold of [0.5, other]) {
        out.push({
          fn: 'confusion',
          title: `${set}: confusion at threshold ${threshold}`,
          args: [data.labels, data.scores, threshold],
          verify: (value) => verifyConfusion(value, referenceConfusion(data.labels, data.scores, threshold)),
        });
      }
      out.push({
        fn: 'confidentlyWrong',
        title: `${set}: the ${K} most confident mistakes at threshold ${other}`,
        args: [data.labels, data.scores, other, K],
        verify: (value) => verifyConfidentlyWrong(value, data, other, K),
      });
      out.push({
        fn: 'errorTokens',
        title: `${set}: the ${K} tokens with the highest error share (in ${MIN_SUPPORT}+ mails) at threshold 0.5`,
        args: [data.texts, data.labels, data.scores, 0.5, MIN_SUPPORT, K],
        verify: (value) => verifyErrorTokens(value, data, 0.5, MIN_SUPPORT, K),
      });
    });
    return out;
  },
};
