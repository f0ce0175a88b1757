import { confusionMatrix, esc, lineChart, niceTicks, renderReport, type Attempt } from '../../../src/reporters/html';

function attempt(over: Partial<Attempt>): Attempt {
  return {
    createdAt: '2026-01-01T10:00:00.000Z',
    status: 'failed',
    metrics: [{ name: 'accuracy', value: 0.5, min: 0.9, passed: false }],
    seed: 1,
    backend: 'wasm',
    durationMs: 1200,
    error: null,
    curve: [],
    ...over,
  };
}

function points(svg: string, series?: string): { x: number; y: number }[] {
  return [...svg.matchAll(/<circle class="pt[^"]*" data-series="([^"]*)" data-x="([^"]*)" data-y="([^"]*)"/g)]
    .filter((m) => series === undefined || m[1] === series)
    .map((m) => ({ x: Number(m[2]), y: Number(m[3]) }));
}

function svg(html: string, id: string): string {
  const start = html.indexOf(`<svg id="${id}"`);
  return start < 0 ? '' : html.slice(start, html.indexOf('</svg>', start) + 6);
}

test('niceTicks are round numbers covering the range', () => {
  expect(niceTicks(0, 1)).toEqual([0, 0.2, 0.4, 0.6, 0.8, 1]);
  expect(niceTicks(0.13, 0.97, 4)).toEqual([0.2, 0.4, 0.6, 0.8]);
  expect(niceTicks(3, 3)).toEqual([3]);
});

test('esc makes text safe in HTML and attributes', () => {
  expect(esc('<b a="1">&</b>')).toBe('&lt;b a=&quot;1&quot;&gt;&amp;&lt;/b&gt;');
});

describe('lineChart', () => {
  test('one circle per point, carrying its values, inside the plot area', () => {
    const data = [
      { x: 1, y: 0.7 },
      { x: 2, y: 0.35 },
      { x: 3, y: 0.2 },
    ];
    const out = lineChart({
      id: 'c',
      xLabel: 'epoch',
      yLabel: 'loss',
      series: [{ name: 'loss', points: data, color: '#000' }],
    });
    expect(points(out, 'loss')).toEqual(data);
    const cx = [...out.matchAll(/ cx="([\d.]+)" cy="([\d.]+)"/g)].map((m) => [Number(m[1]), Number(m[2])]);
    expect(cx).toHaveLength(3);
    for (const [x, y] of cx) {
      expect(x).toBeGreaterThanOrEqual(60);
      expect(x).toBeLessThanOrEqual(624);
      expect(y).toBeGreaterThanOrEqual(14);
      expect(y).toBeLessThanOrEqual(238);
    }
    // Falling loss: later points are drawn lower (larger y).
    expect(cx[0][1]).toBeLessThan(cx[2][1]);
    expect(out).toMatch(/<polyline class="line" data-series="loss"/);
  });

  test('earlier attempts are faded lines without points; a threshold is a dashed line at its value', () => {
    const out = lineChart({
      id: 'c',
      xLabel: 'attempt',
      yLabel: 'accuracy',
      integerX: true,
      series: [
        {
          name: 'old',
          points: [
            { x: 1, y: 0.1 },
            { x: 2, y: 0.2 },
          ],
          color: '#999',
          faded: true,
        },
        { name: 'new', points: [{ x: 1, y: 0.5 }], color: '#000' },
      ],
      threshold: { value: 0.9, label: 'threshold ≥ 0.9' },
    });
    expect(points(out, 'old')).toEqual([]);
    expect(out).toMatch(/<polyline class="line faded" data-series="old"/);
    expect(points(out, 'new')).toEqual([{ x: 1, y: 0.5 }]);
    expect(out).toMatch(/class="threshold" data-threshold="0\.9"/);
  });

  test('no points, no chart', () => {
    expect(lineChart({ id: 'c', xLabel: 'x', yLabel: 'y', series: [] })).toBe('');
  });
});

test('confusionMatrix: one cell per pair with its count, class names escaped, recall per row', () => {
  const out = confusionMatrix(
    [
      [8, 2],
      [1, 9],
    ],
    ['<cat>', 'dog'],
  );
  const cells = [...out.matchAll(/data-true="(\d)" data-pred="(\d)" data-count="(\d+)"/g)].map((m) =>
    m.slice(1).map(Number),
  );
  expect(cells).toEqual([
    [0, 0, 8],
    [0, 1, 2],
    [1, 0, 1],
    [1, 1, 9],
  ]);
  expect(out).toContain('&lt;cat&gt;');
  expect(out).not.toContain('<cat>');
  expect(out).toMatch(/data-recall="0"[^>]*>80%/);
  expect(out).toMatch(/data-recall="1"[^>]*>90%/);
});

describe('renderReport', () => {
  const curve = [1, 2, 3].map((epoch) => ({ epoch, loss: 1 / epoch, valAccuracy: 0.6 + epoch / 10 }));
  const attempts: Attempt[] = [
    attempt({
      createdAt: '2026-01-01T10:00:00.000Z',
      curve: [
        { epoch: 1, loss: 2 },
        { epoch: 2, loss: 1.5 },
      ],
    }),
    attempt({
      createdAt: '2026-01-01T10:05:00.000Z',
      status: 'error',
      metrics: [],
      error: { kind: 'compile', message: 'x <y>' },
    }),
    attempt({
      createdAt: '2026-01-01T10:09:00.000Z',
      status: 'passed',
      metrics: [{ name: 'accuracy', value: 0.95, min: 0.9, passed: true }],
      curve,
      confusion: [
        [5, 0],
        [1, 4],
      ],
      classNames: ['no', 'yes'],
    }),
  ];
  const html = renderReport({
    exercise: { key: 'm1/x', title: 'X & Y', summary: 'Learn <things>.' },
    attempts,
    generatedAt: '2026-01-01T11:00:00.000Z',
  });

  test('a whole, offline page', () => {
    expect(html).toMatch(/^<!doctype html>/);
    expect(html).toContain('<title>m1/x: X &amp; Y (mlpath report)</title>');
    expect(html).toContain('Learn &lt;things&gt;.');
    expect(html).not.toMatch(/<script|(src|href)="https?:|url\(/);
    expect(html).toMatch(/3 attempts; first passed on attempt 3\./);
  });

  test('the latest curve is drawn point by point, the earlier loss faded behind it', () => {
    expect(points(svg(html, 'loss-chart'), 'loss')).toEqual(curve.map((s) => ({ x: s.epoch, y: s.loss })));
    expect(svg(html, 'loss-chart')).toMatch(/data-series="loss, attempt 1"/);
    expect(points(svg(html, 'metrics-chart'), 'valAccuracy')).toEqual(
      curve.map((s) => ({ x: s.epoch, y: s.valAccuracy })),
    );
  });

  test('the history has one point per attempt with a value, and names the errors', () => {
    expect(points(svg(html, 'history-0'))).toEqual([
      { x: 1, y: 0.5 },
      { x: 3, y: 0.95 },
    ]);
    expect(html).toMatch(/Attempt 2 ended in an error, so it has no accuracy/);
    expect(svg(html, 'history-0')).toMatch(/data-threshold="0\.9"/);
  });

  test('the latest attempt and the confusion matrix of the last classification', () => {
    expect(html).toMatch(/Latest attempt <span class="badge passed">passed<\/span>/);
    expect(svg(html, 'confusion')).toMatch(/data-count="4"/);
  });

  test('no attempts yet: a page that says how to get one', () => {
    const empty = renderReport({
      exercise: { key: 'm1/x', title: 'X' },
      attempts: [],
      generatedAt: '2026-01-01T11:00:00.000Z',
    });
    expect(empty).toMatch(/No checks yet. Run <code>mlpath check m1\/x<\/code>/);
    expect(empty).not.toMatch(/<svg/);
  });

  test('no curve logged: the page says how to log one', () => {
    const page = renderReport({
      exercise: { key: 'm1/x', title: 'X' },
      attempts: [attempt({})],
      generatedAt: '2026-01-01T11:00:00.000Z',
    });
    expect(page).toMatch(/ctx\.log\(\{ epoch, loss \}\)/);
  });
});

describe('seeds and baselines in the report', () => {
  const latest = attempt({
    seeds: [1, 2, 3],
    seedRule: 'every-seed',
    baselineLabel: 'majority class',
    metrics: [
      {
        name: 'accuracy',
        value: 0.85,
        min: 0.9,
        passed: false,
        values: [0.95, 0.85, 0.93],
        mean: 0.91,
        std: 0.053,
        baseline: 0.11,
      },
    ],
  });
  const html = renderReport({
    exercise: { key: 'm/x', title: 'X' },
    attempts: [attempt({}), latest],
    generatedAt: '2026-01-01T12:00:00.000Z',
  });

  test('the latest table has the baseline, the worst seed, each seed and the rule', () => {
    const row = /<tr class="miss">(.*?)<\/tr>/.exec(html)![1];
    const cells = [...row.matchAll(/<td>(.*?)<\/td>/g)].map((m) => m[1].replace(/<[^>]+>/g, ''));
    expect(cells).toEqual(['accuracy', '0.11', '0.85', '0.95 0.85 0.93 (mean 0.91 ± 0.053)', '≥ 0.9', 'miss']);
    expect(html).toMatch(/<th>value \(worst seed\)<\/th>/);
    expect(html).toContain('Graded on seeds 1, 2, 3: every seed must meet each threshold');
    expect(html).toContain('Baseline: majority class.');
  });

  test('the history chart draws the baseline beside the threshold', () => {
    const chart = svg(html, 'history-0');
    expect(chart).toMatch(/<line class="baseline" data-baseline="0.11"/);
    expect(chart).toMatch(/<line class="threshold" data-threshold="0.9"/);
  });
});

describe('the report a tester measured', () => {
  function luminance(hex: string): number {
    const [r, g, b] = [1, 3, 5].map((i) => {
      const c = parseInt(hex.slice(i, i + 2), 16) / 255;
      return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
    });
    return 0.2126 * r + 0.7152 * g + 0.0722 * b;
  }
  function contrast(a: string, b: string): number {
    const [hi, lo] = [luminance(a), luminance(b)].sort((x, y) => y - x);
    return (hi + 0.05) / (lo + 0.05);
  }
  /** Every CSS rule of the page as [selector, declarations]. */
  function rules(html: string): [string, string][] {
    const css = html.slice(html.indexOf('<style>') + 7, html.indexOf('</style>')).replace(/@media[^{]*\{/g, '');
    return [...css.matchAll(/([^{}]+)\{([^{}]*)\}/g)].map((m) => [m[1].trim(), m[2]]);
  }

  test('each status badge is white text on a pill with at least 4.5:1 contrast, and no other rule recolours it', () => {
    const html = renderReport({
      exercise: { key: 'm/x', title: 'X' },
      attempts: [attempt({ status: 'error', error: { kind: 'runtime', message: 'boom' } })],
      generatedAt: '2026-01-01T10:00:00.000Z',
    });
    expect(html).toContain('<span class="badge error">error</span>');
    const all = rules(html);
    const badgeColor = /(?:^|;)\s*color:\s*(#[0-9a-f]{6})/i.exec(all.find(([s]) => s === '.badge')![1])![1];
    for (const status of ['passed', 'failed', 'error']) {
      const bg = /background:\s*(#[0-9a-f]{6})/i.exec(all.find(([s]) => s === `.badge.${status}`)![1])![1];
      expect(contrast(badgeColor, bg)).toBeGreaterThanOrEqual(4.5);
      // A rule that matches the badge by its status class alone (`.error { color: ... }`) would override the white.
      const rivals = all.filter(
        ([s, d]) => s.split(',').some((x) => x.trim() === `.${status}`) && /(^|;)\s*color:/.test(d),
      );
      expect(rivals).toEqual([]);
    }
  });

  test('the training curve is the latest attempt with two points or more, and says which', () => {
    const good = [1, 2, 3].map((epoch) => ({ epoch, loss: 1 / epoch }));
    const html = renderReport({
      exercise: { key: 'm/x', title: 'X' },
      attempts: [
        attempt({ curve: good }),
        attempt({
          curve: [
            { epoch: 1, loss: 0.4 },
            { epoch: 2, loss: 0.3 },
          ],
        }),
        attempt({ status: 'error', error: { kind: 'runtime', message: 'boom' }, curve: [{ epoch: 1, loss: 9 }] }),
      ],
      generatedAt: '2026-01-01T10:00:00.000Z',
    });
    expect(html).toContain('<section id="training" data-attempt="2">');
    expect(html).toContain('(attempt 2 of 3)');
    expect(html).toContain('Attempt 2 is the latest with a curve of two points or more; attempt 3 logged less.');
    expect(points(svg(html, 'loss-chart'), 'loss')).toEqual([
      { x: 1, y: 0.4 },
      { x: 2, y: 0.3 },
    ]);
  });

  test('no attempt with two points: the page says so and draws no chart', () => {
    const html = renderReport({
      exercise: { key: 'm/x', title: 'X' },
      attempts: [attempt({ curve: [{ epoch: 1, loss: 0.4 }] })],
      generatedAt: '2026-01-01T10:00:00.000Z',
    });
    expect(html).toContain('No attempt has logged a curve of two points or more yet.');
    expect(svg(html, 'loss-chart')).toBe('');
  });

  function xTicks(chart: string): number[] {
    return [...chart.matchAll(/<text class="tick" x="[\d.]+" y="254" text-anchor="middle">([^<]+)<\/text>/g)].map((m) =>
      Number(m[1]),
    );
  }

  test('an earlier attempt that logged wild epochs does not squash the x axis', () => {
    const latest = [1, 2, 3, 4, 5].map((epoch) => ({ epoch, loss: 1 / epoch }));
    const backwards = [0, 1, 2, 3].map((i) => ({ epoch: 1 - i * 40000, loss: 2 - i / 10 }));
    const html = renderReport({
      exercise: { key: 'm/x', title: 'X' },
      attempts: [attempt({ curve: backwards }), attempt({ curve: latest })],
      generatedAt: '2026-01-01T10:00:00.000Z',
    });
    const ticks = xTicks(svg(html, 'loss-chart'));
    expect(Math.min(...ticks)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...ticks)).toBeLessThanOrEqual(6);
  });

  test('a loop counting backwards is drawn by logged step, not by its epoch', () => {
    const curve = [0, 1, 2, 3].map((i) => ({ epoch: 1 - i * 44633, loss: 1 - i / 10 }));
    const html = renderReport({
      exercise: { key: 'm/x', title: 'X' },
      attempts: [attempt({ curve })],
      generatedAt: '2026-01-01T10:00:00.000Z',
    });
    const chart = svg(html, 'loss-chart');
    expect(chart).toContain('>logged step</text>');
    expect(points(chart, 'loss').map((p) => p.x)).toEqual([1, 2, 3, 4]);
    const ticks = xTicks(chart);
    expect(Math.min(...ticks)).toBeGreaterThanOrEqual(1);
    expect(Math.max(...ticks)).toBeLessThanOrEqual(4);
  });

  test('a step with a negative or out-of-order epoch among good ones is left off', () => {
    const curve = [
      { epoch: 1, loss: 0.9 },
      { epoch: 2, loss: 0.8 },
      { epoch: -120000, loss: 0.7 },
      { epoch: 3, loss: 0.6 },
    ];
    const html = renderReport({
      exercise: { key: 'm/x', title: 'X' },
      attempts: [attempt({ curve })],
      generatedAt: '2026-01-01T10:00:00.000Z',
    });
    const chart = svg(html, 'loss-chart');
    expect(points(chart, 'loss').map((p) => p.x)).toEqual([1, 2, 3]);
    expect(Math.min(...xTicks(chart))).toBeGreaterThanOrEqual(0);
  });

  test("the history is drawn by attempt number, whatever the attempts' values", () => {
    const html = renderReport({
      exercise: { key: 'm/x', title: 'X' },
      attempts: [0.5, -1.2e5, 0.95].map((value) =>
        attempt({ metrics: [{ name: 'accuracy', value, min: 0.9, passed: value >= 0.9 }] }),
      ),
      generatedAt: '2026-01-01T10:00:00.000Z',
    });
    const chart = svg(html, 'history-0');
    expect(points(chart).map((p) => p.x)).toEqual([1, 2, 3]);
    expect(xTicks(chart)).toEqual([1, 2, 3]);
  });

  test('an error shows its file:line', () => {
    const html = renderReport({
      exercise: { key: 'month1/tensors', title: 'X' },
      attempts: [
        attempt({
          status: 'error',
          metrics: [],
          error: { kind: 'runtime', message: 'boom <here>', file: 'month1/tensors/tensors.ts', line: 12 },
        }),
      ],
      generatedAt: '2026-01-01T10:00:00.000Z',
    });
    expect(html).toContain('runtime error at <code class="error-where">month1/tensors/tensors.ts:12</code>');
    expect(html).toContain('<pre class="error-message">boom &lt;here&gt;</pre>');
  });
});

test('a functions exercise that logs nothing has no training section', () => {
  const input = { attempts: [attempt({})], generatedAt: '2026-01-01T10:00:00.000Z' };
  expect(renderReport({ ...input, exercise: { key: 'm/x', title: 'X', kind: 'functions' } })).not.toContain(
    'id="training"',
  );
  expect(renderReport({ ...input, exercise: { key: 'm/x', title: 'X', kind: 'train' } })).toContain('id="training"');
});

test('an earlier attempt on another x axis (epochs beside logged steps) is not drawn behind the latest', () => {
  const byEpoch = [1, 100, 200].map((epoch) => ({ epoch, loss: 1 / epoch }));
  const backwards = [0, 1, 2].map((i) => ({ epoch: 1 - i * 67, loss: 1 - i / 10 }));
  const html = renderReport({
    exercise: { key: 'm/x', title: 'X' },
    attempts: [attempt({ curve: byEpoch }), attempt({ curve: backwards })],
    generatedAt: '2026-01-01T10:00:00.000Z',
  });
  expect(html).not.toContain('loss, attempt 1');
});

test('the history axis runs to the latest attempt, even one that ended in an error', () => {
  const html = renderReport({
    exercise: { key: 'm/x', title: 'X' },
    attempts: [
      attempt({}),
      attempt({}),
      attempt({ status: 'error', metrics: [], error: { kind: 'compile', message: 'x' } }),
    ],
    generatedAt: '2026-01-01T10:00:00.000Z',
  });
  const ticks = [...svg(html, 'history-0').matchAll(/y="254" text-anchor="middle">(\d+)</g)].map((m) => Number(m[1]));
  expect(ticks).toEqual([1, 2, 3]);
});

test("the latest attempt's findings, escaped, above the coach; none for an attempt without them", () => {
  const page = (findings?: string[]): string =>
    renderReport({
      exercise: { key: 'm2/e', title: 'E', kind: 'functions' },
      attempts: [attempt({ status: 'passed', findings })],
      generatedAt: '2026-01-01T11:00:00.000Z',
    });
  const html = page(['Shirt taken for T-shirt/top 11 times <b>', 'Its lowest recall: Shirt, 0.20']);
  expect(html).toContain('<section id="findings"><h2>What your answers show');
  expect(html).toContain('<li>Shirt taken for T-shirt/top 11 times &lt;b&gt;</li>');
  expect(page(undefined)).not.toContain('id="findings"');
});
