/** The one-to-many call as the kit starts it: its names, its page, and a User per page. */
import { fileURLToPath } from 'node:url';
import type { Tutorial } from '@kurento-ts/tutorial-kit';
import type { ServerMessage } from './messages.js';
import { User, type Broadcast } from './user.js';

/** The one-to-many call, for runTutorial/startTutorial. */
export const one2manyCall: Tutorial<ServerMessage> = {
  title: 'One to many call',
  name: 'one2many-call',
  envPrefix: 'ONE2MANY_CALL',
  command: 'npm start -w tutorials/one2many-call',
  summary: 'Open the printed https:// address, press Presenter in one tab and Viewer in others.',
  hint: 'press Presenter in one tab and Viewer in others',
  signallingPath: '/one2many',
  publicDir: fileURLToPath(new URL('../public/', import.meta.url)),
  signalling: (kurento, onFault) => {
    const broadcast: Broadcast = { kurento, onFault, presentation: undefined };
    return { open: (send) => new User(broadcast, send) };
  },
};
