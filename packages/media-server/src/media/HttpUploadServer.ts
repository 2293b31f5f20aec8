/**
 * The HTTP server HttpPostEndpoints take their uploads on: one per thread, listening while at
 * least one endpoint is registered (its port is given back when the last is released). Each
 * endpoint gets an unguessable path (128 random bits); a POST to it becomes a byte stream of the
 * media: the raw body, or the first file of a multipart/form-data body (what an HTML form or
 * `FormData` sends; busboy parses it as it streams). The body is read only as fast as the
 * endpoint plays it (backpressure reaches the uploader through TCP), and an uploader that stops
 * sending while the endpoint waits for bytes is cut off after the endpoint's disconnection
 * timeout. Any origin may POST (CORS): the unguessable path is the credential.
 */
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import type { Readable } from 'node:stream';
import busboy from 'busboy';

/** One upload, as its endpoint sees it. */
export interface Upload {
  /** The media bytes; closes at the upload's end, and also when the uploader went away (see `aborted`). */
  readonly body: ReadableStream<Uint8Array>;
  /** Whether the uploader went away (or went silent) before the end of its body. */
  readonly aborted: () => boolean;
  /** Refuses the upload: answers `status` with `message` and stops reading. */
  refuse(status: number, message: string): void;
}

/** What an endpoint registers: `accept` is called for each POST to its path (the endpoint refuses one it cannot take now). */
export interface UploadTarget {
  /** Seconds of silence from an uploader while its bytes are awaited before the upload is cut off. */
  readonly idleTimeoutSeconds: number;
  accept(upload: Upload): void;
}

/** An endpoint's registration: its URL, and how to give it back. */
export interface UploadRegistration {
  readonly url: string;
  close(): void;
}

export interface HttpUploadServerOptions {
  /** Address to listen on. */
  readonly host: string;
  /** Address put in URLs (the listening one, unless that is a wildcard). */
  readonly announcedHost: string;
  /** Port; 0 picks a free one. */
  readonly port: number;
  /** Serve HTTPS with this certificate and key (PEM), as the control port does. */
  readonly tls?: { readonly cert: Buffer; readonly key: Buffer };
}

/** Bytes a body may hold in our queue before we stop reading it. */
const QUEUE_BYTES = 256 * 1024;
/** The most non-file form fields or parts a multipart upload may carry (what a form with a file needs, and a few more). */
const FORM_LIMITS = { files: 1, fields: 16, parts: 20, fieldSize: 4096 } as const;

interface Slot {
  readonly target: UploadTarget;
}

export class HttpUploadServer {
  readonly #options: HttpUploadServerOptions;
  readonly #slots = new Map<string, Slot>();
  #server: Server | undefined;
  #listening: Promise<number> | undefined;

  constructor(options: HttpUploadServerOptions) {
    this.#options = options;
  }

