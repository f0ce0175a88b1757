/**
 * Downloads of published files whose size and SHA-256 are known in advance.
 * A file that does not match is rejected, whatever mirror served it.
 */
import { createHash } from 'node:crypto';
import { DatasetError } from '../errors';

export interface RemoteFile {
  name: string;
  bytes: number;
  sha256: string;
}

export interface DownloadOptions {
  /** Base URLs tried in order; each ends with '/'. */
  mirrors: readonly string[];
  /** Per file and mirror. */
  timeoutMs: number;
}

export async function downloadVerified(file: RemoteFile, options: DownloadOptions): Promise<Buffer> {
  const failures: string[] = [];
  for (const mirror of options.mirrors) {
    const url = new URL(file.name, mirror).toString();
    try {
      const response = await fetch(url, { signal: AbortSignal.timeout(options.timeoutMs) });
      if (!response.ok) throw new Error(`HTTP ${response.status}`);
      const body = Buffer.from(await response.arrayBuffer());
      if (body.length !== file.bytes) throw new Error(`got ${body.length} bytes, expected ${file.bytes}`);
      const digest = createHash('sha256').update(body).digest('hex');
      if (digest !== file.sha256) throw new Error(`SHA-256 ${digest} does not match the published ${file.sha256}`);
      return body;
    } catch (err) {
      const cause = (err as { cause?: { code?: string } }).cause?.code;
      failures.push(`${url}: ${(err as Error).message}${cause ? ` (${cause})` : ''}`);
    }
  }
  throw new DatasetError(`could not download ${file.name}:\n  ${failures.join('\n  ')}`);
}
