/** The shapes month2/evaluation's functions take and return, and the data its cases run on. */

export interface SplitOptions {
  seed: number;
  test: number;
  val: number;
}

export interface SplitIndices {
  train: number[];
  val: number[];
  test: number[];
}

/** Rows handed to `split`, with the rows that must stay together worked out once. */
export interface Table {
  name: string;
  rows: number[][];
  labels: number[];
  groups: number[] | null;
  /** What a class is, for messages: "union member", "iris setosa", ... */
  classNames?: string[];
  /** What a group is, for messages: "town", "group". */
  groupName?: string;
}

export interface Candidate {
  name: string;
  predictions: number[];
}

export interface Selection {
  chosen: string;
  valScores: number[];
  testScore: number;
}

export interface EvaluationData {
  iris: Table;
  wages: Table;
  towns: Table;
  /** Boston tracts, label 1 when the median home value is at least $25k; features without `b`. */
  houses: { rows: number[][]; labels: number[] };
}

export const PARTS = ['train', 'val', 'test'] as const;
export type Part = (typeof PARTS)[number];
