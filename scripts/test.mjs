#!/usr/bin/env node
// `npm test`: every package's tests with Node's test runner (TypeScript via tsx), and the typecheck beside them.
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { closeSync, existsSync, mkdtempSync, openSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { missingPackages } from './system-packages.mjs';

// What the tests run that does not come from npm (Chromium, Janus, ffmpeg, GStreamer, Go): when
// something is missing and we may install it (root with apt-get), it is installed; otherwise we
// stop with the exact command to run. Never a silent skip.
async function ensureSystemPackages() {
  const missing = await missingPackages();
  if (missing.length === 0) return;
  const packages = missing.flatMap((p) => p.packages);
  for (const p of missing) console.log(`missing ${p.program}: ${p.why}`);
  if (process.getuid?.() !== 0 || !existsSync('/usr/bin/apt-get')) {
    console.error(`Install them with:\n  sudo apt-get update && sudo apt-get install -y ${packages.join(' ')}`);
    process.exit(1);
  }
  console.log(`Installing Debian's ${packages.join(' ')} (apt-get)...`);
  execFileSync('apt-get', ['update', '-qq'], { stdio: 'inherit' });
  execFileSync('apt-get', ['install', '-y', '-qq', ...packages], { stdio: 'inherit', env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
}

// The native addon (packages/native): this repository installs with ignore-scripts (.npmrc), so
// its install step runs here, again only when a C source is newer than the build. It never fails
// the run itself: without a compiler the TypeScript path runs (and the addon's tests say so).
function ensureNativeBuilt() {
  const dir = 'packages/native';
  const addon = join(dir, 'build/Release/kurento_ts_native.node');
  const sources = readdirSync(join(dir, 'csrc')).map((f) => join(dir, 'csrc', f)).concat(join(dir, 'binding.gyp'));
  if (existsSync(addon) && sources.every((f) => statSync(f).mtimeMs <= statSync(addon).mtimeMs)) return;
  spawnSync(process.execPath, [join(dir, 'scripts/build.mjs')], { stdio: 'inherit' });
}

function testFiles(dir) {
  if (!existsSync(dir)) return [];
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return name === 'node_modules' ? [] : testFiles(path);
    return name.endsWith('.test.ts') ? [path] : [];
  });
}

// Arguments: test files or folders (searched for *.test.ts); none means every test.
const only = process.argv.slice(2);
const files = (only.length > 0 ? only : ['packages', 'tutorials', 'bench'])
  .flatMap((path) => (existsSync(path) && statSync(path).isDirectory() ? testFiles(path) : [path]))
  .sort();
if (files.length === 0) {
  console.error('no test files found');
  process.exit(1);
}

// The typecheck (tsc -b, over a minute from a clean clone) runs beside the tests, at low priority
// so that it takes only what they leave idle (they run TypeScript through tsx, so they do not
// wait for it); its verdict counts like theirs.
const typecheck = only.length === 0 ? startTypecheck() : undefined;

function startTypecheck() {
  console.log('typecheck: tsc -b, beside the tests (its output comes after them)');
  const dir = mkdtempSync(join(tmpdir(), 'kurento-ts-tsc-'));
  const log = join(dir, 'tsc.log');
  const fd = openSync(log, 'w');
  const nice = existsSync('/usr/bin/nice') ? ['/usr/bin/nice', '-n', '10'] : [];
  const [command = 'npx', ...args] = [...nice, 'npx', 'tsc', '-b'];
  const child = spawn(command, args, { stdio: ['ignore', fd, fd] });
  const done = new Promise((resolve) => child.on('close', (code) => resolve(code ?? 1)));
  return async () => {
    const code = await done;
    closeSync(fd);
    const output = readFileSync(log, 'utf8');
    rmSync(dir, { recursive: true, force: true });
    console.log(code === 0 ? 'typecheck: tsc -b passed' : `typecheck: tsc -b failed\n${output}`);
    return code;
  };
}
// The media-plane files run a second time on the TypeScript path (KURENTO_NATIVE=0) after the
// full run, which takes the native path when the addon is built: both paths pass the same tests.
// WebRTC loopback and flows, RTP endpoints, data channels, the media-plane hardening and leaks.
const TYPESCRIPT_PATH_FILES = [
  'packages/media-server/test/integration/chromium-loopback.test.ts',
  'packages/media-server/test/integration/graph-media.test.ts',
  'packages/media-server/test/integration/native-path.test.ts',
  'packages/media-server/test/integration/data-channels.test.ts',
  'packages/media-server/test/integration/rtp-endpoint.test.ts',
  'packages/media-server/test/integration/rtcp.test.ts',
  'packages/media-server/test/protocol/webrtc-endpoint.test.ts',
  'packages/media-server/test/hardening/media-plane.test.ts',
  'packages/media-server/test/hardening/leaks.test.ts',
  'tutorials/hello-world/test/browser.test.ts',
  'tutorials/hello-world/test/signalling.test.ts',
];

const runTests = (list, env = process.env) =>
  spawnSync(process.execPath, ['--import', 'tsx', '--test', '--test-concurrency=1', ...list], { stdio: 'inherit', env }).status ?? 1;

await ensureSystemPackages();
ensureNativeBuilt();
// The packages' `kurento-ts-source` export condition: imports of @kurento-ts/* meet their
// TypeScript sources, here and in every process a test starts (npm's scripts get it from .npmrc).
const SOURCE_CONDITION = '--conditions=kurento-ts-source';
const nodeOptions = process.env.NODE_OPTIONS ?? '';
if (!nodeOptions.includes(SOURCE_CONDITION)) process.env.NODE_OPTIONS = `${nodeOptions} ${SOURCE_CONDITION}`.trim();
const tests = runTests(files);
if (only.length > 0) process.exit(tests);
const status = (await typecheck?.()) || tests;
const native = spawnSync(process.execPath, ['--import', 'tsx', '-e', "import('@kurento-ts/native').then((m) => console.log(m.nativeStatus().native ? 'native' : m.nativeStatus().reason))"], { encoding: 'utf8' }).stdout.trim();
if (native !== 'native') {
  console.log(`the full run took the TypeScript path (${native}): no second run`);
  process.exit(status);
}
console.log('media-plane tests again on the TypeScript path (KURENTO_NATIVE=0)');
const subset = TYPESCRIPT_PATH_FILES.flatMap((path) => (existsSync(path) && statSync(path).isDirectory() ? testFiles(path) : [path])).sort();
const fallback = runTests(subset, { ...process.env, KURENTO_NATIVE: '0' });
process.exit(status !== 0 ? status : fallback);
