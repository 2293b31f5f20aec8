/** `npm start -w tutorials/player`: the media server and the player tutorial. */
import { runTutorial } from '@kurento-ts/tutorial-kit';
import { player } from './tutorial.js';

await runTutorial(player);
