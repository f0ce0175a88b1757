/**
 * Reading a file store: one written by hand the way MLflow writes it (legacy
 * two-field metric lines and an integer experiment_id included), with the
 * broken entries MLflow's FileStore skips.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { latest, listExperiments, listRuns, parseMetricFile } from '../../../src/tracking';

function write(file: string, text: string): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, text);
}

function runMeta(runId: string, experimentId: string, extra = ''): string {
  return `artifact_uri: file:///x/mlruns/${experimentId}/${runId}/artifacts\nend_time: 1700000005000\nentry_point_name: ''\nexperiment_id: '${experimentId}'\nlifecycle_stage: active\nrun_id: ${runId}\nrun_name: ${runId}-name\nrun_uuid: ${runId}\nsource_name: ''\nsource_type: 4\nsource_version: ''\nstart_time: 1700000000000\nstatus: 3\ntags: []\nuser_id: bob\n${extra}`;
}

describe('reading mlruns', () => {
  let root: string;
  beforeAll(() => {
    root = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'mlpath-read-')), 'mlruns');
    write(
      path.join(root, '0', 'meta.yaml'),
      "artifact_location: file:///x/mlruns/0\nexperiment_id: '0'\nlifecycle_stage: active\nname: Default\n",
    );
    // MLflow 1.x wrote experiment ids as integers.
    write(
      path.join(root, '1', 'meta.yaml'),
      'artifact_location: /x/mlruns/1\nexperiment_id: 1\nlifecycle_stage: active\nname: old sweep\n',
    );
    write(path.join(root, '1', 'aaaa', 'meta.yaml'), runMeta('aaaa', '1'));
    write(path.join(root, '1', 'aaaa', 'params', 'lr'), '0.1');
    write(path.join(root, '1', 'aaaa', 'tags', 'mlflow.runName'), 'first');
    write(
      path.join(root, '1', 'aaaa', 'metrics', 'acc'),
      '1700000001000 0.5 1\n1700000002000 0.75 2\n1700000003000 0.7 1\n',
    );
    write(path.join(root, '1', 'aaaa', 'metrics', 'legacy'), '1700000001000 0.25\n');
    write(path.join(root, '1', 'aaaa', 'metrics', 'val', 'loss'), '1700000001000 nan 1\n1700000002000 inf 2\n');
    write(
      path.join(root, '1', 'bbbb', 'meta.yaml'),
      runMeta('bbbb', '1', 'deleted_time: 1700000009000\n').replace(
        'lifecycle_stage: active',
        'lifecycle_stage: deleted',
      ),
    );
    write(path.join(root, '1', 'cccc', 'params', 'lr'), '0.2');
    write(path.join(root, '1', 'dddd', 'meta.yaml'), runMeta('dddd', '2'));
    write(path.join(root, '1', 'tags', 'note'), 'an experiment tag folder, not a run');
    write(path.join(root, '.trash', '9', 'meta.yaml'), "experiment_id: '9'\nname: gone\n");
    write(path.join(root, 'junk', 'meta.yaml'), ': : not yaml [');
  });
  afterAll(() => fs.rmSync(path.dirname(root), { recursive: true, force: true }));

  it('lists the experiments, skipping the trash and malformed folders', () => {
    expect(listExperiments(root).map((e) => [e.experimentId, e.name])).toEqual([
      ['0', 'Default'],
      ['1', 'old sweep'],
    ]);
  });

  it("reads a run's params, tags and metric histories", () => {
    const runs = listRuns(root, '1');
    expect(runs.map((r) => r.runId)).toEqual(['aaaa']);
    const [run] = runs;
    expect(run).toMatchObject({
      status: 'FINISHED',
      userId: 'bob',
      runName: 'aaaa-name',
      startTime: 1_700_000_000_000,
      endTime: 1_700_000_005_000,
    });
    expect(run.params).toEqual({ lr: '0.1' });
    expect(run.tags).toEqual({ 'mlflow.runName': 'first' });
    expect(run.metrics.acc.map((p) => p.value)).toEqual([0.5, 0.75, 0.7]);
    expect(run.metrics.legacy).toEqual([{ timestamp: 1_700_000_001_000, value: 0.25, step: 0 }]);
    expect(run.metrics['val/loss'].map((p) => p.value)).toEqual([NaN, Infinity]);
  });

  it('takes the latest value as MLflow does: largest step, then latest timestamp', () => {
    const acc = listRuns(root, '1')[0].metrics.acc;
    expect(latest(acc)?.value).toBe(0.75);
    expect(
      latest([
        { timestamp: 2, value: 1, step: 5 },
        { timestamp: 9, value: 3, step: 5 },
        { timestamp: 1, value: 7, step: 4 },
      ])?.value,
    ).toBe(3);
    expect(latest([])).toBeUndefined();
  });

  it('skips lines that are not metric lines', () => {
    expect(parseMetricFile('1 2 3\ngarbage\n\n4 x 5\n6 7 8 9\n10 11\n')).toEqual([
      { timestamp: 1, value: 2, step: 3 },
      { timestamp: 10, value: 11, step: 0 },
    ]);
  });
});
