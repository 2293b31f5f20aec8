/**
 * `npm start`: the media server and the Hello World, with their addresses printed once ready
 * (scripts and tests wait for the "ready" lines). SIGINT/SIGTERM release every pipeline and stop.
 */
import { startHelloWorld, type HelloWorldApp } from './app.js';
import { parseOptions, usage, UsageError, type Options } from './options.js';

const fail = (message: string, code: number): never => {
  process.stderr.write(`hello-world: ${message}\n`);
  process.exit(code);
};

async function main(): Promise<void> {
  let options: Options | 'help';
  try {
    options = parseOptions(process.argv.slice(2));
  } catch (e) {
    if (!(e instanceof UsageError)) throw e;
    return fail(`${e.message} (try --help)`, 2);
  }
  if (options === 'help') {
    process.stdout.write(`${usage()}\n`);
    return;
  }

  const app: HelloWorldApp = await startHelloWorld(options, (e) => process.stderr.write(`hello-world: ${(e as Error)?.message ?? String(e)}\n`));
  let stopping = false;
  const stop = (signal: NodeJS.Signals): void => {
    if (stopping) return; // npm and tsx relay signals too: one stop is enough
    stopping = true;
    process.stdout.write(`hello-world: ${signal}, releasing ${app.sessions} session(s) and stopping\n`);
    // A media server that no longer answers must not keep the process from ending.
    setTimeout(() => fail('could not stop cleanly within 10 s, exiting anyway', 1), 10_000).unref();
    app.close().then(() => process.exit(0), (e: unknown) => fail(`while stopping: ${(e as Error).message}`, 1));
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);

  if (app.certificateCreated) process.stdout.write('hello-world: made a self-signed certificate for localhost (tutorials/hello-world/.certs/)\n');
  process.stdout.write(app.embedded ? `Kurento-TS media server ready on ${app.kurentoUrl}\n` : `Using the media server at ${app.kurentoUrl}\n`);
  process.stdout.write(`Hello World ready on ${app.url}  (self-signed certificate: accept the browser's warning, then press Start)\n`);
}

main().catch((e: unknown) => fail(`cannot start: ${e instanceof Error ? e.message : String(e)}`, 1));
