/** `npm start -w tutorials/datachannel`: the media server and the data-channel tutorial. */
import { runTutorial } from '@kurento-ts/tutorial-kit';
import { datachannel } from './tutorial.js';

await runTutorial(datachannel);
