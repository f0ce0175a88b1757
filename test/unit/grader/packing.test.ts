import { encodeFrame, FrameDecoder, GRADER_MARKER } from '../../../src/grader/channel';
import { unpackTensors } from '../../../src/grader/child/unpack';
import { withPixels } from '../../../src/datasets/dataset';
import { pixelsToFloat } from '../../../src/datasets/pixels';
import { packTensors, packValues, pixelTensor, wireByteLength } from '../../../src/grader/packing';

/** `n` values drawn from `levels` distinct ones, in a seeded order. */
function levelled(n: number, levels: number[]): Float32Array {
  const out = new Float32Array(n);
  let s = 7;
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1103515245) + 12345) >>> 0;
    out[i] = levels[s % levels.length];
  }
  return out;
}

function bitsOf(a: Float32Array): Uint32Array {
  return new Uint32Array(a.buffer, a.byteOffset, a.length);
}

/** What the child gets for `message`: encoded as the grader sends it, decoded and unpacked as the harness does. */
function sentAndReceived(message: unknown): Record<string, unknown> {
  const [received] = new FrameDecoder(GRADER_MARKER, undefined, true).push(encodeFrame(message, GRADER_MARKER));
  unpackTensors(received);
  return received as Record<string, unknown>;
}

describe('packed float32 tensors', () => {
  const grey = Array.from({ length: 256 }, (_, k) => Math.fround(k / 255));

  test('the child gets back the very bits the grader held, -0 and NaN payloads included', () => {
    const nan = new Float32Array(new Uint32Array([0x7fc00001]).buffer)[0];
    const values = levelled(10_000, [...grey.slice(0, 253), -0, nan, Infinity]);
    const packed = packValues(values);
    expect(packed?.table.length).toBe(256);
    const got = sentAndReceived(packTensors({ type: 'predict', x: { values, shape: [100, 100], dtype: 'float32' } }));
    const x = got.x as { values: Float32Array; shape: number[]; packed?: unknown };
    expect(x.packed).toBeUndefined();
    expect(x.values).toBeInstanceOf(Float32Array);
    expect(x.shape).toEqual([100, 100]);
    expect(bitsOf(x.values)).toEqual(bitsOf(values));
  });

  test('the frame is about a quarter of the float32 one', () => {
    const values = levelled(50_000, grey);
    const message = { type: 'start', payload: { xTrain: { values, shape: [50_000], dtype: 'float32' } } };
    const plain = encodeFrame(message, GRADER_MARKER).length;
    const packed = encodeFrame(packTensors(message), GRADER_MARKER).length;
    expect(packed).toBeLessThan(plain * 0.3);
  });

  test('values of more than 256 distinct patterns, short tensors and other dtypes go as they are', () => {
    const many = levelled(
      10_000,
      Array.from({ length: 257 }, (_, k) => k),
    );
    expect(packValues(many)).toBeUndefined();
    const message = {
      many: { values: many, shape: [10_000], dtype: 'float32' },
      short: { values: levelled(100, grey), shape: [100], dtype: 'float32' },
      ints: { values: new Int32Array(10_000), shape: [10_000], dtype: 'int32' },
    };
    expect(packTensors(message)).toBe(message);
  });

  test("tensors a level down are packed, and the grader's own objects are left as they were", () => {
    const values = levelled(8192, grey);
    const train = { xTrain: { values, shape: [8192], dtype: 'float32' }, textTrain: ['a', 'b'] };
    const message = { type: 'init', payload: { port: 1, train } };
    const packed = packTensors(message);
    expect(packed).not.toBe(message);
    expect(train.xTrain.values).toBe(values);
    expect((packed.payload.train.xTrain as unknown as { packed: unknown }).packed).toBeDefined();
    const got = sentAndReceived(packed) as { payload: { train: { xTrain: { values: Float32Array } } } };
    expect(bitsOf(got.payload.train.xTrain.values)).toEqual(bitsOf(values));
  });

  test('an array the grader refills and sends again is packed as it is now', () => {
    const values = levelled(8192, grey);
    const first = sentAndReceived(packTensors({ x: { values, shape: [8192], dtype: 'float32' } }));
    values.fill(0.5);
    const second = sentAndReceived(packTensors({ x: { values, shape: [8192], dtype: 'float32' } }));
    expect(bitsOf((first.x as { values: Float32Array }).values)).not.toEqual(bitsOf(values));
    expect(bitsOf((second.x as { values: Float32Array }).values)).toEqual(bitsOf(values));
  });

  test('a code outside its table is refused, not read past the table', () => {
    const message = {
      x: { shape: [2], dtype: 'float32', packed: { codes: new Uint8Array([0, 3]), table: new Uint32Array(1) } },
    };
    expect(() => unpackTensors(message)).toThrow(/outside its table/);
  });

  describe('pixel tensors', () => {
    const pixels = Uint8Array.from({ length: 70 * 784 }, (_, i) => (i * 7919) % 256);

    test('are sent as their bytes and arrive as the floats pixelsToFloat makes, bit for bit', () => {
      const x = pixelTensor(withPixels({}, pixels), [70, 784]);
      const sent = packTensors({ type: 'predict', x }) as unknown as { x: { packed: { codes: Uint8Array } } };
      expect(sent.x.packed.codes).toBe(pixels);
      const got = sentAndReceived(sent).x as { values: Float32Array; shape: number[] };
      expect(got.shape).toEqual([70, 784]);
      expect(bitsOf(got.values)).toEqual(bitsOf(pixelsToFloat(pixels)));
    });

    test('have their size known without their floats being made', () => {
      const x = pixelTensor(withPixels({}, pixels), [70, 784]);
      expect(wireByteLength(x)).toBe(70 * 784 * 4);
      expect((packTensors({ x }) as unknown as { x: { packed: { codes: Uint8Array } } }).x.packed.codes).toBe(pixels);
    });

    test('once grader code has read the values, what it changed in them is what is sent', () => {
      const x = pixelTensor(withPixels({}, pixels), [70, 784]);
      const values = x.values as Float32Array;
      expect(bitsOf(values)).toEqual(bitsOf(pixelsToFloat(pixels)));
      values[5] = 0.123;
      const got = sentAndReceived(packTensors({ x })).x as { values: Float32Array };
      expect(got.values[5]).toBe(Math.fround(0.123));
      expect(wireByteLength(x)).toBe(70 * 784 * 4);
    });
  });
});
