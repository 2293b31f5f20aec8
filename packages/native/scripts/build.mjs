#!/usr/bin/env node
// Builds the addon from source with npm's own node-gyp and Node's own headers (no download when
// the headers are installed beside node, as Debian's and nodesource's packages do). The addon is
// optional: when the build fails (no compiler, not Linux) this still exits 0 and says, in one
// line, that the TypeScript path will run. `--verbose` shows the compiler's output;
// `--sanitize` builds with AddressSanitizer (npm run soak); `KURENTO_NATIVE=0` skips the build.
import { spawnSync } from 'node:child_process';
import { existsSync, rmSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const verbose = process.argv.includes('--verbose');
const sanitize = process.argv.includes('--sanitize');
const say = (line) => console.log(`@kurento-ts/native: ${line}`);

function nodeGyp() {
  const candidates = [
    process.env.npm_config_node_gyp,
    join(dirname(process.execPath), '..', 'lib', 'node_modules', 'npm', 'node_modules', 'node-gyp', 'bin', 'node-gyp.js'),
    join(dirname(process.execPath), 'node_modules', 'npm', 'node_modules', 'node-gyp', 'bin', 'node-gyp.js'),
  ];
  return candidates.find((path) => path && existsSync(path));
}

function main() {
  if (['0', 'false', 'off', 'no'].includes((process.env.KURENTO_NATIVE ?? '').trim().toLowerCase())) {
    say('build skipped (KURENTO_NATIVE is off): the TypeScript fast path will run');
    return;
  }
  if (process.platform !== 'linux') {
    say(`no native build on ${process.platform} (recvmmsg/sendmmsg are Linux's): the TypeScript fast path will run`);
    return;
  }
  const gyp = nodeGyp();
  if (!gyp) {
    say("npm's node-gyp not found: the TypeScript fast path will run");
    return;
  }
  // Node's headers beside the binary (include/node/node_api.h) mean an offline build.
  const prefix = resolve(dirname(process.execPath), '..');
  const args = [gyp, 'rebuild'];
  if (existsSync(join(prefix, 'include', 'node', 'node_api.h'))) args.push(`--nodedir=${prefix}`);
  if (sanitize) args.push('--sanitize=address');
  const run = spawnSync(process.execPath, args, { cwd: here, encoding: 'utf8', stdio: verbose ? 'inherit' : 'pipe', timeout: 300_000 });
  if (run.status === 0) {
    say(`built${sanitize ? ' with AddressSanitizer' : ''}: the native fast path is available`);
    return;
  }
  rmSync(join(here, 'build', 'Release', 'kurento_ts_native.node'), { force: true });
  const why = `${run.stderr ?? ''}${run.stdout ?? ''}`.split('\n').filter((l) => /error|not found|No such/i.test(l)).slice(-1)[0]?.trim();
  say(`build failed${why ? ` (${why})` : ''}: the TypeScript fast path will run (a C compiler, make and python3 build it: npm run build -w @kurento-ts/native)`);
}

main();
