/**
 * The page's files, held in memory: index.html and style.css as written, and app.js built at
 * start by esbuild from public/app.ts with the browser helper (@kurento-ts/browser) bundled in,
 * so nothing built is ever committed.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const PUBLIC = fileURLToPath(new URL('../public/', import.meta.url));

export interface Asset {
  type: string;
  body: string;
}

/** URL path → file. */
export type Assets = ReadonlyMap<string, Asset>;

/** Builds the page script and reads the static files. */
export async function loadAssets(): Promise<Assets> {
  const result = await build({
    absWorkingDir: PUBLIC,
    entryPoints: ['app.ts'],
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: ['chrome100', 'firefox100', 'safari15.4', 'edge100'], // what @kurento-ts/browser supports
    write: false,
    outfile: 'app.js',
    sourcemap: 'inline',
    legalComments: 'none',
    logLevel: 'silent',
  });
  const script = result.outputFiles[0]?.text;
  if (script === undefined) throw new Error('esbuild produced no page script');
  const read = (name: string): string => readFileSync(PUBLIC + name, 'utf8');
  return new Map([
    ['/', { type: 'text/html; charset=utf-8', body: read('index.html') }],
    ['/style.css', { type: 'text/css; charset=utf-8', body: read('style.css') }],
    ['/app.js', { type: 'text/javascript; charset=utf-8', body: script }],
  ]);
}
