/** Hello World as the kit starts it: its names, its page, and a loopback session per page. */
import { fileURLToPath } from 'node:url';
import type { Tutorial } from '@kurento-ts/tutorial-kit';
import type { ServerMessage } from './messages.js';
import { helloWorldSession } from './signalling.js';

/** Hello World, for runTutorial/startTutorial. */
export const helloWorld: Tutorial<ServerMessage> = {
  title: 'Hello World',
  name: 'hello-world',
  envPrefix: 'HELLO_WORLD',
  command: 'npm start',
  summary: 'Open the printed https:// address and press Start.',
  hint: 'press Start',
  signallingPath: '/helloworld',
  publicDir: fileURLToPath(new URL('../public/', import.meta.url)),
  signalling: (kurento, onFault) => ({ open: (send) => helloWorldSession(kurento, send, onFault) }),
};
