/**
 * Pictures of training: every check writes `.mlpath/reports/<id>.html`
 * whose SVG charts hold exactly the logged points (loss curve, logged
 * validation metric, metric per attempt, confusion counts); `mlpath report`
 * prints its path; and a real headless Chromium lays it out (when
 * /usr/bin/chromium is installed; otherwise that test is skipped and says
 * so).
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ROOT, runCli, tempDir } from '../helpers/cli';
import { makeUxWorkspace, PASSING, save } from '../helpers/ux-course';

// MLPATH_TEST_CHROMIUM points elsewhere (or nowhere, to see the skip).
const CHROMIUM = process.env.MLPATH_TEST_CHROMIUM ?? '/usr/bin/chromium';
const haveChromium = fs.existsSync(CHROMIUM);

interface Circle {
  series: string;
  x: number;
  y: number;
  attempt?: number;
}

function circles(svg: string): Circle[] {
  return [
    ...svg.matchAll(
      /<circle class="pt[^"]*" data-series="([^"]*)" data-x="([^"]*)" data-y="([^"]*)"(?: data-attempt="(\d+)")?/g,
    ),
  ].map((m) => ({
    series: m[1],
    x: Number(m[2]),
    y: Number(m[3]),
    attempt: m[4] ? Number(m[4]) : undefined,
  }));
}

function svgById(html: string, id: string): string {
  const start = html.indexOf(`<svg id="${id}"`);
  if (start < 0) return '';
  return html.slice(start, html.indexOf('</svg>', start));
}

interface RunRecord {
  result: { status: string; metrics: { name: string; value: number }[] };
  curve: Record<string, number>[];
  confusion?: number[][];
}

let ws: string;
let html: string;
let records: RunRecord[];

beforeAll(() => {
  ws = makeUxWorkspace();
  expect(runCli(['check', 'm1/iris'], ws).code).toBe(1);
  save(ws, PASSING);
  const passed = runCli(['check', 'm1/iris'], ws);
  expect(passed.code).toBe(0);
  expect(passed.stdout).toMatch(/report: \.mlpath\/reports\/m1-iris\.html/);
  html = fs.readFileSync(path.join(ws, '.mlpath', 'reports', 'm1-iris.html'), 'utf8');
  const runs = path.join(ws, '.mlpath', 'runs');
  records = fs
    .readdirSync(runs)
    .sort()
    .map((f) => JSON.parse(fs.readFileSync(path.join(runs, f), 'utf8')));
});

test('the loss chart and the logged-metrics chart hold every logged point', () => {
  const curve = records[1].curve;
  expect(curve.length).toBe(30);
  const loss = circles(svgById(html, 'loss-chart')).filter((c) => c.series === 'loss');
  expect(loss.map((c) => c.x)).toEqual(curve.map((s) => s.epoch));
  loss.forEach((c, i) => expect(c.y).toBeCloseTo(curve[i].loss, 10));
  const val = circles(svgById(html, 'metrics-chart')).filter((c) => c.series === 'valAccuracy');
  expect(val.map((c) => c.y)).toEqual(curve.map((s) => s.valAccuracy));
});

test('the history chart holds the metric of every attempt, against the threshold', () => {
  const history = svgById(html, 'history-0');
  expect(history).toMatch(/data-threshold="0\.8"/);
  const points = circles(history);
  expect(points.map((p) => p.attempt)).toEqual([1, 2]);
  expect(points.map((p) => p.y)).toEqual(records.map((r) => r.result.metrics[0].value));
  expect(history).toMatch(/class="pt miss"[^>]*data-x="1"/);
  expect(history).toMatch(/class="pt pass"[^>]*data-x="2"/);
});

test('the confusion matrix holds the held-out counts, and its diagonal is the accuracy', () => {
  const cells = [...svgById(html, 'confusion').matchAll(/data-true="(\d+)" data-pred="(\d+)" data-count="(\d+)"/g)].map(
    (m) => m.slice(1).map(Number),
  );
  const matrix = records[1].confusion!;
  expect(cells.length).toBe(matrix.length * matrix.length);
  for (const [t, p, n] of cells) expect(n).toBe(matrix[t][p]);
  const total = cells.reduce((a, c) => a + c[2], 0);
  const right = cells.filter(([t, p]) => t === p).reduce((a, c) => a + c[2], 0);
  expect(right / total).toBeCloseTo(records[1].result.metrics[0].value, 10);
  expect(html).toMatch(/>setosa</);
});

test('the report is self-contained: no scripts, no network assets', () => {
  expect(html).not.toMatch(/<script/i);
  expect(html).not.toMatch(/(src|href)="https?:/i);
  expect(html).not.toMatch(/@import|url\(/i);
});

test('`mlpath report` prints the path; --open fails gracefully without a browser', () => {
  const r = runCli(['report', 'm1/iris'], ws);
  expect(r.code).toBe(0);
  expect(r.stdout.trim()).toBe(path.join(ws, '.mlpath', 'reports', 'm1-iris.html'));
  expect(r.stderr).toMatch(/next: `mlpath check m1\/iris`/);
  const bin = tempDir();
  fs.symlinkSync(process.execPath, path.join(bin, 'node'));
  const open = runCli(['report', 'm1/iris', '--open'], ws, { PATH: bin });
  expect(open.code).toBe(0);
  expect(open.stdout.trim()).toBe(r.stdout.trim());
  expect(open.stderr).toMatch(/could not open a browser \(xdg-open is not installed\); open the file above yourself/);
});

test('`mlpath report` before any check says how to get one', () => {
  const fresh = makeUxWorkspace();
  const r = runCli(['report', 'm1/iris'], fresh);
  expect(r.code).toBe(2);
  expect(r.stderr).toMatch(/has not been checked yet/);
  expect(r.stderr).toMatch(/mlpath check m1\/iris/);
});

/** The report with a probe appended that measures what the browser laid out. */
function probePage(dir: string): string {
  const probe = `<script>
const svgBox = (el) => el.closest('svg').getBoundingClientRect();
const inside = (r, b) => r.left >= b.left - 1 && r.right <= b.right + 1 && r.top >= b.top - 1 && r.bottom <= b.bottom + 1;
const charts = [...document.querySelectorAll('svg.chart')].map((svg) => {
  const b = svg.getBoundingClientRect();
  return { id: svg.id, width: b.width, height: b.height };
});
const points = [...document.querySelectorAll('circle.pt')];
const cells = [...document.querySelectorAll('rect.cell')];
const result = {
  charts,
  points: points.length,
  pointsInside: points.filter((p) => inside(p.getBoundingClientRect(), svgBox(p))).length,
  cells: cells.length,
  cellsInside: cells.filter((c) => inside(c.getBoundingClientRect(), svgBox(c))).length,
  title: document.querySelector('h1').textContent,
};
const pre = document.createElement('pre');
pre.id = 'probe';
pre.textContent = JSON.stringify(result);
document.body.appendChild(pre);
</script>`;
  const file = path.join(dir, 'probe.html');
  fs.writeFileSync(file, html.replace('</body>', `${probe}\n</body>`));
  return file;
}

