import { makeDataset, selectRows, withPixels } from '../../../src/datasets/dataset';
import { decodeDataset, encodeDataset } from '../../../src/datasets/cache';
import { PIXEL, pixelsToFloat } from '../../../src/datasets/pixels';
import type { LoadedDataset } from '../../../src/datasets';

/** 12 rows of 6 grey levels as a pixel dataset, labels 0..2. */
function pixelData(): LoadedDataset {
  const pixels = Uint8Array.from({ length: 12 * 6 }, (_, i) => (i * 37) % 256);
  return makeDataset({
    id: 'px',
    pixels,
    featureShape: [6],
    labels: Float32Array.from({ length: 12 }, (_, i) => i % 3),
  });
}

const rows = [3, 0, 7, 11];

test("a pixel dataset's floats are the bytes over 255, made when first read, and its rows split as the floats do", () => {
  const ds = pixelData();
  expect(ds.pixels).toBeDefined();
  const floats = makeDataset({ ...ds, features: Float32Array.from(ds.features) });
  expect(Array.from(ds.features)).toEqual(Array.from(pixelsToFloat(pixelData().pixels!)));
  const part = selectRows(pixelData(), rows);
  expect(part.pixels).toBeDefined();
  expect(Array.from(part.features)).toEqual(Array.from(selectRows(floats, rows).features));
  expect(part.fingerprint).toBe(selectRows(floats, rows).fingerprint);
});

test('once its floats are read, they are the data: a change to them reaches a split', () => {
  const ds = pixelData();
  ds.features[3 * 6 + 2] = 0.5;
  expect(ds.pixels).toBeUndefined();
  expect(selectRows(ds, rows).features[2]).toBe(0.5);
});

test('assigning its floats replaces the bytes', () => {
  const ds = pixelData();
  ds.features = new Float32Array(12 * 6).fill(0.25);
  expect(ds.pixels).toBeUndefined();
  expect(Array.from(selectRows(ds, rows).features)).toEqual(new Array<number>(24).fill(0.25));
});

test('a copy made by spreading is a plain dataset, with the floats and no bytes', () => {
  const copy = { ...pixelData() };
  expect(copy.pixels).toBeUndefined();
  expect(copy.features).toBeInstanceOf(Float32Array);
  expect(copy.features[1]).toBe(PIXEL[37]);
});

test('the binary cache keeps pixel data as bytes, read back without making the floats', () => {
  const ds = makeDataset({
    id: 'px',
    features: pixelsToFloat(pixelData().pixels!),
    featureShape: [6],
    labels: pixelData().labels,
  });
  const back = decodeDataset(encodeDataset(ds, 'k', 'u8'), 'k')!;
  const bytes = back.pixels;
  expect(Array.from(bytes!)).toEqual(Array.from(pixelData().pixels!));
  expect(Array.from(back.features)).toEqual(Array.from(ds.features));
  expect(withPixels({}, bytes!).features).toEqual(back.features);
});
