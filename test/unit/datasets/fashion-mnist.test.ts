// A file of its own: parsing the package's 155 MB of JSON takes a couple of
// seconds, which then runs in parallel with the other dataset tests.
import { datasetInfo, loadDataset } from '../../../src/datasets';
import { classCounts, hasNaN, range, useTempCache } from './helpers';

useTempCache();

it('fashion-mnist: 70,000 images of 784 pixels in 0..1, 7,000 per class, cached after the first load', async () => {
  const ds = await loadDataset('fashion-mnist');
  expect(ds.n).toBe(70000);
  expect(ds.featureShape).toEqual([784]);
  expect(ds.features.length).toBe(70000 * 784);
  expect(hasNaN(ds.features)).toBe(false);
  expect(range(ds.features)).toEqual([0, 1]);
  expect([...classCounts(ds).values()]).toEqual(new Array(10).fill(7000));
  expect(ds.classNames).toEqual(datasetInfo('fashion-mnist').classNames);
  expect(ds.classNames?.[9]).toBe('Ankle boot');
  expect(datasetInfo('fashion-mnist').cached).toBe(true);
});
