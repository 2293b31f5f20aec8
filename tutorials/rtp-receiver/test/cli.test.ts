/** The start command, as users type it: --help, a wrong flag, a busy port. */
import { startCommandTests } from '@kurento-ts/tutorial-kit/testing';
import { rtpReceiver } from '../src/tutorial.js';

startCommandTests(rtpReceiver, { title: rtpReceiver.title, workspace: 'tutorials/rtp-receiver' });
