/**
 * The tutorial as one startable thing: the media server (embedded, or an external one by URL),
 * one Kurento client for all browsers, the certificate, the page, the HTTPS server and a
 * HelloWorldSession per WebSocket. `close()` releases every session's pipeline before it
 * disconnects (on an external Kurento Media Server nothing may be left behind).
 */
import { fileURLToPath } from 'node:url';
import { KurentoClient } from '@kurento-ts/client';
import { MediaServer } from '@kurento-ts/media-server';
import { loadAssets } from './assets.js';
import { loadCertificate } from './certificate.js';
import type { Options } from './options.js';
import { assertPortFree, listenError, startWebServer, type WebServer } from './server.js';
import { HelloWorldSession } from './signalling.js';

/** Where the certificate is kept (git-ignored). */
export const CERT_DIR = fileURLToPath(new URL('../.certs/', import.meta.url));

export interface HelloWorldApp {
  /** The page's address. */
  readonly url: string;
  /** The media server in use. */
  readonly kurentoUrl: string;
  /** Whether that media server runs inside this process. */
  readonly embedded: boolean;
  /** Whether the certificate was made by this start. */
  readonly certificateCreated: boolean;
  /** Live browser sessions. */
  readonly sessions: number;
  /** Releases the sessions' pipelines, then stops everything. Idempotent. */
  close(): Promise<void>;
}

/** Problems the app meets while running (a failed release, say), for the log. */
export type FaultListener = (error: unknown) => void;

export async function startHelloWorld(options: Options, onFault: FaultListener = () => undefined): Promise<HelloWorldApp> {
  const cleanup: (() => Promise<void>)[] = [];
  const undo = async (): Promise<void> => {
    for (const step of cleanup.splice(0).reverse()) await step().catch(onFault);
  };
  try {
    let kurentoUrl = options.wsUri;
    if (kurentoUrl === undefined) {
      const config = options.mediaServer;
      const hint = 'choose another with --kurento-port, or use the server running there with --ws-uri';
      await assertPortFree(config.port, config.host, 'the embedded media server', hint);
      const server = await MediaServer.start(config).catch((e: unknown) => {
        throw listenError(e, config.port, 'the embedded media server', hint);
      });
      cleanup.push(() => server.stop());
      kurentoUrl = server.url;
    }
    const kurento = await KurentoClient.connect(kurentoUrl, {
      accessToken: options.wsUri === undefined && options.mediaServer.authToken ? options.mediaServer.authToken : undefined,
    }).catch((e: unknown) => {
      throw new Error(`cannot reach the media server at ${kurentoUrl}: ${(e as Error).message}`);
    });
    // Ending the session lets the media server drop anything this app still held at once.
    cleanup.push(() => kurento.close({ closeSession: true }));

    const sessions = new Set<HelloWorldSession>();
    cleanup.push(async () => {
      await Promise.all([...sessions].map((s) => s.close()));
    });
    const [certificate, assets] = await Promise.all([loadCertificate(CERT_DIR), loadAssets()]);
    const web: WebServer = await startWebServer({
      host: options.host,
      port: options.port,
      cert: certificate.cert,
      key: certificate.key,
      assets,
      onSocket: (ws) => {
        const session = new HelloWorldSession(kurento, (message) => {
          if (ws.readyState === ws.OPEN) ws.send(JSON.stringify(message));
        }, onFault);
        sessions.add(session);
        ws.on('message', (data, isBinary) => void session.receive(isBinary ? '' : String(data)));
        // Kept until released, so that close() can wait for the release.
        ws.on('close', () => void session.close().finally(() => sessions.delete(session)));
      },
    });
    // Sockets first, so that sessions release their pipelines while the client still runs.
    cleanup.push(() => web.close());

    let closing: Promise<void> | undefined;
    const host = options.host === '0.0.0.0' || options.host === '::' || options.host === '127.0.0.1' || options.host === '::1' ? 'localhost' : options.host;
    return {
      url: `https://${host.includes(':') ? `[${host}]` : host}:${web.port}/`,
      kurentoUrl,
      embedded: options.wsUri === undefined,
      certificateCreated: certificate.created,
      get sessions() {
        return sessions.size;
      },
      close: () => (closing ??= undo()),
    };
  } catch (e) {
    await undo();
    throw e;
  }
}
