/** What the Chromium integration tests share: a media server, our SDK connected to it, the peers page and a browser. */
import { KurentoClient } from '@kurento-ts/client';
import { launchChromium, type Browser, type Site } from '@kurento-ts/test-utils';
import type { MediaServer, ServerConfig } from '../../src/index.js';
import { servePeersPage } from './peersPage.js';
import { startServer } from './server.js';

export interface BrowserRig {
  server: MediaServer;
  kurento: KurentoClient;
  site: Site;
  browser: Browser;
}

/** Starts the rig: a server on loopback with `overrides`, a client, the peers page, Chromium. */
export async function startBrowserRig(overrides: Partial<ServerConfig> = {}): Promise<BrowserRig> {
  const server = await startServer(overrides);
  const kurento = await KurentoClient.connect(server.url);
  return { server, kurento, site: await servePeersPage(), browser: await launchChromium() };
}

/** Stops what a rig started, last first (any part may be missing when the start failed). */
export async function stopBrowserRig(rig: Partial<BrowserRig>): Promise<void> {
  await rig.browser?.close();
  await rig.site?.close();
  await rig.kurento?.close();
  await rig.server?.stop();
}
