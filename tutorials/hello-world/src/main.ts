/** `npm start` (and `npm start -w tutorials/hello-world`): the media server and the Hello World. */
import { runTutorial } from '@kurento-ts/tutorial-kit';
import { helloWorld } from './tutorial.js';

await runTutorial(helloWorld);
