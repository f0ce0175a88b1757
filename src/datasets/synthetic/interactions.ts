/**
 * Implicit feedback (clicks, views: who touched what, no rating) for the
 * month-3 recommendation lessons that grade whole-catalogue rankings
 * (month3/recsys-implicit, month3/recsys-cold-start). Seeded, so the grader
 * can hold out interactions it never sends to the learner.
 *
 * Every item has a primary genre (and, for some, a second one); every user
 * likes one genre and, less, a second. A user's interactions are drawn
 * without replacement with probability proportional to
 *
 *   exp(TASTE * user . item + POPULARITY * itemPopularity)
 *
 * so a personal model beats the popularity list, yet popularity is a real
 * baseline. Side information, for cold start: each item carries genre tags
 * (with a few wrong tags and uninformative ones), each user a sign-up form of
 * stated interests (noisy, with uninformative answers).
 */
import { createRng, deriveSeed, exp, gaussian, randomInt, type Rng } from '../rng';

export interface InteractionOptions {
  users: number;
  items: number;
  genres: number;
  /** Interactions per user: uniform in [min, max]. */
  perUser: [number, number];
  /** Weight of taste (user . item) and of item popularity in the draw. */
  taste: number;
  popularity: number;
}

export const DEFAULT_INTERACTIONS: InteractionOptions = {
  users: 400,
  items: 300,
  genres: 8,
  perUser: [15, 40],
  taste: 4,
  popularity: 1,
};

export interface InteractionWorld {
  users: number;
  items: number;
  /** The items each user interacted with, ascending. */
  byUser: number[][];
  /** Tags of each item: `genres` genre tags then 4 uninformative ones, 0/1. */
  itemFeatures: number[][];
  /** Each user's sign-up form: `genres` stated interests then 4 uninformative answers, 0/1. */
  userFeatures: number[][];
  /** The popularity each item was drawn with (for tests). */
  itemPopularity: number[];
}

const NOISE_FEATURES = 4;

function pick(rng: Rng, n: number, not = -1): number {
  for (;;) {
    const g = randomInt(rng, n);
    if (g !== not) return g;
  }
}

export function makeInteractions(seed: number, options: Partial<InteractionOptions> = {}): InteractionWorld {
  const o = { ...DEFAULT_INTERACTIONS, ...options };
  const G = o.genres;
  const rng = createRng(deriveSeed(seed, 'interactions'));
  // Items: a genre vector (primary 1, secondary 0.5) plus a little noise; tags from the genres.
  const itemVec: number[][] = [];
  const itemFeatures: number[][] = [];
  const itemPopularity: number[] = [];
  for (let i = 0; i < o.items; i++) {
    const v = Array.from({ length: G }, () => 0.15 * gaussian(rng));
    const tags = new Array<number>(G + NOISE_FEATURES).fill(0);
    const g1 = randomInt(rng, G);
    v[g1] += 1;
    tags[g1] = 1;
    if (rng() < 0.4) {
      const g2 = pick(rng, G, g1);
      v[g2] += 0.5;
      tags[g2] = 1;
    }
    for (let t = 0; t < G; t++) if (rng() < 0.04) tags[t] = 1 - tags[t];
    for (let t = G; t < G + NOISE_FEATURES; t++) tags[t] = rng() < 0.3 ? 1 : 0;
    itemVec.push(v);
    itemFeatures.push(tags);
    itemPopularity.push(gaussian(rng));
  }
  // Users: one favourite genre, a second one liked less; the form states them, noisily.
  const userVec: number[][] = [];
  const userFeatures: number[][] = [];
  for (let u = 0; u < o.users; u++) {
    const v = Array.from({ length: G }, () => 0.15 * gaussian(rng));
    const form = new Array<number>(G + NOISE_FEATURES).fill(0);
    const a = randomInt(rng, G);
    const b = pick(rng, G, a);
    v[a] += 1;
    v[b] += 0.6;
    if (rng() < 0.85) form[a] = 1;
    if (rng() < 0.6) form[b] = 1;
    for (let t = 0; t < G; t++) if (t !== a && t !== b && rng() < 0.08) form[t] = 1;
    for (let t = G; t < G + NOISE_FEATURES; t++) form[t] = rng() < 0.5 ? 1 : 0;
    userVec.push(v);
    userFeatures.push(form);
  }
  // Interactions: weighted draws without replacement.
  const byUser: number[][] = [];
  const weights = new Float64Array(o.items);
  for (let u = 0; u < o.users; u++) {
    const n = o.perUser[0] + randomInt(rng, o.perUser[1] - o.perUser[0] + 1);
    let total = 0;
    for (let i = 0; i < o.items; i++) {
      let dot = 0;
      for (let g = 0; g < G; g++) dot += userVec[u][g] * itemVec[i][g];
      weights[i] = exp(o.taste * dot + o.popularity * itemPopularity[i]);
      total += weights[i];
    }
    const chosen: number[] = [];
    for (let d = 0; d < Math.min(n, o.items); d++) {
      let r = rng() * total;
      let i = 0;
      while (i < o.items - 1 && (weights[i] === 0 || r >= weights[i])) {
        r -= weights[i];
        i++;
      }
      if (weights[i] === 0) i = weights.findIndex((w) => w > 0);
      chosen.push(i);
      total -= weights[i];
      weights[i] = 0;
    }
    byUser.push(chosen.sort((x, y) => x - y));
  }
  return { users: o.users, items: o.items, byUser, itemFeatures, userFeatures, itemPopularity };
}
