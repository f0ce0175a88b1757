import { suite } from '../../src/grader/suites/recsys-cold-start';
import * as reference from '../../solutions/month3/recsys-cold-start/recommend';
it('measures', () => {
  for (const seed of [1, 2, 3]) {
    const cases = suite.cases(seed);
    const t0 = Date.now();
    const outs = cases.map((c) => { const v = (reference as any)[c.fn](JSON.parse(JSON.stringify(c.args[0]))); return { case: c, value: v, problem: c.verify(v) }; });
    console.log(seed, Date.now() - t0, 'ms', outs.map((o) => o.problem), JSON.stringify(suite.score!(outs)), suite.describe!(outs));
  }
});
