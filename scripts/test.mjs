#!/usr/bin/env node
// `npm test`: typecheck, then every package's tests with Node's test runner (TypeScript via tsx).
// Browser tests need Debian's Chromium: when it is missing and we may install it (root with
// apt-get), it is installed; otherwise we stop with the exact command to run. Never a silent skip.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

const CHROMIUM = '/usr/bin/chromium';
const JANUS = '/usr/bin/janus';

function ensureChromium() {
  if (existsSync(CHROMIUM)) return;
  const canInstall = process.getuid?.() === 0 && existsSync('/usr/bin/apt-get');
  if (!canInstall) {
    console.error(`Browser tests need ${CHROMIUM}. Install it with:\n  sudo apt-get update && sudo apt-get install -y chromium`);
    process.exit(1);
  }
  console.log(`Installing Debian's chromium for the browser tests (apt-get)...`);
  execFileSync('apt-get', ['update', '-qq'], { stdio: 'inherit' });
  execFileSync('apt-get', ['install', '-y', '-qq', 'chromium'], { stdio: 'inherit', env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
}

// The benchmark's test measures Janus beside our server: same rule as Chromium.
function ensureJanus() {
  if (existsSync(JANUS)) return;
  if (process.getuid?.() !== 0 || !existsSync('/usr/bin/apt-get')) {
    console.error(`The benchmark test needs Janus (${JANUS}). Install it with:\n  sudo apt-get update && sudo apt-get install -y janus`);
    process.exit(1);
  }
  console.log(`Installing Debian's janus for the benchmark test (apt-get)...`);
  execFileSync('apt-get', ['update', '-qq'], { stdio: 'inherit' });
  execFileSync('apt-get', ['install', '-y', '-qq', 'janus'], { stdio: 'inherit', env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
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
ensureChromium();
if (files.some((f) => f.startsWith('bench'))) ensureJanus();
const run = spawnSync(process.execPath, ['--import', 'tsx', '--test', '--test-concurrency=1', ...files], { stdio: 'inherit' });
process.exit(run.status ?? 1);
