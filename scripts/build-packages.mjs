#!/usr/bin/env node
// `npm run build`: each publishable package's dist/ (JavaScript and declarations), as its
// tarball ships it. Inside the repository nothing needs this: the `kurento-ts-source` export
// condition (.npmrc, scripts/test.mjs) runs the TypeScript sources. `--pack DIR` then writes
// the five tarballs to DIR with `npm pack`.
import { spawnSync } from 'node:child_process';
import { chmodSync, cpSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
/** Dependencies first: each build reads the declarations of the packages before it from dist/. */
export const PUBLISHED = ['protocol', 'native', 'client', 'media-server', 'browser'];

/** The environment of a build step: without the source condition, so imports meet dist/. */
function plainEnv() {
  const env = { ...process.env };
  env.NODE_OPTIONS = (env.NODE_OPTIONS ?? '').replace(/--conditions[= ]kurento-ts-source/g, '').trim();
  return env;
}

function run(command, args, cwd = ROOT) {
  const result = spawnSync(command, args, { cwd, stdio: 'inherit', env: plainEnv() });
  if (result.status !== 0) throw new Error(`${command} ${args.join(' ')} failed (${result.status ?? result.signal})`);
}

const tsc = join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc');

/** Entries of src/ that only a run from sources uses (tsx's worker entry). */
const SOURCE_ONLY = new Set(['hosts/mediaWorkerTs.mjs']);

/** Every file of src/ that is not TypeScript (scripts, pages, worker entries) goes beside the modules that read it. */
function copyAssets(dir, sub = '') {
  for (const entry of readdirSync(join(dir, 'src', sub), { withFileTypes: true })) {
    const path = join(sub, entry.name);
    if (entry.isDirectory()) copyAssets(dir, path);
    else if (!entry.name.endsWith('.ts') && !SOURCE_ONLY.has(path)) cpSync(join(dir, 'src', path), join(dir, 'dist', path));
  }
}

/** The bin: Node itself (not tsx) with the young-generation size the npm scripts use. */
function setShebang(file) {
  const body = readFileSync(file, 'utf8').replace(/^#!.*\n/, '');
  writeFileSync(file, `#!/usr/bin/env -S node --max-semi-space-size=4\n${body}`);
  chmodSync(file, 0o755);
}

export function buildPackages() {
  for (const name of PUBLISHED) {
    const dir = join(ROOT, 'packages', name);
    rmSync(join(dir, 'dist'), { recursive: true, force: true });
    // The browser package's JavaScript is esbuild's two bundles; tsc adds the declarations.
    if (name === 'browser') run(process.execPath, ['--import', 'tsx', 'scripts/build.ts'], dir);
    run(process.execPath, [tsc, '-p', join(dir, 'tsconfig.build.json')]);
    copyAssets(dir);
    if (name === 'media-server') setShebang(join(dir, 'dist/main.js'));
  }
}

/** `npm pack` of every published package into `dest`; returns the tarballs' paths. */
export function packPackages(dest) {
  mkdirSync(dest, { recursive: true });
  const args = ['pack', '--pack-destination', dest, '--json', ...PUBLISHED.flatMap((name) => ['-w', `packages/${name}`])];
  const result = spawnSync('npm', args, { cwd: ROOT, encoding: 'utf8', env: plainEnv() });
  if (result.status !== 0) throw new Error(`npm pack failed: ${result.stderr}`);
  return JSON.parse(result.stdout).map((entry) => join(dest, entry.filename));
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  buildPackages();
  const at = process.argv.indexOf('--pack');
  if (at !== -1) {
    const dest = resolve(process.argv[at + 1] ?? '.');
    for (const tarball of packPackages(dest)) console.log(tarball);
  }
}
