import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { loadConfig } from '../../src/config/config.js';
import { MediaUriError, MediaUriPolicy, type MediaUriRule } from '../../src/media/uris.js';

const base = mkdtempSync(join(tmpdir(), 'kts-uris-'));
const root = join(base, 'root');
const second = join(base, 'second');
const outside = join(base, 'outside');
for (const dir of [root, second, outside]) mkdirSync(dir);
writeFileSync(join(outside, 'secret.webm'), 'x');
symlinkSync(outside, join(root, 'link-out'));
symlinkSync(join(outside, 'secret.webm'), join(root, 'file-link.webm'));
mkdirSync(join(root, 'sub'));
after(() => rmSync(base, { recursive: true, force: true }));

const policy = new MediaUriPolicy({ mediaRoots: [root, second], httpAllowList: [] });

function refused(uri: string, rule: MediaUriRule, p: MediaUriPolicy = policy): void {
  assert.throws(() => p.resolve(uri), (e: unknown) => e instanceof MediaUriError && e.rule === rule && e.message.length > 20, `${uri} refused by ${rule}`);
}

test('file URIs inside a root resolve to their real path; relative ones to the first root', () => {
  assert.deepEqual(policy.resolve(`file://${root}/a.webm`), { kind: 'file', path: join(root, 'a.webm') });
  assert.deepEqual(policy.resolve(`file://${second}/new/dir/b.mp4`), { kind: 'file', path: join(second, 'new/dir/b.mp4') });
  assert.deepEqual(policy.resolve('rec.webm'), { kind: 'file', path: join(root, 'rec.webm') });
  assert.deepEqual(policy.resolve('file://sub/rec.webm'), { kind: 'file', path: join(root, 'sub/rec.webm') });
  assert.deepEqual(policy.resolve(`file://${root}/with%20space.webm`), { kind: 'file', path: join(root, 'with space.webm') });
});

test('outside the roots, .. and symlinks that lead out are refused, naming the rule', () => {
  refused('file:///etc/passwd', 'outside-roots');
  refused(`file://${root}/../outside/secret.webm`, 'outside-roots');
  refused('../outside/secret.webm', 'outside-roots');
  refused(`file://${root}/link-out/secret.webm`, 'symlink-out');
  refused(`file://${root}/link-out/new-file.webm`, 'symlink-out'); // a file to be created behind a symlinked directory
  refused(`file://${root}/file-link.webm`, 'symlink-out');
  refused('rtmp://camera/stream', 'scheme');
  refused('javascript:alert(1)', 'scheme');
  refused(`file://${root}/a%00b.webm`, 'syntax');
  refused('a.webm', 'no-roots', new MediaUriPolicy({ mediaRoots: [], httpAllowList: [] }));
  const err = (() => { try { policy.resolve('file:///etc/passwd'); } catch (e) { return e as Error; } return undefined; })();
  assert.match(err?.message ?? '', /outside the media roots .*--media-root/);
});

test('http(s) URIs pass when the allow-list is empty or names their host', () => {
  assert.equal(policy.resolve('http://example.test:8080/a.webm').kind, 'http');
  const limited = new MediaUriPolicy({ mediaRoots: [root], httpAllowList: ['127.0.0.1:8080', 'media.example'] });
  assert.equal(limited.resolve('http://127.0.0.1:8080/a.webm').kind, 'http');
  assert.equal(limited.resolve('https://MEDIA.example/a.mp4').kind, 'http');
  refused('http://127.0.0.1:9090/a.webm', 'not-allowed-host', limited);
  refused('https://evil.example/a.webm', 'not-allowed-host', limited);
  refused('http://[bad', 'syntax', limited);
});

test('rtsp(s) URIs (a player reaching out to a camera) obey the same allow-list', () => {
  assert.deepEqual(policy.resolve('rtsp://user:pw@camera.example:8554/live'), { kind: 'rtsp', url: new URL('rtsp://user:pw@camera.example:8554/live') });
  assert.equal(policy.resolve('RTSPS://camera.example/live').kind, 'rtsp');
  const limited = new MediaUriPolicy({ mediaRoots: [root], httpAllowList: ['127.0.0.1:8554'] });
  assert.equal(limited.resolve('rtsp://127.0.0.1:8554/test').kind, 'rtsp');
  refused('rtsp://127.0.0.1:9554/test', 'not-allowed-host', limited);
  refused('rtsp://evil.example/test', 'not-allowed-host', limited);
  refused('rtsp:///no-host', 'syntax');
});

test('configuration: --media-root, KURENTO_MEDIA_ROOT, --http-allow-list; the temp directory by default', () => {
  assert.deepEqual(loadConfig([], {}).config.mediaRoots, [tmpdir()]);
  assert.deepEqual(loadConfig(['--media-root', `${root},${second}`], {}).config.mediaRoots, [root, second]);
  assert.deepEqual(loadConfig([], { KURENTO_MEDIA_ROOT: root }).config.mediaRoots, [root]);
  assert.deepEqual(loadConfig(['--http-allow-list=a.example,b.example:81'], {}).config.httpAllowList, ['a.example', 'b.example:81']);
  assert.throws(() => loadConfig(['--media-root', join(base, 'nowhere')], {}), /--media-root: .*nowhere is not a directory/);
});
