/**
 * Writes `src/generated/exports.ts`: one named export per remote class (the proxy class and its
 * type) and per complex type of the schema, so that the client's export list follows the schema.
 * `npm run codegen` runs it; test/generated.test.ts fails when the file is out of date.
 */
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { complexTypes, enums, remoteClasses } from '@kurento-ts/protocol';

/** Where the generated file lives. */
export const EXPORTS_FILE = fileURLToPath(new URL('../src/generated/exports.ts', import.meta.url));

/** The generated file's text for the schema as it is now. */
export function exportsSource(): string {
  const lines = [
    '// Generated from the schema by packages/client/scripts/exports.ts (npm run codegen): do not edit.',
    "import { proxyClasses } from '../objects/proxyClasses.js';",
    "import type { ComplexValue, EnumValue, RemoteObject } from '../types.js';",
    '',
    '// Remote classes: each export is the proxy class (for instanceof) and the type of its proxies.',
  ];
  for (const name of Object.keys(remoteClasses)) {
    lines.push(`export const ${name} = proxyClasses.${name};`, `export type ${name} = RemoteObject<'${name}'>;`);
  }
  lines.push('', '// Complex values as the client returns them (and, minus `readonly`, as it takes them).');
  for (const name of Object.keys(complexTypes)) lines.push(`export type ${name} = ComplexValue<'${name}'>;`);
  lines.push('', '// Enums: the values each takes.');
  for (const name of Object.keys(enums)) lines.push(`export type ${name} = EnumValue<'${name}'>;`);
  return `${lines.join('\n')}\n`;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  writeFileSync(EXPORTS_FILE, exportsSource());
  process.stdout.write(`wrote ${EXPORTS_FILE}\n`);
}
