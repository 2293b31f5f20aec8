/**
 * Where a recording's bytes go: a file, or an HTTP upload (a chunked POST, as Kurento does,
 * with basic auth from the URL). Both are WritableStreams for mediabunny's StreamTarget. Writes
 * are coalesced in memory up to COALESCE_BYTES or COALESCE_MS and then written at once, so a
 * crash loses at most that much, and a slow disk pushes back on the writer (whose own queue
 * then drops, see RecordingSink) instead of filling memory.
 */
import { once } from 'node:events';
import { open, type FileHandle } from 'node:fs/promises';
import { request as httpRequest, type ClientRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { StreamTargetChunk } from 'mediabunny';

/** Bytes gathered before a write. */
const COALESCE_BYTES = 64 * 1024;
/** Longest time bytes wait in memory before they are written. */
const COALESCE_MS = 200;

/** A byte sink written in order (or, for files, at positions). */
interface ByteSink {
  write(data: Uint8Array, position: number): Promise<void>;
  close(): Promise<void>;
  abort(): Promise<void>;
}

/** Gathers contiguous chunks and hands them to a sink in larger writes. */
class Coalescer {
  /** Chunks waiting, contiguous from #start. */
  #parts: Uint8Array[] = [];
  #bytes = 0;
  #start = 0;
  #timer: NodeJS.Timeout | undefined;
  /** The write in flight (writes are sequential). */
  #writing: Promise<void> = Promise.resolve();
  #error: unknown;

  constructor(private readonly sink: ByteSink) {}

  /** Takes a chunk; resolves at once unless enough waits to be written (backpressure). */
  async add(chunk: StreamTargetChunk): Promise<void> {
    if (this.#error !== undefined) throw this.#error;
    if (this.#bytes > 0 && chunk.position !== this.#start + this.#bytes) await this.#flush();
    if (this.#bytes === 0) this.#start = chunk.position;
    this.#parts.push(chunk.data);
    this.#bytes += chunk.data.length;
    if (this.#bytes >= COALESCE_BYTES) return this.#flush();
    this.#timer ??= setTimeout(() => void this.#flush().catch(() => undefined), COALESCE_MS);
    return undefined;
  }

  /** Writes what waits and closes the sink. */
  async close(): Promise<void> {
    await this.#flush();
    await this.sink.close();
  }

  /** Drops what waits and aborts the sink. */
  async abort(): Promise<void> {
    this.#clearTimer();
    this.#parts = [];
    this.#bytes = 0;
    await this.#writing.catch(() => undefined);
    await this.sink.abort();
  }

  #clearTimer(): void {
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  #flush(): Promise<void> {
    this.#clearTimer();
    if (this.#bytes > 0) {
      const data = this.#parts.length === 1 ? (this.#parts[0] ?? new Uint8Array()) : Buffer.concat(this.#parts, this.#bytes);
      const position = this.#start;
      this.#parts = [];
      this.#bytes = 0;
      this.#writing = this.#writing.then(() => this.sink.write(data, position)).catch((e: unknown) => {
        this.#error ??= e;
        throw e;
      });
    }
    return this.#writing;
  }
}

const writableOf = (sink: ByteSink): WritableStream<StreamTargetChunk> => {
  const coalescer = new Coalescer(sink);
  return new WritableStream<StreamTargetChunk>({
    write: (chunk) => coalescer.add(chunk),
    close: () => coalescer.close(),
    abort: () => coalescer.abort(),
  });
};

/**
 * A file, created (or truncated) when the stream opens, written strictly in order (the live
 * muxers only append), so a pipe or device works as well as a regular file.
 */
export async function fileWritable(path: string): Promise<WritableStream<StreamTargetChunk>> {
  const handle: FileHandle = await open(path, 'w');
  let closed = false;
  let offset = 0;
  const close = async (): Promise<void> => {
    if (closed) return;
    closed = true;
    await handle.close();
  };
  return writableOf({
    write: async (data, position) => {
      if (position !== offset) throw new Error(`recording ${path}: the muxer wrote out of order (at ${position}, expected ${offset})`);
      offset += data.length;
      await handle.write(data, 0, data.length, null);
    },
    close,
    abort: close,
  });
}

/** Longest an upload may stall (no drain, no answer after the body) before it fails. */
const UPLOAD_STALL_MS = 30_000;

/** `promise`, or an UploadError when it takes longer than `ms`. */
async function within<T>(promise: Promise<T>, ms: number, message: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new UploadError(message)), ms)));
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** Thrown when an upload target refuses or fails. */
export class UploadError extends Error {
  override readonly name = 'UploadError';
}

/**
 * An HTTP(S) upload: one POST with `Transfer-Encoding: chunked` whose body is the recording,
 * written strictly in order (the recorder uses append-only muxing for uploads).
 */
export function httpUploadWritable(url: URL, contentType: string): WritableStream<StreamTargetChunk> {
  const auth = url.username !== '' ? `${decodeURIComponent(url.username)}:${decodeURIComponent(url.password)}` : undefined;
  const target = new URL(url.href);
  target.username = '';
  target.password = '';
  const send = target.protocol === 'https:' ? httpsRequest : httpRequest;
  const req: ClientRequest = send(target, { method: 'POST', auth, headers: { 'Content-Type': contentType, 'Transfer-Encoding': 'chunked' } });
  /** The first failure of the request (it may emit more than one error). */
  let failure: UploadError | undefined;
  const response = new Promise<IncomingMessage>((resolve, reject) => {
    req.once('response', resolve);
    req.on('error', (e) => {
      failure ??= new UploadError(`upload to ${target.href} failed: ${e.message}`);
      reject(failure);
    });
  });
  response.catch(() => undefined); // observed by write/close; never an unhandled rejection
  let offset = 0;
  return writableOf({
    write: async (data, position) => {
      if (failure) throw failure;
      if (position !== offset) throw new UploadError(`upload to ${target.href}: the muxer wrote out of order (at ${position}, expected ${offset})`);
      offset += data.length;
      if (!req.write(data)) await within(Promise.race([once(req, 'drain'), response.then(() => undefined)]), UPLOAD_STALL_MS, `upload to ${target.href} stalled: the server read nothing for ${UPLOAD_STALL_MS / 1000} s`);
    },
    close: async () => {
      req.end();
      const res = await within(response, UPLOAD_STALL_MS, `upload to ${target.href}: no answer ${UPLOAD_STALL_MS / 1000} s after the recording ended`).catch((e: unknown) => {
        req.destroy();
        throw e;
      });
      res.resume();
      if ((res.statusCode ?? 0) >= 400) throw new UploadError(`upload to ${target.href} was refused: HTTP ${res.statusCode ?? '?'}`);
    },
    abort: async () => {
      req.destroy();
      await response.catch(() => undefined);
    },
  });
}
