/** The start command, as users type it: --help, a wrong flag, a busy port. */
import { startCommandTests } from '@kurento-ts/tutorial-kit/testing';
import { player } from '../src/tutorial.js';

startCommandTests(player, { title: player.title, workspace: 'tutorials/player' });
