/** `npm start -w tutorials/group-call`: the media server and the group call. */
import { runTutorial } from '@kurento-ts/tutorial-kit';
import { groupCall } from './tutorial.js';

await runTutorial(groupCall);
