// Tests of src/commands/data.ts (`mlpath data list` / `data info`), kept with
// the datasets tests because the command is a thin view of this layer.
import * as fs from 'node:fs';
import { info, list } from '../../../src/commands/data';
import { DatasetError } from '../../../src/errors';
import { loadDataset } from '../../../src/datasets';
import { useTempCache } from './helpers';

const cache = useTempCache();

describe('mlpath data list', () => {
  it('returns every dataset with source, license, size and cache state', async () => {
    const rows = await list();
    expect(rows.map((r) => r.id)).toContain('mnist');
    const mnist = rows.find((r) => r.id === 'mnist')!;
    expect(mnist).toMatchObject({ task: 'classification', featureShape: [784], synthetic: false, cached: false });
    expect(rows.find((r) => r.id === 'ratings')).toMatchObject({ synthetic: true, task: 'ranking' });
    expect(rows.find((r) => r.id === 'ratings')!.cached).toBeUndefined();
  });
});

describe('mlpath data info', () => {
  it('describes options and the cache file, and notices when it is cached', async () => {
    const before = await info('spam');
    expect(before.cacheDir).toBe(cache.dir());
    expect(before.cacheFile?.startsWith(cache.dir())).toBe(true);
    expect(before.cached).toBe(false);
    expect(before.cacheBytes).toBeUndefined();

    await loadDataset('spam');
    const after = await info('spam');
    expect(after.cached).toBe(true);
    expect(after.cacheBytes).toBe(fs.statSync(after.cacheFile!).size);
  });

  it('lists the options of a generator with their defaults', async () => {
    const result = await info('drift-stream');
    expect(result.options).toContainEqual(
      expect.stringMatching(/^kind \(enum none\|sudden\|gradual\|prior, default "sudden"\): /),
    );
    expect(result.cacheFile).toBeUndefined();
  });

  it('rejects an unknown id, listing valid ones', async () => {
    await expect(info('cifar')).rejects.toThrow(DatasetError);
    await expect(info('cifar')).rejects.toThrow(/valid ids: .*iris/);
  });
});
