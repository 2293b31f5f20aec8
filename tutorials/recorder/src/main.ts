/** `npm start -w tutorials/recorder`: the media server and the recorder tutorial. */
import { runTutorial } from '@kurento-ts/tutorial-kit';
import { recorder } from './tutorial.js';

await runTutorial(recorder);
