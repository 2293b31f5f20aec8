/** The start command, as users type it: --help, a wrong flag, a busy port. */
import { startCommandTests } from '@kurento-ts/tutorial-kit/testing';
import { one2oneCall } from '../src/tutorial.js';

startCommandTests(one2oneCall, { title: one2oneCall.title, workspace: 'tutorials/one2one-call' });
