/**
 * The part of ml-cart (which ships no types) that month3/tabular-boosting's
 * starter, reference and fixtures use, for the repository's type check; the
 * exercise folder carries the same declaration for learners' editors.
 */
declare module 'ml-cart' {
  export interface TreeOptions {
    maxDepth?: number;
    minNumSamples?: number;
    gainThreshold?: number;
  }
  export class DecisionTreeRegression {
    constructor(options?: TreeOptions);
    train(x: number[][], y: number[]): void;
    predict(x: number[][]): number[];
    toJSON(): object;
  }
}
