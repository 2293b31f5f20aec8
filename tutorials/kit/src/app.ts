/**
 * A tutorial as one startable thing: the media server (embedded, or an external one by URL),
 * one Kurento client for all pages, the certificate, the page, the HTTPS server and a
 * PageSession per WebSocket. `close()` closes every page's session (releasing its media)
 * before it disconnects: on an external Kurento Media Server nothing may be left behind.
 */
import { fileURLToPath } from 'node:url';
import { KurentoClient } from '@kurento-ts/client';
import { MediaServer } from '@kurento-ts/media-server';
import { loadAssets } from './assets.js';
import { loadCertificate } from './certificate.js';
import type { Options } from './options.js';
import { assertPortFree, listenError, startWebServer, type WebServer } from './server.js';
import type { FaultListener, PageSession, Tutorial } from './tutorial.js';

/** Where the certificate is kept (git-ignored), one for every tutorial: one browser warning to accept, not one per tutorial. */
export const CERT_DIR = fileURLToPath(new URL('../.certs/', import.meta.url));

/** A started tutorial. */
export interface TutorialApp {
  /** The page's address. */
  readonly url: string;
  /** The media server in use. */
  readonly kurentoUrl: string;
  /** Whether that media server runs inside this process. */
  readonly embedded: boolean;
  /** Whether the certificate was made by this start. */
  readonly certificateCreated: boolean;
  /** Pages connected now. */
  readonly sessions: number;
  /** Closes the pages' sessions (releasing their media), then stops everything. Idempotent. */
  close(): Promise<void>;
}

/** Starts the embedded media server; a busy port is a PortBusyError naming the way out. */
async function startMediaServer(options: Options): Promise<MediaServer> {
  const config = options.mediaServer;
  const hint = 'choose another with --kurento-port, or use the server running there with --ws-uri';
  await assertPortFree(config.port, config.host, 'the embedded media server', hint);
  return MediaServer.start(config).catch((e: unknown) => {
    throw listenError(e, config.port, 'the embedded media server', hint);
  });
}

/** The address to show: loopback and wildcard hosts as localhost (what the certificate names). */
function pageUrl(host: string, port: number): string {
  const shown = host === '0.0.0.0' || host === '::' || host === '127.0.0.1' || host === '::1' ? 'localhost' : host;
  return `https://${shown.includes(':') ? `[${shown}]` : shown}:${port}/`;
}

/** Starts `tutorial` with `options`; on failure, whatever had started is stopped again. */
export async function startTutorial<Out>(tutorial: Tutorial<Out>, options: Options, onFault: FaultListener = () => undefined): Promise<TutorialApp> {
  const cleanup: (() => Promise<void>)[] = [];
  const undo = async (): Promise<void> => {
    for (const step of cleanup.splice(0).reverse()) await step().catch(onFault);
  };
  try {
    let kurentoUrl = options.wsUri;
    if (kurentoUrl === undefined) {
      const server = await startMediaServer(options);
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

    const signalling = tutorial.signalling(kurento, onFault);
    cleanup.push(async () => {
      await signalling.close?.();
    });
    const sessions = new Set<PageSession>();
    cleanup.push(async () => {
      await Promise.all([...sessions].map((s) => s.close()));
    });
    const [certificate, assets] = await Promise.all([loadCertificate(CERT_DIR), loadAssets(tutorial.publicDir)]);
    const web: WebServer = await startWebServer({
      host: options.host,
      port: options.port,
      cert: certificate.cert,
      key: certificate.key,
      assets,
      path: tutorial.signallingPath,
      what: `the ${tutorial.title} server`,
      onSocket: (ws) => {
        const session = signalling.open((message) => {
          if (ws.readyState === ws.OPEN) ws.send(JSON.stringify(message));
        });
        sessions.add(session);
        ws.on('message', (data, isBinary) => void session.receive(isBinary ? '' : String(data)));
        // Kept until released, so that close() can wait for the release.
        ws.on('close', () => void session.close().finally(() => sessions.delete(session)));
      },
    });
    // Sockets first, so that sessions release their media while the client still runs.
    cleanup.push(() => web.close());

    let closing: Promise<void> | undefined;
    return {
      url: pageUrl(options.host, web.port),
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
