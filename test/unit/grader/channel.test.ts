import {
  childMarker,
  encodeFrame,
  FrameDecoder,
  FrameError,
  frameParts,
  GRADER_MARKER,
  MAX_CHILD_FRAME_BYTES,
} from '../../../src/grader/channel';

const TOKEN = 'a'.repeat(48);
const marker = childMarker(TOKEN);

function decoder(): FrameDecoder {
  return new FrameDecoder(marker, MAX_CHILD_FRAME_BYTES);
}

/** A header of this session announcing `length` bytes of body. */
function header(length: number): Buffer {
  const size = Buffer.alloc(4);
  size.writeUInt32BE(length);
  return Buffer.concat([marker, size]);
}

function problemOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (err) {
    if (err instanceof FrameError) return err.problem;
    throw err;
  }
  return undefined;
}

describe('frames', () => {
  test('round-trip, whole, split byte by byte, and several in one chunk', () => {
    // Plain values: typed arrays come back from another realm than jest's, which toEqual tells apart.
    const messages = [
      { type: 'log', n: 1 },
      { type: 'result', value: [1, 2, 3], text: 'é'.repeat(100) },
    ];
    const bytes = Buffer.concat(messages.map((m) => encodeFrame(m, marker)));
    expect(decoder().push(bytes)).toEqual(messages);
    const slow = decoder();
    const got: unknown[] = [];
    for (const byte of bytes) got.push(...slow.push(Buffer.from([byte])));
    expect(got).toEqual(messages);
    expect(slow.pending).toBe(0);
    expect(() => slow.end()).not.toThrow();
  });

  test('the largest real message, predictions for 10,000 rows of 10 classes, is far under the cap', () => {
    const frame = encodeFrame(
      {
        type: 'predictions',
        token: TOKEN,
        tensor: { values: new Float32Array(10_000 * 10), shape: [10_000, 10], dtype: 'float32' },
      },
      marker,
    );
    expect(frame.length).toBeLessThan(MAX_CHILD_FRAME_BYTES / 64);
    expect(decoder().push(frame)).toHaveLength(1);
  });

  test('each session, and each direction, has its own marker', () => {
    expect(childMarker(TOKEN)).toEqual(marker);
    expect(childMarker('b'.repeat(48))).not.toEqual(marker);
    expect(GRADER_MARKER).not.toEqual(marker);
    expect(problemOf(() => new FrameDecoder(GRADER_MARKER).push(encodeFrame({}, marker)))).toBe('foreign');
  });
});

describe("bytes that are not the harness's", () => {
  test('a lone 4-byte length, as learner code once wrote, fails at once instead of swallowing later frames', () => {
    const d = decoder();
    const lone = Buffer.alloc(4);
    lone.writeUInt32BE(100);
    expect(problemOf(() => d.push(lone))).toBe('foreign');
    // Broken for good: the harness's next frame is not read as the rest of anything.
    expect(problemOf(() => d.push(encodeFrame({ type: 'ready' }, marker)))).toBe('foreign');
  });

  test('a single byte that cannot start a marker fails before a whole header is in', () => {
    const wrong = Buffer.from([marker[0] ^ 0xff]);
    expect(problemOf(() => decoder().push(wrong))).toBe('foreign');
  });

  test('a frame written as its parts, one write each, decodes as the joined frame does', () => {
    const message = { type: 'start', values: new Float32Array([1, -0, 3.5]), texts: ['a', 'b'] };
    const parts = frameParts(message, GRADER_MARKER);
    expect(Buffer.concat(parts)).toEqual(encodeFrame(message, GRADER_MARKER));
    const d = new FrameDecoder(GRADER_MARKER, undefined, true);
    const got = parts.flatMap((p) => d.push(p));
    expect(got).toEqual([message]);
  });

  test('garbage between two good frames fails on its first byte', () => {
    const d = decoder();
    expect(d.push(encodeFrame({ n: 1 }, marker))).toEqual([{ n: 1 }]);
    expect(problemOf(() => d.push(Buffer.from('xy')))).toBe('foreign');
  });
});

