/**
 * The tracker's files against MLflow's documented file-store layout. The
 * expected texts below are what MLflow 2.x's FileStore writes for the same
 * run (mlflow/store/tracking/file_store.py: create_run, log_param,
 * log_metric, set_tag, update_run_info; meta.yaml through PyYAML's
 * safe_dump with sorted keys), produced with PyYAML from the dicts MLflow
 * builds, not with the code under test.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import {
  experimentMetaYaml,
  FileStore,
  keyProblem,
  metricLine,
  pythonFloat,
  runMetaYaml,
  RUN_STATUS,
  type RunInfo,
} from '../../../src/tracking';
import { dumpFlatYaml as dump } from '../../../src/tracking/yaml';

const RUN_ID = '0123456789abcdef0123456789abcdef';
const EXP_ID = '123456789012345678';

/** MLflow 2.x run meta.yaml right after create_run (deleted_time: null, status RUNNING = 1). */
const MLFLOW_RUN_META_CREATED = `artifact_uri: file:///tmp/ws/mlruns/123456789012345678/0123456789abcdef0123456789abcdef/artifacts
deleted_time: null
end_time: null
entry_point_name: ''
experiment_id: '123456789012345678'
lifecycle_stage: active
run_id: 0123456789abcdef0123456789abcdef
run_name: lr=0.003 hidden=128
run_uuid: 0123456789abcdef0123456789abcdef
source_name: ''
source_type: 4
source_version: ''
start_time: 1700000000000
status: 1
tags: []
user_id: alice
`;

/** The same run after update_run_info(FINISHED): rewritten without deleted_time, status 3. */
const MLFLOW_RUN_META_FINISHED = `artifact_uri: file:///tmp/ws/mlruns/123456789012345678/0123456789abcdef0123456789abcdef/artifacts
end_time: 1700000009000
entry_point_name: ''
experiment_id: '123456789012345678'
lifecycle_stage: active
run_id: 0123456789abcdef0123456789abcdef
run_name: lr=0.003 hidden=128
run_uuid: 0123456789abcdef0123456789abcdef
source_name: ''
source_type: 4
source_version: ''
start_time: 1700000000000
status: 3
tags: []
user_id: alice
`;

/** An experiment's meta.yaml as _create_experiment_with_id writes it (tags live in files, not here). */
const MLFLOW_EXPERIMENT_META = `artifact_location: file:///tmp/ws/mlruns/123456789012345678
creation_time: 1700000000000
experiment_id: '123456789012345678'
last_update_time: 1700000000000
lifecycle_stage: active
name: month4/tracking
`;

const RUN: RunInfo = {
  runId: RUN_ID,
  experimentId: EXP_ID,
  runName: 'lr=0.003 hidden=128',
  userId: 'alice',
  status: 'RUNNING',
  startTime: 1_700_000_000_000,
  endTime: null,
  artifactUri: `file:///tmp/ws/mlruns/${EXP_ID}/${RUN_ID}/artifacts`,
  lifecycleStage: 'active',
};

