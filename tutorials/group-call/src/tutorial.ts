/** The group call as the kit starts it: its names, its page, and a User per page. */
import { fileURLToPath } from 'node:url';
import type { Tutorial } from '@kurento-ts/tutorial-kit';
import type { ServerMessage } from './messages.js';
import { User, type Rooms } from './user.js';

/** The group call, for runTutorial/startTutorial. */
export const groupCall: Tutorial<ServerMessage> = {
  title: 'Group call',
  name: 'group-call',
  envPrefix: 'GROUP_CALL',
  command: 'npm start -w tutorials/group-call',
  summary: 'Open the printed https:// address in several tabs (or on several machines) and join the same room under different names.',
  hint: 'join the same room from several tabs',
  signallingPath: '/groupcall',
  publicDir: fileURLToPath(new URL('../public/', import.meta.url)),
  signalling: (kurento, onFault) => {
    const rooms: Rooms = { kurento, onFault, byName: new Map() };
    return { open: (send) => new User(rooms, send) };
  },
};
