import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { complexTypes, remoteClasses } from '@kurento-ts/protocol';
import * as client from '../src/index.js';
import { EXPORTS_FILE, exportsSource } from '../scripts/exports.js';

test('the generated export list is the schema’s (run `npm run codegen` after changing the schema)', () => {
  assert.equal(readFileSync(EXPORTS_FILE, 'utf8'), exportsSource());
});

test('every remote class of the schema is exported as its proxy class', () => {
  for (const name of Object.keys(remoteClasses)) {
    const exported = (client as unknown as Record<string, unknown>)[name];
    assert.equal(exported, client.proxyClasses[name as keyof typeof client.proxyClasses], name);
  }
  assert.ok(Object.keys(complexTypes).length > 0);
});