describe('meta.yaml', () => {
  it('writes a new run as MLflow create_run does', () => {
    expect(runMetaYaml(RUN, { withDeletedTime: true })).toBe(MLFLOW_RUN_META_CREATED);
  });

  it('writes a finished run as MLflow update_run_info does', () => {
    expect(runMetaYaml({ ...RUN, status: 'FINISHED', endTime: 1_700_000_009_000 })).toBe(MLFLOW_RUN_META_FINISHED);
  });

  it('writes an experiment as MLflow does', () => {
    expect(
      experimentMetaYaml({
        experimentId: EXP_ID,
        name: 'month4/tracking',
        artifactLocation: `file:///tmp/ws/mlruns/${EXP_ID}`,
        lifecycleStage: 'active',
        creationTime: 1_700_000_000_000,
        lastUpdateTime: 1_700_000_000_000,
      }),
    ).toBe(MLFLOW_EXPERIMENT_META);
  });

  it("uses the RunStatus numbers of MLflow's protobuf enum", () => {
    expect(RUN_STATUS).toEqual({ RUNNING: 1, SCHEDULED: 2, FINISHED: 3, FAILED: 4, KILLED: 5 });
  });

  it('quotes strings exactly where PyYAML safe_dump does', () => {
    // Expected lines produced by PyYAML 6 safe_dump for the same values.
    const cases: [string, string][] = [
      ['123', "'123'"],
      ['0777', "'0777'"],
      ['1.5', "'1.5'"],
      ['1e5', '1e5'],
      ['.5', "'.5'"],
      ['3e1', '3e1'],
      ['yes', "'yes'"],
      ['No', "'No'"],
      ['on', "'on'"],
      ['null', "'null'"],
      ['~', "'~'"],
      ['', "''"],
      ['2024-01-01', "'2024-01-01'"],
      ['12:30', "'12:30'"],
      ['1_000', "'1_000'"],
      ['.inf', "'.inf'"],
      ['a: b', "'a: b'"],
      ['a #b', "'a #b'"],
      ['#x', "'#x'"],
      ['- x', "'- x'"],
      ['-x', '-x'],
      ['? x', "'? x'"],
      ['[x]', "'[x]'"],
      ['!t', "'!t'"],
      ['*b', "'*b'"],
      ['%r', "'%r'"],
      ['@s', "'@s'"],
      ["a'b", "a'b"],
      [' lead', "' lead'"],
      ['trail ', "'trail '"],
      ['x:y', 'x:y'],
      ['a,b', 'a,b'],
      ['<<', "'<<'"],
      ['=', "'='"],
      ['file:///tmp/my path/mlruns/1', 'file:///tmp/my path/mlruns/1'],
      ['lr=0.1, units=64', 'lr=0.1, units=64'],
      ['deadbeef', 'deadbeef'],
      ['tab\tx', '"tab\\tx"'],
    ];
    for (const [value, want] of cases) expect(dump({ k: value })).toBe(`k: ${want}\n`);
  });
});

describe('metric files', () => {
  it('writes "<timestamp> <value> <step>" lines, values as Python repr()', () => {
    expect(metricLine(1_700_000_000_000, 0.5, 3)).toBe('1700000000000 0.5 3\n');
    expect(metricLine(1_700_000_000_000, 1, 0)).toBe('1700000000000 1.0 0\n');
  });

  it('formats floats as Python repr() does', () => {
    // Expected strings from Python 3: repr(float(x)).
    const cases: [number, string][] = [
      [0, '0.0'],
      [-0, '-0.0'],
      [1, '1.0'],
      [-1, '-1.0'],
      [0.1, '0.1'],
      [123.456, '123.456'],
      [1e-4, '0.0001'],
      [1e-5, '1e-05'],
      [0.00012345, '0.00012345'],
      [1.2345e-7, '1.2345e-07'],
      [1e15, '1000000000000000.0'],
      [1e16, '1e+16'],
      [1.5e16, '1.5e+16'],
      [1e21, '1e+21'],
      [5e-324, '5e-324'],
      [NaN, 'nan'],
      [Infinity, 'inf'],
      [-Infinity, '-inf'],
      [0.30000000000000004, '0.30000000000000004'],
      [99999999999999.9, '99999999999999.9'],
      [9999999999999998, '9999999999999998.0'],
      [1 / 3, '0.3333333333333333'],
      [1e100, '1e+100'],
    ];
    for (const [value, want] of cases) expect(pythonFloat(value)).toBe(want);
  });
});

describe('names', () => {
  it('accepts what MLflow accepts and refuses path tricks', () => {
    for (const ok of ['loss', 'val_accuracy', 'val/loss', 'lr 1', 'a-b.c:d']) expect(keyProblem(ok)).toBeUndefined();
    for (const bad of ['', '../x', '/abs', 'a//b', 'a/./b', 'x/', 'semi;colon', 'tab\t', 'é'])
      expect(keyProblem(bad)).toBeDefined();
  });
});

