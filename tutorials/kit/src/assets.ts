/**
 * A tutorial page's files, held in memory: index.html and style.css as written, the kit's
 * shared stylesheet, and app.js built at start by esbuild from the page's app.ts with the
 * browser helper (@kurento-ts/browser) bundled in, so nothing built is ever committed.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

/** The kit's stylesheet, shared by every tutorial page (served as /kit.css). */
const KIT_CSS = fileURLToPath(new URL('../page/kit.css', import.meta.url));

/** One file of the page: its content type and body. */
export interface Asset {
  type: string;
  body: string;
}

/** URL path → file. */
export type Assets = ReadonlyMap<string, Asset>;

/** Builds the page script of `publicDir` and reads its static files. */
export async function loadAssets(publicDir: string): Promise<Assets> {
  const result = await build({
    absWorkingDir: publicDir,
    entryPoints: ['app.ts'],
    bundle: true,
    format: 'esm',
    platform: 'browser',
    conditions: ['kurento-ts-source'], // @kurento-ts/browser from its TypeScript sources, never a build
    target: ['chrome100', 'firefox100', 'safari15.4', 'edge100'], // what @kurento-ts/browser supports
    write: false,
    outfile: 'app.js',
    sourcemap: 'inline',
    legalComments: 'none',
    logLevel: 'silent',
  });
  const script = result.outputFiles[0]?.text;
  if (script === undefined) throw new Error('esbuild produced no page script');
  const read = (file: string): string => readFileSync(file, 'utf8');
  return new Map([
    ['/', { type: 'text/html; charset=utf-8', body: read(join(publicDir, 'index.html')) }],
    ['/kit.css', { type: 'text/css; charset=utf-8', body: read(KIT_CSS) }],
    ['/style.css', { type: 'text/css; charset=utf-8', body: read(join(publicDir, 'style.css')) }],
    ['/app.js', { type: 'text/javascript; charset=utf-8', body: script }],
  ]);
}
