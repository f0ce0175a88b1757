/** `--holdout` / MLPATH_HOLDOUT: an instructor's test set replaces the built-in split. */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { makeWorkspace, parseReport, runCli, submit, tempDir } from '../helpers/cli';

const HEADER = 'sepal_length_cm,sepal_width_cm,petal_length_cm,petal_width_cm,label';

test('a holdout CSV replaces the test split, from the flag or the environment', () => {
  const ws = makeWorkspace({ course: true });
  submit(ws, 'm1/iris', 'iris-underfit.ts');
  const file = path.join(tempDir(), 'holdout.csv');
  // Every row is class 0: the always-0 submission scores 1.0 on it, far from its built-in score.
  fs.writeFileSync(file, `${HEADER}\n5.1,3.5,1.4,0.2,setosa\n4.9,3.0,1.4,0.2,setosa\n4.7,3.2,1.3,0.2,0\n`);
  const builtIn = parseReport(runCli(['check', 'm1/iris', '--json'], ws).stdout).results[0];
  expect(builtIn.metrics[0].value).toBeLessThan(0.5);
  const flag = parseReport(runCli(['check', 'm1/iris', '--json', '--holdout', file], ws).stdout).results[0];
  expect(flag.metrics[0].value).toBe(1);
  const env = parseReport(runCli(['check', 'm1/iris', '--json'], ws, { MLPATH_HOLDOUT: file }).stdout).results[0];
  expect(env.metrics[0].value).toBe(1);
});

test('a malformed holdout is a usage error naming the line', () => {
  const ws = makeWorkspace({ course: true });
  const file = path.join(tempDir(), 'bad.csv');
  fs.writeFileSync(file, `${HEADER}\n5.1,3.5,1.4,0.2,setosa\n4.9,3.0,oops,0.2,setosa\n`);
  const r = runCli(['check', 'm1/iris', '--holdout', file], ws);
  expect(r.code).toBe(2);
  expect(r.stderr).toMatch(/bad\.csv:3/);
});
