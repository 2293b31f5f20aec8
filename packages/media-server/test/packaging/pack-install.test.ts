/**
 * The packages as a user gets them: build, `npm pack` the five publishable packages, install the
 * tarballs into an empty project outside the repository (npm's cache and the registry for their
 * dependencies), start `npx kurento-ts-media-server` from there, drive it from a plain JavaScript
 * script with @kurento-ts/client, and type-check TypeScript against the installed declarations
 * with the installed tsc. Nothing here sees the repository's sources: the processes run without
 * the `kurento-ts-source` condition and without npm's settings of this run (ignore-scripts).
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../../../../', import.meta.url));
const CONSUMER = fileURLToPath(new URL('./consumer/', import.meta.url));

/** This process's environment less what makes it a repository run: the source condition, npm's config and lifecycle. */
function userEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) if (!/^npm_/i.test(key) && key !== 'INIT_CWD') env[key] = value;
  env['NODE_OPTIONS'] = (process.env['NODE_OPTIONS'] ?? '').replace(/--conditions[= ]kurento-ts-source/g, '').trim();
  return env;
}

/** Runs a command to its end; resolves with its output, rejects with it on a non-zero exit or after `timeoutMs`. */
function run(command: string, args: readonly string[], cwd: string, timeoutMs: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd, env: userEnv(), stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const timer = setTimeout(() => stopGroup(child), timeoutMs);
    child.once('error', reject);
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      if (code === 0) resolve(output);
      else reject(new Error(`${command} ${args.join(' ')} ended with ${code ?? signal}${signal ? ` (after ${timeoutMs} ms?)` : ''}:\n${output}`));
    });
  });
}

/** npx → sh → node: the whole process group is signalled. */
function stopGroup(child: ChildProcess, signal: NodeJS.Signals = 'SIGTERM'): void {
  try {
    if (child.pid !== undefined) process.kill(-child.pid, signal);
  } catch {
    // already gone
  }
}

/** `npx kurento-ts-media-server ...` in `cwd`, resolved with its ws:// URL once it prints its ready line. */
function startInstalledServer(cwd: string): Promise<{ url: string; child: ChildProcess; output: () => string }> {
  const child = spawn('npx', ['--no', '--', 'kurento-ts-media-server', '--port', '0', '--network-interfaces', '127.0.0.1', '--media-workers', '1'], {
    cwd,
    env: userEnv(),
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  let output = '';
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      stopGroup(child);
      reject(new Error(`no ready line within 30 s:\n${output}`));
    }, 30_000);
    child.stdout?.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      const url = /media server ready on (ws:\/\/\S+)/.exec(output)?.[1];
      if (url === undefined) return;
      clearTimeout(timer);
      resolve({ url, child, output: () => output });
    });
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`the server exited (${code ?? signal}) before it was ready:\n${output}`));
    });
  });
}

const exited = (child: ChildProcess): Promise<number | null> =>
  child.exitCode !== null || child.signalCode !== null ? Promise.resolve(child.exitCode) : new Promise((resolve) => child.once('exit', (code) => resolve(code)));

const versionOf = (name: string): string => (JSON.parse(readFileSync(join(ROOT, 'node_modules', name, 'package.json'), 'utf8')) as { version: string }).version;

/** The ```js block of a package's README that starts with `// <file>:`, so the README's example is what runs. */
function readmeExample(pkg: string, file: string): string {
  const readme = readFileSync(join(ROOT, 'packages', pkg, 'README.md'), 'utf8');
  const block = new RegExp('```js\\n(// ' + file.replace('.', '\\.') + ':[\\s\\S]*?)```').exec(readme)?.[1];
  assert.ok(block, `packages/${pkg}/README.md has a ${file} example`);
  return block;
}

