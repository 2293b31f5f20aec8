/** The start command, as users type it: --help, a wrong flag, a busy port. */
import { startCommandTests } from '@kurento-ts/tutorial-kit/testing';
import { recorder } from '../src/tutorial.js';

startCommandTests(recorder, { title: recorder.title, workspace: 'tutorials/recorder' });
