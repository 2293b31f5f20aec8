#!/usr/bin/env -S npx tsx --max-semi-space-size=4
/**
 * Command-line entry: `npm run media-server -- --port 8888 --host 127.0.0.1`.
 * Node runs it with `--max-semi-space-size=4` (here and in the npm scripts): a 4 MB young
 * generation holds a third of the per-packet garbage the default 16 MB does, for the same GC
 * time (docs/performance.md).
 */
import { ConfigError, loadConfig, usage } from './config/config.js';
import { mediaAddressReport } from './config/mediaAddresses.js';
import { MediaServer } from './MediaServer.js';

async function main(): Promise<void> {
  let loaded: ReturnType<typeof loadConfig>;
  try {
    loaded = loadConfig(process.argv.slice(2));
  } catch (e) {
    if (!(e instanceof ConfigError)) throw e;
    process.stderr.write(`media-server: ${e.message}\n`);
    process.exit(2);
  }
  if (loaded.help) {
    process.stdout.write(`${usage()}\n`);
    return;
  }
  const server = await MediaServer.start(loaded.config);
  // The one ready line, whatever the log level: scripts wait for it.
  process.stdout.write(`Kurento-TS media server ready on ${server.url}\n`);
  // Which addresses browsers get for media: one they cannot reach means no media, and no error.
  const media = mediaAddressReport(loaded.config);
  process.stdout.write(`${media.line}\n`);
  if (media.warning) process.stderr.write(`media-server: warning: ${media.warning}\n`);
  const stop = (signal: string) => {
    process.stderr.write(`media-server: ${signal}, stopping\n`);
    server.stop().then(() => process.exit(0), () => process.exit(1));
  };
  // One faulty request or element must not take every session down with it.
  process.on('unhandledRejection', (reason) => process.stderr.write(`media-server: unhandled rejection: ${String((reason as Error)?.stack ?? reason)}\n`));
  process.once('SIGINT', () => stop('SIGINT'));
  process.once('SIGTERM', () => stop('SIGTERM'));
}

main().catch((e: unknown) => {
  process.stderr.write(`media-server: cannot start: ${(e as Error).message}\n`);
  process.exit(1);
});