describe('oversized frames', () => {
  test('a 1 GiB header is refused from the header alone, and nothing after it is kept', () => {
    const d = decoder();
    const concat = jest.spyOn(Buffer, 'concat');
    const alloc = jest.spyOn(Buffer, 'alloc');
    const allocUnsafe = jest.spyOn(Buffer, 'allocUnsafe');
    try {
      expect(problemOf(() => d.push(header(1024 ** 3)))).toBe('too-large');
      expect(d.pending).toBe(0);
      expect(problemOf(() => d.push(Buffer.alloc(1024 * 1024)))).toBe('too-large');
      expect(d.pending).toBe(0);
      const sizes = [
        ...concat.mock.calls.map((c) => c[1] ?? 0),
        ...alloc.mock.calls.map((c) => c[0]),
        ...allocUnsafe.mock.calls.map((c) => c[0]),
      ];
      expect(Math.max(0, ...sizes)).toBeLessThan(2 * 1024 * 1024);
    } finally {
      concat.mockRestore();
      alloc.mockRestore();
      allocUnsafe.mockRestore();
    }
  });

  test('the cap itself passes the header check', () => {
    const d = decoder();
    expect(d.push(header(MAX_CHILD_FRAME_BYTES))).toEqual([]);
    expect(problemOf(() => decoder().push(header(MAX_CHILD_FRAME_BYTES + 1)))).toBe('too-large');
  });
});

describe('a stream that ends', () => {
  test('in the middle of a frame is a truncated channel', () => {
    const frame = encodeFrame({ type: 'predictions', values: new Float32Array(100) }, marker);
    const d = decoder();
    expect(d.push(frame.subarray(0, frame.length - 1))).toEqual([]);
    expect(problemOf(() => d.end())).toBe('truncated');
  });

  test('in the middle of a header is a truncated channel', () => {
    const d = decoder();
    d.push(marker.subarray(0, 5));
    expect(problemOf(() => d.end())).toBe('truncated');
  });

  test('between frames is clean', () => {
    const d = decoder();
    d.push(encodeFrame({ n: 1 }, marker));
    expect(() => d.end()).not.toThrow();
  });
});

test('a body that is not V8-serialized data is unreadable', () => {
  const body = Buffer.from([0xff, 0x0f, 0x99, 0x42]);
  expect(problemOf(() => decoder().push(Buffer.concat([header(body.length), body])))).toBe('unreadable');
});

