/** The start command, as users type it: --help, a wrong flag, a busy port. */
import { startCommandTests } from '@kurento-ts/tutorial-kit/testing';
import { datachannel } from '../src/tutorial.js';

startCommandTests(datachannel, { title: datachannel.title, workspace: 'tutorials/datachannel' });