(haveChromium ? test : test.skip)(
  `headless Chromium lays the report out and renders it to a PNG${haveChromium ? '' : ` (skipped: ${CHROMIUM} is not installed; apt-get install -y chromium)`}`,
  () => {
    const dir = tempDir('mlpath-chromium-');
    const dom = spawnSync(
      CHROMIUM,
      [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        `--user-data-dir=${path.join(dir, 'profile')}`,
        '--window-size=1000,2400',
        '--dump-dom',
        `file://${probePage(dir)}`,
      ],
      { encoding: 'utf8', timeout: 60000 },
    );
    const m = /<pre id="probe">(.*?)<\/pre>/s.exec(dom.stdout);
    expect(m).not.toBeNull();
    const probe = JSON.parse(
      m![1]
        .replace(/&quot;/g, '"')
        .replace(/&amp;/g, '&')
        .replace(/&lt;/g, '<')
        .replace(/&gt;/g, '>'),
    );
    expect(probe.title).toBe('m1/iris: Iris with a small network');
    expect(probe.charts.map((c: { id: string }) => c.id)).toEqual([
      'loss-chart',
      'metrics-chart',
      'history-0',
      'confusion',
    ]);
    for (const c of probe.charts) {
      expect(c.width).toBeGreaterThan(100);
      expect(c.height).toBeGreaterThan(100);
    }
    // 30 loss + 30 validation points of the latest attempt, 2 attempts in the history.
    expect(probe.points).toBe(62);
    expect(probe.pointsInside).toBe(probe.points);
    expect(probe.cells).toBe(9);
    expect(probe.cellsInside).toBe(9);

    const png = path.join(dir, 'report.png');
    const render = spawnSync(
      path.join(ROOT, 'scripts', 'render-report.sh'),
      [path.join(ws, '.mlpath', 'reports', 'm1-iris.html'), png],
      {
        encoding: 'utf8',
        timeout: 60000,
        env: { ...process.env, CHROMIUM, HEIGHT: '1600' },
      },
    );
    expect(render.stderr).toBe('');
    expect(render.status).toBe(0);
    expect(render.stdout.trim()).toBe(png);
    const bytes = fs.readFileSync(png);
    expect(bytes.subarray(1, 4).toString()).toBe('PNG');
    expect(bytes.readUInt32BE(16)).toBe(1000);
    expect(bytes.readUInt32BE(20)).toBe(1600);
    expect(bytes.length).toBeGreaterThan(30000);
  },
);

// Last: it adds a third attempt to the shared workspace.
test('an attempt that crashes after one epoch: the report keeps the last real curve and names file:line', () => {
  save(
    ws,
    `import type { TrainContext, Predictor } from 'mlpath';

export default async function train(ctx: TrainContext): Promise<Predictor> {
  ctx.log({ epoch: 1, loss: 0.9 });
  throw new Error('boom after one epoch');
}
`,
  );
  const r = runCli(['check', 'm1/iris'], ws);
  expect(r.stdout).toMatch(/m1\/iris\/train\.ts:5/);
  const page = fs.readFileSync(path.join(ws, '.mlpath', 'reports', 'm1-iris.html'), 'utf8');
  expect(page).toContain('<span class="badge error">error</span>');
  expect(page).toContain('runtime error at <code class="error-where">m1/iris/train.ts:5</code>');
  expect(page).toContain('<section id="training" data-attempt="2">');
  expect(circles(svgById(page, 'loss-chart')).filter((c) => c.series === 'loss')).toHaveLength(30);
});
