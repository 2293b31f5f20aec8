/** `npm start -w tutorials/one2one-call`: the media server and the one-to-one call. */
import { runTutorial } from '@kurento-ts/tutorial-kit';
import { one2oneCall } from './tutorial.js';

await runTutorial(one2oneCall);
