#!/usr/bin/env node
// `npm test`: typecheck, then every package's tests with Node's test runner (TypeScript via tsx).
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
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

if (only.length === 0) {
  console.log('typecheck: tsc -b');
  const tsc = spawnSync('npx', ['tsc', '-b'], { stdio: 'inherit' });
  if (tsc.status !== 0) process.exit(tsc.status ?? 1);
}
await ensureSystemPackages();
ensureNativeBuilt();
// The packages' `kurento-ts-source` export condition: imports of @kurento-ts/* meet their
// TypeScript sources, here and in every process a test starts (npm's scripts get it from .npmrc).
const SOURCE_CONDITION = '--conditions=kurento-ts-source';
const nodeOptions = process.env.NODE_OPTIONS ?? '';
if (!nodeOptions.includes(SOURCE_CONDITION)) process.env.NODE_OPTIONS = `${nodeOptions} ${SOURCE_CONDITION}`.trim();
const run = spawnSync(process.execPath, ['--import', 'tsx', '--test', '--test-concurrency=1', ...files], { stdio: 'inherit' });
process.exit(run.status ?? 1);
