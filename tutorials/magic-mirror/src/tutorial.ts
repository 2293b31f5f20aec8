/** Magic Mirror as the kit starts it: its names, its page, and a loopback session through the hat filter per page. */
import { fileURLToPath } from 'node:url';
import { EndpointSession, LOOPBACK_DIALECT, type Tutorial } from '@kurento-ts/tutorial-kit';
import { placeHat, type Hat } from './hat.js';
import type { ServerMessage } from './messages.js';
import { mirrorWiring } from './mirror.js';

/** Magic Mirror, for runTutorial/startTutorial. */
export const magicMirror: Tutorial<ServerMessage> = {
  title: 'Magic Mirror',
  name: 'magic-mirror',
  envPrefix: 'MAGIC_MIRROR',
  command: 'npm start -w tutorials/magic-mirror',
  summary: 'Open the printed https:// address and press Start: your camera comes back with a hat on every face (MAGIC_MIRROR_HAT_URI: another hat image).',
  hint: 'press Start',
  signallingPath: '/magicmirror',
  publicDir: fileURLToPath(new URL('../public/', import.meta.url)),
  signalling: (kurento, onFault) => {
    // Placed on first use, so that a start without pages leaves nothing behind.
    let hat: Promise<Hat> | undefined;
    const place = (): Promise<Hat> =>
      placeHat().catch((e: unknown) => {
        hat = undefined; // tried again on the next start
        throw e;
      });
    const wiring = mirrorWiring(async () => (await (hat ??= place())).uri);
    return {
      open: (send) => new EndpointSession<ServerMessage>(kurento, send, wiring, LOOPBACK_DIALECT, onFault),
      close: async () => {
        await (await hat?.catch(() => undefined))?.remove();
      },
    };
  },
};
