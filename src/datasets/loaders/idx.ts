/**
 * The IDX format of the original MNIST files: two zero bytes, a type byte
 * (0x08 = unsigned byte), a dimension count, big-endian u32 sizes, then data.
 */
import { DatasetError } from '../../errors';

export interface IdxArray {
  dims: number[];
  data: Uint8Array;
}

export function parseIdx(buffer: Buffer, name: string): IdxArray {
  if (buffer.length < 4 || buffer[0] !== 0 || buffer[1] !== 0 || buffer[2] !== 0x08) {
    throw new DatasetError(`${name} is not an unsigned-byte IDX file`);
  }
  const rank = buffer[3];
  const headerBytes = 4 + rank * 4;
  if (rank === 0 || buffer.length < headerBytes) throw new DatasetError(`${name}: truncated IDX header`);
  const dims: number[] = [];
  for (let i = 0; i < rank; i++) dims.push(buffer.readUInt32BE(4 + i * 4));
  const size = dims.reduce((a, b) => a * b, 1);
  if (buffer.length !== headerBytes + size) {
    throw new DatasetError(`${name}: IDX header announces ${size} values, file holds ${buffer.length - headerBytes}`);
  }
  return { dims, data: new Uint8Array(buffer.buffer, buffer.byteOffset + headerBytes, size) };
}
