// Types for the part of ml-cart this exercise uses (the package ships none), for your editor.
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
