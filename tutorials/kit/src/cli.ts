/**
 * A tutorial's start command (`npm start`, `npm start -w tutorials/<name>`): the media server and
 * the tutorial, with their addresses printed once ready (scripts and tests wait for the "ready"
 * lines). SIGINT/SIGTERM release every page's media and stop. Exit codes: 2 for a wrong flag,
 * 1 for a failed start or stop.
 */
import { mediaAddressReport } from '@kurento-ts/media-server';
import { startTutorial, type TutorialApp } from './app.js';
import { parseOptions, usage, UsageError, type Options } from './options.js';
import { errorMessage } from './messages.js';
import type { Tutorial } from './tutorial.js';

/** Runs `tutorial` as a command with `argv` (default: this process's arguments). */
export async function runTutorial<Out>(tutorial: Tutorial<Out>, argv: readonly string[] = process.argv.slice(2)): Promise<void> {
  const fail = (message: string, code: number): never => {
    process.stderr.write(`${tutorial.name}: ${message}\n`);
    process.exit(code);
  };
  let options: Options | 'help';
  try {
    options = parseOptions(tutorial, argv);
  } catch (e) {
    if (!(e instanceof UsageError)) throw e;
    return fail(`${e.message} (try --help)`, 2);
  }
  if (options === 'help') {
    process.stdout.write(`${usage(tutorial)}\n`);
    return;
  }

  let app: TutorialApp;
  try {
    app = await startTutorial(tutorial, options, (e) => process.stderr.write(`${tutorial.name}: ${errorMessage(e)}\n`));
  } catch (e) {
    return fail(`cannot start: ${errorMessage(e)}`, 1);
  }
  let stopping = false;
  const stop = (signal: NodeJS.Signals): void => {
    if (stopping) return; // npm and tsx relay signals too: one stop is enough
    stopping = true;
    process.stdout.write(`${tutorial.name}: ${signal}, releasing ${app.sessions} session(s) and stopping\n`);
    // A media server that no longer answers must not keep the process from ending.
    setTimeout(() => fail('could not stop cleanly within 10 s, exiting anyway', 1), 10_000).unref();
    app.close().then(() => process.exit(0), (e: unknown) => fail(`while stopping: ${(e as Error).message}`, 1));
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);

  if (app.certificateCreated) process.stdout.write(`${tutorial.name}: made a self-signed certificate for localhost (tutorials/kit/.certs/)\n`);
  if (app.embedded) {
    process.stdout.write(`Kurento-TS media server ready on ${app.kurentoUrl}\n`);
    // Which addresses browsers get for media: one they cannot reach means no media, and no error.
    const media = mediaAddressReport(options.mediaServer);
    process.stdout.write(`${media.line}\n`);
    if (media.warning) process.stderr.write(`${tutorial.name}: warning: ${media.warning}\n`);
  } else {
    process.stdout.write(`Using the media server at ${app.kurentoUrl}\n`);
  }
  process.stdout.write(`${tutorial.title} ready on ${app.url}  (self-signed certificate: accept the browser's warning, then ${tutorial.hint})\n`);
}
