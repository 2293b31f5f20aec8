/** `npm start -w tutorials/magic-mirror`: the media server and the Magic Mirror. */
import { runTutorial } from '@kurento-ts/tutorial-kit';
import { magicMirror } from './tutorial.js';

await runTutorial(magicMirror);
