/** `npm start -w tutorials/rtp-receiver`: the media server and the RTP receiver. */
import { runTutorial } from '@kurento-ts/tutorial-kit';
import { rtpReceiver } from './tutorial.js';

await runTutorial(rtpReceiver);
