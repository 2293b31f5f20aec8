/** The one-to-one call as the kit starts it: its names, its page, and a User per page. */
import { fileURLToPath } from 'node:url';
import type { Tutorial } from '@kurento-ts/tutorial-kit';
import type { ServerMessage } from './messages.js';
import { User, type Directory } from './user.js';

/** The one-to-one call, for runTutorial/startTutorial. */
export const one2oneCall: Tutorial<ServerMessage> = {
  title: 'One to one call',
  name: 'one2one-call',
  envPrefix: 'ONE2ONE_CALL',
  command: 'npm start -w tutorials/one2one-call',
  summary: 'Open the printed https:// address in two tabs (or on two machines), register a name in each, and call one from the other.',
  hint: 'register a name in two tabs and call',
  signallingPath: '/one2one',
  publicDir: fileURLToPath(new URL('../public/', import.meta.url)),
  signalling: (kurento, onFault) => {
    const directory: Directory = { kurento, onFault, users: new Map() };
    return { open: (send) => new User(directory, send) };
  },
};
