import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { ErrorCode, errorName } from '../src/index.js';

const doc = readFileSync(new URL('../../../docs/errors.md', import.meta.url), 'utf8');

test('every error code is documented in docs/errors.md with its name', () => {
  for (const [name, code] of Object.entries(ErrorCode)) {
    assert.match(doc, new RegExp(`^\\| ${code} \\| ${name} \\|`, 'm'), `${code} ${name} missing from docs/errors.md`);
  }
});

test('codes map back to their names', () => {
  assert.equal(errorName(40101), 'MEDIA_OBJECT_NOT_FOUND');
  assert.equal(errorName(12345), undefined);
});