describe("the child's end (isolate): a typed array shares memory with nothing else it was sent with", () => {
  const token = 'f'.repeat(48);
  const has = (bytes: Uint8Array, text: string): boolean => Buffer.from(bytes).includes(Buffer.from(text, 'latin1'));

  test('init with its token and a payload, then a start frame, in one chunk: no view reaches the token', () => {
    const x = new Float32Array(4096).map((_, i) => i / 7);
    const y = new Int32Array([3, 1, 4, 1, 5]);
    const stream = Buffer.concat([
      encodeFrame({ type: 'init', token, payload: { x, labels: [y] } }, GRADER_MARKER),
      encodeFrame({ type: 'start', payload: { data: Buffer.from('learner data') } }, GRADER_MARKER),
    ]);
    // V8's deserializer makes an aligned typed array a view of the bytes it reads: without isolate it can see the token.
    const plain = new FrameDecoder(GRADER_MARKER).push(stream) as { payload: { x: Float32Array } }[];
    expect(has(new Uint8Array(plain[0].payload.x.buffer), token)).toBe(
      plain[0].payload.x.buffer.byteLength > x.byteLength,
    );
    const [init, start] = new FrameDecoder(GRADER_MARKER, undefined, true).push(stream) as [
      { token: string; payload: { x: Float32Array; labels: Int32Array[] } },
      { payload: { data: Buffer } },
    ];
    expect(init.token).toBe(token);
    const views: ArrayBufferView[] = [init.payload.x, init.payload.labels[0], start.payload.data];
    for (const v of views) {
      expect(v.byteOffset).toBe(0);
      expect(v.buffer.byteLength).toBe(v.byteLength);
      expect(has(new Uint8Array(v.buffer), token)).toBe(false);
    }
    expect(Array.from(init.payload.x)).toEqual(Array.from(x));
    expect(Array.from(init.payload.labels[0])).toEqual([3, 1, 4, 1, 5]);
    expect(Object.prototype.toString.call(init.payload.x)).toBe('[object Float32Array]');
    expect(Buffer.isBuffer(start.payload.data)).toBe(true);
    expect(start.payload.data.toString()).toBe('learner data');
  });

  test('frames that span chunks (read from the buffer the decoder joined them into) decode alike, none reaching the token', () => {
    const x = new Float32Array(5000).map((_, i) => i / 3);
    const texts = Array.from({ length: 40 }, (_, i) => `message ${i} `.repeat(50));
    const stream = Buffer.concat([
      encodeFrame({ type: 'init', token, payload: { x } }, GRADER_MARKER),
      encodeFrame({ type: 'start', payload: { texts, y: new Int32Array([9, 8, 7]) } }, GRADER_MARKER),
      encodeFrame({ type: 'done' }, GRADER_MARKER),
    ]);
    const sent = Buffer.from(stream);
    // Chunk sizes that split headers and bodies anywhere, and end chunks in the middle of the next frame.
    for (const size of [1, 7, 1000, 4099, 65536]) {
      const reader = new FrameDecoder(GRADER_MARKER, undefined, true);
      const got: unknown[] = [];
      for (let at = 0; at < stream.length; at += size) got.push(...reader.push(stream.subarray(at, at + size)));
      reader.end();
      const [init, start, done] = got as [
        { token: string; payload: { x: Float32Array } },
        { payload: { texts: string[]; y: Int32Array } },
        { type: string },
      ];
      expect(init.token).toBe(token);
      expect(Array.from(init.payload.x)).toEqual(Array.from(x));
      expect(start.payload.texts).toEqual(texts);
      expect(Array.from(start.payload.y)).toEqual([9, 8, 7]);
      expect(done.type).toBe('done');
      for (const v of [init.payload.x, start.payload.y]) {
        expect(v.buffer.byteLength).toBe(v.byteLength);
        expect(has(new Uint8Array(v.buffer), token)).toBe(false);
      }
    }
    // The chunks handed in are views of the stream: the decoder zeroes only buffers of its own.
    expect(stream.equals(sent)).toBe(true);
  });

  test('every kind of typed array, a DataView and a Buffer arrive with their values, unaligned or not', () => {
    const sent = {
      odd: new Uint8Array([7]),
      kinds: [
        new Int8Array([-1, 2]),
        new Uint8ClampedArray([255]),
        new Int16Array([-300]),
        new Uint16Array([65535]),
        new Int32Array([-7]),
        new Uint32Array([4e9]),
        new Float32Array([1.5, -2.25]),
        new Float64Array([Math.PI]),
        new BigInt64Array([-5n]),
        new BigUint64Array([9n]),
        new DataView(new Uint8Array([1, 2, 3]).buffer),
        Buffer.from('buffer'),
      ],
    };
    const [got] = new FrameDecoder(GRADER_MARKER, undefined, true).push(encodeFrame(sent, GRADER_MARKER)) as [
      typeof sent,
    ];
    expect(Array.from(got.odd)).toEqual([7]);
    for (let i = 0; i < sent.kinds.length; i++) {
      const a = sent.kinds[i];
      const b = got.kinds[i];
      expect(Object.getPrototypeOf(b)).toBe(Object.getPrototypeOf(a));
      expect(Buffer.from(b.buffer, b.byteOffset, b.byteLength)).toEqual(
        Buffer.from(a.buffer, a.byteOffset, a.byteLength),
      );
      expect(b.buffer.byteLength).toBe(b.byteLength);
    }
  });

  test("a typed array getter swapped while a frame is read sees none of the frame's bytes", () => {
    // Made before the getters are swapped: only the decoding is watched.
    const frame = encodeFrame({ type: 'init', token, x: new Float32Array([1, 2, 3]) }, GRADER_MARKER);
    const reader = new FrameDecoder(GRADER_MARKER, undefined, true);
    const typed = Object.getPrototypeOf(Uint8Array.prototype) as object;
    const original = Object.getOwnPropertyDescriptors(typed);
    const seen: Uint8Array[] = [];
    // eslint-disable-next-line @typescript-eslint/unbound-method -- called only through Reflect.apply, with the receiver given
    const getter = (key: string) => original[key].get as (this: unknown) => unknown;
    const bufferOf = getter('buffer');
    for (const key of ['buffer', 'byteOffset', 'length', 'byteLength']) {
      const get = getter(key);
      Object.defineProperty(typed, key, {
        ...original[key],
        get(this: Uint8Array) {
          seen.push(new Uint8Array(Reflect.apply(bufferOf, this, []) as ArrayBuffer));
          return Reflect.apply(get, this, []);
        },
      });
    }
    let messages: unknown[];
    try {
      messages = reader.push(frame);
    } finally {
      for (const key of ['buffer', 'byteOffset', 'length', 'byteLength'])
        Object.defineProperty(typed, key, original[key]);
    }
    expect(messages).toHaveLength(1);
    expect(seen.some((bytes) => has(bytes, token))).toBe(false);
  });
});
