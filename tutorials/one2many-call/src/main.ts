/** `npm start -w tutorials/one2many-call`: the media server and the one-to-many call. */
import { runTutorial } from '@kurento-ts/tutorial-kit';
import { one2manyCall } from './tutorial.js';

await runTutorial(one2manyCall);
