/** The server's layers point one way (docs/architecture.md): no folder imports a higher one. */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, resolve, sep } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

const SRC = fileURLToPath(new URL('../../src/', import.meta.url));

/** Each folder's rank: a folder may import its own and lower-ranked folders only. Equal ranks do not import each other. */
const RANKS: Record<string, number> = {
  types: 0, support: 0,
  config: 1,
  rtp: 2, limits: 2,
  graph: 3, webrtc: 3, plainrtp: 3, media: 3, processing: 3,
  objects: 4,
  registry: 5,
  hosts: 6,
  rpc: 7,
  observe: 8,
  '.': 9,
};

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? files(path) : name.endsWith('.ts') ? [path] : [];
  });
}

const folderOf = (path: string): string => {
  const parts = relative(SRC, path).split(sep);
  return parts.length > 1 ? (parts[0] ?? '.') : '.';
};

test('every import of the server goes to its own folder or a lower layer', () => {
  const wrong: string[] = [];
  for (const file of files(SRC)) {
    const from = folderOf(file);
    for (const [, spec] of readFileSync(file, 'utf8').matchAll(/^(?:import|export)\b[^'"]*from '(\.[^']+)'/gm)) {
      const to = folderOf(resolve(file, '..', spec ?? ''));
      const [a, b] = [RANKS[from], RANKS[to]];
      assert.ok(a !== undefined && b !== undefined, `${relative(SRC, file)}: folder without a rank (${from} or ${to})`);
      if (to !== from && b >= a) wrong.push(`${relative(SRC, file)} imports ${spec} (${from} → ${to})`);
    }
  }
  assert.deepEqual(wrong, []);
});