test('npm pack → npm install in an empty folder → npx kurento-ts-media-server, a JavaScript client and tsc', { timeout: 300_000 }, async (t) => {
  const work = mkdtempSync(join(tmpdir(), 'kurento-ts-pack-'));
  const tarballs = join(work, 'tarballs');
  const app = join(work, 'app');
  t.after(() => {
    rmSync(work, { recursive: true, force: true });
    // dist/ is only ever for packing: the repository runs its sources.
    for (const name of ['protocol', 'native', 'client', 'media-server', 'browser']) rmSync(join(ROOT, 'packages', name, 'dist'), { recursive: true, force: true });
  });
  const started = Date.now();
  const step = (what: string): void => t.diagnostic(`${what}: ${((Date.now() - started) / 1000).toFixed(1)} s`);

  const packed = await run(process.execPath, ['scripts/build-packages.mjs', '--pack', tarballs], ROOT, 180_000);
  const files = readdirSync(tarballs).sort();
  assert.deepEqual(files, ['browser', 'client', 'media-server', 'native', 'protocol'].map((name) => `kurento-ts-${name}-0.1.0.tgz`), packed);
  step('built and packed');

  // What ships: dist and the assets found from it, never the sources or the tests.
  const listing = await run('tar', ['tzf', join(tarballs, 'kurento-ts-media-server-0.1.0.tgz')], work, 10_000);
  for (const file of ['package/dist/main.js', 'package/dist/index.d.ts', 'package/dist/hosts/mediaWorker.js', 'package/dist/processing/helper/gst_unit.py', 'package/README.md']) {
    assert.ok(listing.split('\n').includes(file), `${file} in the media server's tarball`);
  }
  assert.deepEqual(listing.split('\n').filter((f) => /^package\/(src|test)\//.test(f)), [], 'no sources or tests in the tarball');

  cpSync(CONSUMER, app, { recursive: true });
  const tarballPaths = files.map((file) => join(tarballs, file));
  await run('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund', ...tarballPaths, `typescript@${versionOf('typescript')}`, `@types/node@${versionOf('@types/node')}`], app, 180_000);
  step('installed');
  // The addon's install script built it from the tarball's C sources (gcc is a system package of the tests).
  assert.ok(existsSync(join(app, 'node_modules/@kurento-ts/native/build/Release/kurento_ts_native.node')), 'the native addon built at install');

  // The two type checks run while the server and the JavaScript client do.
  const typecheck = Promise.all([
    run(join(app, 'node_modules/.bin/tsc'), ['-p', 'tsconfig.json'], app, 120_000),
    run(join(app, 'node_modules/.bin/tsc'), ['-p', 'tsconfig.server.json'], app, 120_000),
  ]);
  typecheck.catch(() => undefined); // awaited below; a failure must not surface as unhandled first

  const server = await startInstalledServer(app);
  try {
    const seen = JSON.parse((await run(process.execPath, ['offer.mjs', server.url], app, 60_000)).trim()) as unknown;
    assert.deepEqual(seen, { offerVersion: 'v=0', media: ['m=audio', 'm=video'], pipelinesWhileRunning: 1, pipelinesAfterRelease: 0, native: true });
    // The READMEs' own examples, as a user pastes them (the client's names the default port).
    writeFileSync(join(app, 'offer.readme.mjs'), readmeExample('client', 'offer.mjs').replace('ws://127.0.0.1:8888/kurento', server.url));
    assert.match(await run(process.execPath, ['offer.readme.mjs'], app, 60_000), /^v=0\r?\n[\s\S]*m=video/);
    writeFileSync(join(app, 'schema.mjs'), readmeExample('protocol', 'schema.mjs'));
    assert.match(await run(process.execPath, ['schema.mjs'], app, 30_000), /MEDIA_OBJECT_NOT_FOUND 40101/);
    step('offer from plain JavaScript, and the READMEs\' examples');
  } finally {
    stopGroup(server.child);
    await exited(server.child);
  }
  assert.match(server.output(), /media-server: SIGTERM, stopping/);

  const [clientCheck, serverCheck] = await typecheck;
  assert.equal(clientCheck.trim(), '', 'tsc on client.ts prints nothing');
  assert.equal(serverCheck.trim(), '', 'tsc on server.ts prints nothing');
  step('type-checked');
});
