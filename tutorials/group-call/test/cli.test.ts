/** The start command, as users type it: --help, a wrong flag, a busy port. */
import { startCommandTests } from '@kurento-ts/tutorial-kit/testing';
import { groupCall } from '../src/tutorial.js';

startCommandTests(groupCall, { title: groupCall.title, workspace: 'tutorials/group-call' });
