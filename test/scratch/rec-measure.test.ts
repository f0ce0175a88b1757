import * as tf from '@tensorflow/tfjs';
import { suite } from '../../src/grader/suites/recsys-implicit';
import * as reference from '../../solutions/month3/recsys-implicit/recommend';
jest.setTimeout(300000);
import '@tensorflow/tfjs-backend-wasm';
beforeAll(async () => { await tf.setBackend('wasm'); await tf.ready(); });
it('measures', () => {
  for (const seed of [1, 2, 3]) {
    const c = suite.cases(seed)[0];
    const t0 = Date.now();
    const v = (reference as any)[c.fn](JSON.parse(JSON.stringify(c.args[0])));
    const problem = c.verify(v);
    const s = suite.score!([{ case: c, value: v, problem }]);
    console.log(seed, Date.now() - t0, 'ms', problem, JSON.stringify(s), suite.describe!([{ case: c, value: v, problem }]));
  }
  void tf;
});
