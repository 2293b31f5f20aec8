/** The start command, as users type it: --help, a wrong flag, a busy port. */
import { startCommandTests } from '@kurento-ts/tutorial-kit/testing';
import { one2manyCall } from '../src/tutorial.js';

startCommandTests(one2manyCall, { title: one2manyCall.title, workspace: 'tutorials/one2many-call' });