  /** Gives `target` a path of its own; the server listens from the first registration on. */
  async register(target: UploadTarget): Promise<UploadRegistration> {
    const token = randomBytes(16).toString('base64url');
    this.#slots.set(token, { target });
    let port: number;
    try {
      port = await this.#listen();
    } catch (e) {
      this.#slots.delete(token);
      throw e;
    }
    const host = this.#options.announcedHost.includes(':') ? `[${this.#options.announcedHost}]` : this.#options.announcedHost;
    return {
      url: `${this.#options.tls ? 'https' : 'http'}://${host}:${port}/${token}`,
      close: () => {
        this.#slots.delete(token);
        if (this.#slots.size === 0) this.#close();
      },
    };
  }

  /** Endpoints registered now. */
  get registrations(): number {
    return this.#slots.size;
  }

  #listen(): Promise<number> {
    this.#listening ??= new Promise<number>((resolve, reject) => {
      const handler = (req: IncomingMessage, res: ServerResponse): void => this.#request(req, res);
      const server = this.#options.tls ? createHttpsServer({ cert: this.#options.tls.cert, key: this.#options.tls.key }, handler) : createServer(handler);
      this.#server = server;
      server.once('error', (e) => {
        this.#close();
        reject(e);
      });
      server.listen(this.#options.port, this.#options.host, () => resolve((server.address() as AddressInfo).port));
    });
    return this.#listening;
  }

  #close(): void {
    const server = this.#server;
    this.#server = undefined;
    this.#listening = undefined;
    if (!server) return;
    server.close();
    server.closeAllConnections();
  }

  #request(req: IncomingMessage, res: ServerResponse): void {
    const slot = this.#slots.get((req.url ?? '').replace(/^\//, '').replace(/[?#].*$/, ''));
    if (!slot) return answer(res, 404, 'No HttpPostEndpoint has this URL (it may have been released)');
    // Pages upload from their own origin: the unguessable URL is the credential, so any origin may use it.
    res.setHeader('access-control-allow-origin', '*');
    if (req.method === 'OPTIONS') {
      return void res.writeHead(204, { 'access-control-allow-methods': 'POST', 'access-control-allow-headers': 'content-type', 'access-control-max-age': '600' }).end();
    }
    if (req.method !== 'POST') return answer(res, 405, 'An HttpPostEndpoint takes media with POST', { allow: 'POST' });
    const type = req.headers['content-type'] ?? '';
    if (/^multipart\/form-data/i.test(type)) this.#multipart(slot, req, res);
    else this.#deliver(slot, req, req, res);
  }

  /** A form upload: its first file part is the media. */
  #multipart(slot: Slot, req: IncomingMessage, res: ServerResponse): void {
    let form: busboy.Busboy;
    try {
      form = busboy({ headers: req.headers, limits: FORM_LIMITS });
    } catch (e) {
      return answer(res, 400, `Malformed multipart upload: ${e instanceof Error ? e.message : String(e)}`);
    }
    let delivered = false;
    form.on('file', (_name, file) => {
      if (delivered) return void file.resume();
      delivered = true;
      this.#deliver(slot, file, req, res);
    });
    form.on('error', (e: unknown) => {
      if (!res.headersSent) answer(res, 400, `Malformed multipart upload: ${e instanceof Error ? e.message : String(e)}`);
      req.destroy();
    });
    form.on('close', () => {
      if (!delivered && !res.headersSent) answer(res, 400, 'The multipart upload holds no file');
    });
    req.pipe(form);
  }

  /** Hands the endpoint the stream of `media` (the request, or its file part), and answers when it ends. */
  #deliver(slot: Slot, media: Readable, req: IncomingMessage, res: ServerResponse): void {
    let aborted = false;
    let finished = false;
    const abort = (): void => {
      if (finished) return;
      aborted = true;
      finish();
    };
    const body = pullStream(media, slot.target.idleTimeoutSeconds * 1000, abort);
    const finish = (): void => {
      if (finished) return;
      finished = true;
      body.close();
    };
    media.once('end', () => {
      finish();
      if (!res.headersSent) answer(res, 200, 'Upload received\n');
    });
    req.once('aborted', abort);
    req.once('close', () => {
      if (!req.complete) abort();
    });
    body.onIdle = () => {
      abort();
      if (!res.headersSent) answer(res, 408, `No bytes for ${slot.target.idleTimeoutSeconds} s: the upload was cut off`);
      req.destroy();
    };
    slot.target.accept({
      body: body.stream,
      aborted: () => aborted,
      refuse: (status, message) => {
        abort();
        if (!res.headersSent) answer(res, status, message, { connection: 'close' });
        media.resume();
      },
    });
  }
}

/** A web stream over a Node stream that reads only when asked, timing silences while a read waits. */
function pullStream(media: Readable, idleMs: number, onError: () => void): { stream: ReadableStream<Uint8Array>; close(): void; onIdle: () => void } {
  let controller!: ReadableStreamDefaultController<Uint8Array>;
  let closed = false;
  let idle: NodeJS.Timeout | undefined;
  const stopTimer = (): void => {
    if (idle) clearTimeout(idle);
    idle = undefined;
  };
  const handle = {
    onIdle: (): void => undefined,
    close: (): void => {
      if (closed) return;
      closed = true;
      stopTimer();
      media.off('data', onData);
      controller.close();
    },
    stream: new ReadableStream<Uint8Array>(
      {
        start: (c) => {
          controller = c;
        },
        pull: () => {
          if (closed) return;
          media.resume();
          if (idleMs > 0 && !idle) idle = setTimeout(() => handle.onIdle(), idleMs);
        },
        cancel: () => {
          closed = true;
          stopTimer();
          media.off('data', onData);
          media.resume();
        },
      },
      { highWaterMark: QUEUE_BYTES, size: (chunk) => chunk.byteLength },
    ),
  };
  function onData(chunk: Buffer): void {
    stopTimer();
    controller.enqueue(new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength));
    if ((controller.desiredSize ?? 0) <= 0) media.pause();
  }
  media.on('data', onData);
  media.pause();
  media.once('error', onError);
  return handle;
}

function answer(res: ServerResponse, status: number, message: string, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8', ...headers }).end(message.endsWith('\n') ? message : `${message}\n`);
}
