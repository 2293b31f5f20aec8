/**
 * Overlay images, read in Node and sent to the unit's process as bytes: the process never
 * opens a file or a connection of its own. A path must already be confined to the media roots
 * by the caller (the element); an http(s) URL is fetched with a size limit and a deadline.
 */
import { open } from 'node:fs/promises';
import { ProcessingError } from './errors.js';

/** Where an overlay image comes from. */
export type OverlayImageSource = { readonly path: string } | { readonly url: string };

/** Limits on fetching an image. */
export interface ImageLimits {
  /** Largest image accepted, bytes. */
  readonly maxBytes: number;
  /** Longest wait for an http(s) image. */
  readonly timeoutMs: number;
}

/** 8 MiB and 10 s. */
export const DEFAULT_IMAGE_LIMITS: ImageLimits = { maxBytes: 8 * 1024 * 1024, timeoutMs: 10_000 };

const bad = (message: string): ProcessingError => new ProcessingError('bad-image', message);

/** The bytes of an overlay image (decoding them is the unit's: GdkPixbuf reads PNG, JPEG, SVG...). */
export async function loadOverlayImage(source: OverlayImageSource, limits: ImageLimits = DEFAULT_IMAGE_LIMITS): Promise<Buffer> {
  return 'path' in source ? readFileImage(source.path, limits) : fetchImage(source.url, limits);
}

async function readFileImage(path: string, limits: ImageLimits): Promise<Buffer> {
  let handle;
  try {
    handle = await open(path, 'r');
  } catch (error) {
    throw bad(`cannot read the image ${path}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`);
  }
  try {
    const stat = await handle.stat();
    if (!stat.isFile()) throw bad(`the image ${path} is not a file`);
    if (stat.size > limits.maxBytes) throw bad(`the image ${path} is larger than ${limits.maxBytes} bytes`);
    if (stat.size === 0) throw bad(`the image ${path} is empty`);
    return await handle.readFile();
  } finally {
    await handle.close();
  }
}

async function fetchImage(url: string, limits: ImageLimits): Promise<Buffer> {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw bad(`'${url}' is not a URL`);
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') throw bad(`an image URL must be http(s), not ${parsed.protocol}`);
  let response: Response;
  try {
    response = await fetch(parsed, { signal: AbortSignal.timeout(limits.timeoutMs), redirect: 'follow' });
  } catch (error) {
    throw bad(`cannot fetch the image ${url}: ${error instanceof Error ? error.message : String(error)}`);
  }
  if (!response.ok) {
    await response.body?.cancel();
    throw bad(`cannot fetch the image ${url}: HTTP ${response.status}`);
  }
  const declared = Number(response.headers.get('content-length') ?? NaN);
  if (declared > limits.maxBytes) {
    await response.body?.cancel();
    throw bad(`the image ${url} is larger than ${limits.maxBytes} bytes`);
  }
  const parts: Buffer[] = [];
  let total = 0;
  try {
    // A reader loop rather than `for await` on the body: the server's code type-checks without lib.dom.
    const reader = response.body?.getReader();
    for (let chunk = await reader?.read(); chunk && !chunk.done; chunk = await reader?.read()) {
      total += chunk.value.length;
      if (total > limits.maxBytes) {
        await reader?.cancel();
        throw bad(`the image ${url} is larger than ${limits.maxBytes} bytes`);
      }
      parts.push(Buffer.from(chunk.value));
    }
  } catch (error) {
    if (error instanceof ProcessingError) throw error;
    throw bad(`cannot fetch the image ${url}: ${error instanceof Error ? error.message : String(error)}`);
  }
  if (total === 0) throw bad(`the image ${url} is empty`);
  return Buffer.concat(parts);
}
