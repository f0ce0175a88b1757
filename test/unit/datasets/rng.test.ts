import { createRng, deriveSeed, exp, gaussian, shuffleInPlace, sigmoid } from '../../../src/datasets/rng';

describe('createRng', () => {
  it('is mulberry32: the published first outputs for seed 1', () => {
    const rng = createRng(1);
    expect([rng(), rng(), rng()]).toEqual([0.6270739405881613, 0.002735721180215478, 0.5274470399599522]);
  });

  it('repeats for a seed and differs between seeds', () => {
    const draw = (seed: number) => {
      const rng = createRng(seed);
      return Array.from({ length: 5 }, rng);
    };
    expect(draw(42)).toEqual(draw(42));
    expect(draw(42)).not.toEqual(draw(43));
  });

  it('stays in [0, 1) with a uniform mean', () => {
    const rng = createRng(3);
    let sum = 0;
    let min = 1;
    let max = 0;
    for (let i = 0; i < 20000; i++) {
      const x = rng();
      sum += x;
      if (x < min) min = x;
      if (x > max) max = x;
    }
    expect(min).toBeGreaterThanOrEqual(0);
    expect(max).toBeLessThan(1);
    expect(Math.abs(sum / 20000 - 0.5)).toBeLessThan(0.01);
  });

  it('rejects a seed that is not a finite number', () => {
    expect(() => createRng(NaN)).toThrow(RangeError);
  });
});

describe('helpers', () => {
  it('deriveSeed gives distinct streams per purpose and seed', () => {
    expect(deriveSeed(1, 'split')).not.toBe(deriveSeed(1, 'limit'));
    expect(deriveSeed(1, 'split')).not.toBe(deriveSeed(2, 'split'));
    expect(deriveSeed(1, 'split')).toBe(deriveSeed(1, 'split'));
  });

  it('gaussian has mean 0 and variance 1', () => {
    const rng = createRng(9);
    const xs = Array.from({ length: 20000 }, () => gaussian(rng));
    const mean = xs.reduce((a, b) => a + b, 0) / xs.length;
    const variance = xs.reduce((a, b) => a + (b - mean) ** 2, 0) / xs.length;
    expect(Math.abs(mean)).toBeLessThan(0.03);
    expect(Math.abs(variance - 1)).toBeLessThan(0.05);
  });

  it('exp agrees with Math.exp to within rounding', () => {
    for (const x of [-700, -50, -1, -1e-9, 0, 0.5, 1, 2.302585092994046, 30, 700]) {
      expect(Math.abs(exp(x) - Math.exp(x)) / Math.exp(x)).toBeLessThan(1e-14);
    }
    expect(exp(800)).toBe(Infinity);
    expect(exp(-800)).toBe(0);
    expect(sigmoid(0)).toBe(0.5);
    expect(sigmoid(3) + sigmoid(-3)).toBeCloseTo(1, 15);
  });

  it('shuffleInPlace permutes deterministically', () => {
    const a = Array.from({ length: 50 }, (_, i) => i);
    const b = a.slice();
    shuffleInPlace(a, createRng(5));
    shuffleInPlace(b, createRng(5));
    expect(a).toEqual(b);
    expect(a).not.toEqual([...a].sort((x, y) => x - y));
    expect([...a].sort((x, y) => x - y)).toEqual(Array.from({ length: 50 }, (_, i) => i));
  });
});