describe('FileStore on disk', () => {
  let root: string;
  beforeEach(() => {
    root = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'mlpath-mlruns-')), 'mlruns');
  });
  afterEach(() => fs.rmSync(path.dirname(root), { recursive: true, force: true }));

  function tree(dir: string, prefix = ''): string[] {
    return fs
      .readdirSync(path.join(dir, prefix), { withFileTypes: true })
      .flatMap((e) => {
        const rel = prefix ? `${prefix}/${e.name}` : e.name;
        return e.isDirectory() ? [`${rel}/`, ...tree(dir, rel)] : [rel];
      })
      .sort();
  }

  it("lays out experiments and runs as MLflow's file store documents them", () => {
    let now = 1_700_000_000_000;
    const store = new FileStore(root, () => now);
    const exp = store.experiment('month4/tracking');
    const run = store.createRun(exp, {
      runName: 'lr=0.003 hidden=128',
      userId: 'alice',
      tags: { 'mlflow.user': 'alice' },
    });
    store.logParam(run, 'learning_rate', '0.003');
    store.logMetric(run, 'val_accuracy', 0.5, 1);
    now += 1000;
    store.logMetric(run, 'val_accuracy', 0.75, 2);
    store.logMetric(run, 'val/loss', 0.25, 2);
    store.setTag(run, 'mlpath.chosen', 'true');
    now += 8000;
    store.endRun(run, 'FINISHED');

    const generic = tree(root).map((p) => p.replace(exp.experimentId, '<exp>').replace(run.runId, '<run>'));
    expect(generic).toEqual(
      [
        '.trash/',
        '0/',
        '0/meta.yaml',
        '<exp>/',
        '<exp>/<run>/',
        '<exp>/<run>/artifacts/',
        '<exp>/<run>/meta.yaml',
        '<exp>/<run>/metrics/',
        '<exp>/<run>/metrics/val/',
        '<exp>/<run>/metrics/val/loss',
        '<exp>/<run>/metrics/val_accuracy',
        '<exp>/<run>/params/',
        '<exp>/<run>/params/learning_rate',
        '<exp>/<run>/tags/',
        '<exp>/<run>/tags/mlflow.runName',
        '<exp>/<run>/tags/mlflow.user',
        '<exp>/<run>/tags/mlpath.chosen',
        '<exp>/meta.yaml',
      ].sort(),
    );
    expect(exp.experimentId).toMatch(/^[1-9][0-9]{17}$/);
    expect(run.runId).toMatch(/^[0-9a-f]{32}$/);

    const runDir = path.join(root, exp.experimentId, run.runId);
    const read = (...p: string[]): string => fs.readFileSync(path.join(runDir, ...p), 'utf8');
    expect(read('params', 'learning_rate')).toBe('0.003');
    expect(read('tags', 'mlpath.chosen')).toBe('true');
    expect(read('tags', 'mlflow.runName')).toBe('lr=0.003 hidden=128');
    expect(read('metrics', 'val_accuracy')).toBe('1700000000000 0.5 1\n1700000001000 0.75 2\n');
    expect(read('metrics', 'val', 'loss')).toBe('1700000001000 0.25 2\n');

    // MLflow's own layout with one departure: the artifact root is relative to the folder holding the store, so a moved store keeps working.
    const uri = path.basename(root);
    const expected = MLFLOW_RUN_META_FINISHED.split('file:///tmp/ws/mlruns')
      .join(uri)
      .split(EXP_ID)
      .join(exp.experimentId)
      .split(RUN_ID)
      .join(run.runId);
    expect(read('meta.yaml')).toBe(expected);
    expect(fs.readFileSync(path.join(root, exp.experimentId, 'meta.yaml'), 'utf8')).toBe(
      MLFLOW_EXPERIMENT_META.split('file:///tmp/ws/mlruns').join(uri).split(EXP_ID).join(exp.experimentId),
    );
    // The Default experiment MLflow creates with a new store.
    expect(fs.readFileSync(path.join(root, '0', 'meta.yaml'), 'utf8')).toBe(
      `artifact_location: ${uri}/0\ncreation_time: 1700000000000\nexperiment_id: '0'\nlast_update_time: 1700000000000\nlifecycle_stage: active\nname: Default\n`,
    );
  });

  it('reuses an experiment by name and refuses to change a param', () => {
    const store = new FileStore(root);
    const a = store.experiment('sweep');
    expect(store.experiment('sweep').experimentId).toBe(a.experimentId);
    const run = store.createRun(a, { userId: 'alice' });
    expect(run.runName).toMatch(/^[a-z]+-[a-z]+-\d+$/);
    store.logParam(run, 'lr', '0.1');
    store.logParam(run, 'lr', '0.1');
    expect(() => store.logParam(run, 'lr', '0.2')).toThrow(/already logged as '0.1'/);
    expect(() => store.logMetric(run, 'loss', 1, 1.5)).toThrow(/integer/);
    expect(() => store.setTag(run, '../escape', 'x')).toThrow(/relative name/);
  });
});
