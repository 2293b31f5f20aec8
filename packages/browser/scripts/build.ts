/**
 * Builds the two browser deliverables with esbuild:
 *   dist/index.js          ES module (`import { WebRtcPeer } from '.../index.js'`)
 *   dist/kurento-utils.js  classic script defining the global `kurentoUtils`
 * `npm run build -w @kurento-ts/browser` writes them; tests call `buildBrowser({ write: false })`
 * and serve the result from memory.
 */
import { build, type BuildOptions } from 'esbuild';
import { statSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';

const ROOT = fileURLToPath(new URL('..', import.meta.url));

/** Browsers with transceivers, srcObject and class private methods. */
const TARGET = ['chrome100', 'firefox100', 'safari15.4', 'edge100'];

/** Output file names, relative to the output folder. */
export const OUTPUTS = { esm: 'index.js', global: 'kurento-utils.js' } as const;

export interface BuildResult {
  /** File name (see OUTPUTS, plus source maps when written) → contents. */
  files: Map<string, string>;
}

/** Builds both bundles; `write: false` keeps them in memory. */
export async function buildBrowser({ outdir = `${ROOT}dist`, write = true } = {}): Promise<BuildResult> {
  const common: BuildOptions = {
    absWorkingDir: ROOT,
    bundle: true,
    platform: 'browser',
    target: TARGET,
    outdir,
    write,
    sourcemap: write ? 'linked' : false,
    legalComments: 'none',
    logLevel: 'warning',
  };
  const results = await Promise.all([
    build({ ...common, entryPoints: { [OUTPUTS.esm.replace(/\.js$/, '')]: 'src/index.ts' }, format: 'esm' }),
    // IIFE: nothing leaks into the page's scope but what global.ts assigns.
    build({ ...common, entryPoints: { [OUTPUTS.global.replace(/\.js$/, '')]: 'src/global.ts' }, format: 'iife' }),
  ]);
  const files = new Map<string, string>();
  if (!write) {
    for (const file of results.flatMap((r) => r.outputFiles ?? [])) files.set(file.path.slice(outdir.length + 1), file.text);
  }
  return { files };
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  await buildBrowser();
  for (const name of Object.values(OUTPUTS)) console.log(`dist/${name}  ${(statSync(`${ROOT}dist/${name}`).size / 1024).toFixed(1)} KiB`);
}
