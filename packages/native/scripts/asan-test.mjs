#!/usr/bin/env node
// `npm run soak`'s native part: the addon built with AddressSanitizer (kept apart in
// build-asan/, the normal build put back), then its tests run against it with libasan preloaded
// and a longer GC stress. Any ASan report fails the run.
import { execFileSync, spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const built = join(here, 'build', 'Release', 'kurento_ts_native.node');
// Outside build/: node-gyp rebuild empties that folder.
const asan = join(here, 'build-asan', 'kurento_ts_native.node');
const gcc = execFileSync('gcc', ['-print-file-name=libasan.so'], { encoding: 'utf8' }).trim();
if (!existsSync(gcc) || gcc === 'libasan.so') {
  console.error('AddressSanitizer runtime not found (gcc -print-file-name=libasan.so): apt-get install gcc');
  process.exit(1);
}
const build = (args) => execFileSync(process.execPath, [join(here, 'scripts', 'build.mjs'), ...args], { stdio: 'inherit' });
build(['--sanitize']);
if (!existsSync(built)) process.exit(1);
mkdirSync(dirname(asan), { recursive: true });
copyFileSync(built, asan);
build([]);

const tests = readdirSync(join(here, 'test')).filter((f) => f.endsWith('.test.ts')).map((f) => join(here, 'test', f));
const run = spawnSync(process.execPath, ['--import', 'tsx', '--test', '--test-concurrency=1', ...tests], {
  stdio: ['ignore', 'inherit', 'pipe'],
  encoding: 'utf8',
  env: {
    ...process.env,
    // @kurento-ts/* from their TypeScript sources, as scripts/test.mjs runs them.
    NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ''} --conditions=kurento-ts-source`.trim(),
    LD_PRELOAD: gcc,
    // Node itself keeps memory until exit on purpose: leaks are the fd and memory checks' job.
    ASAN_OPTIONS: 'detect_leaks=0:abort_on_error=1',
    KURENTO_NATIVE_ADDON: asan,
    NATIVE_GC_ROUNDS: process.env.NATIVE_GC_ROUNDS ?? '300',
    FUZZ_RUNS: process.env.NATIVE_FUZZ_RUNS ?? '5000',
  },
});
process.stderr.write(run.stderr ?? '');
if (/ERROR: AddressSanitizer/.test(run.stderr ?? '')) {
  console.error('AddressSanitizer reported an error in the native addon');
  process.exit(1);
}
console.log(`native tests under AddressSanitizer (${asan}): exit ${run.status}`);
process.exit(run.status ?? 1);
