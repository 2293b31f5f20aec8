/** The start command, as users type it: --help, a wrong flag, a busy port. */
import { startCommandTests } from '@kurento-ts/tutorial-kit/testing';
import { magicMirror } from '../src/tutorial.js';

startCommandTests(magicMirror, { title: magicMirror.title, workspace: 'tutorials/magic-mirror' });
