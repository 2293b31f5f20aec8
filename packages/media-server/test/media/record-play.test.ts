/**
 * The recorder and player media cores with real files: ffmpeg makes the fixtures, our player
 * turns them into RTP, our recorder writes that RTP into new files, and ffprobe/ffmpeg judge
 * them (codecs, duration, every frame decodes, A/V offset).
 */
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { RecordingProfileError } from '../../src/media/profiles.js';
import { RecordingSink, type RecordingSinkEvents } from '../../src/media/RecordingSink.js';
import { MediaFileSource } from '../../src/media/MediaFileSource.js';
import { codecsOf, decode, FIXTURE_SECONDS, makeFixture, packetTimes, playInto, probe } from './mediaTools.js';

const dir = mkdtempSync(join(tmpdir(), 'kts-media-'));
const fixtures: Record<string, string> = {};
before(async () => {
  for (const name of ['vp8-opus.webm', 'vp9-opus.webm', 'h264-aac.mp4', 'h264-opus.mp4']) fixtures[name] = await makeFixture(dir, name);
});
after(() => rmSync(dir, { recursive: true, force: true }));

/** Events that record what happened. */
function recorderEvents(): RecordingSinkEvents & { warnings: string[]; errors: Error[]; keyframeRequests: number } {
  const log = { warnings: [] as string[], errors: [] as Error[], keyframeRequests: 0 };
  return Object.assign(log, {
    keyframeNeeded: () => void log.keyframeRequests++,
    warning: (m: string) => void log.warnings.push(m),
    error: (e: Error) => void log.errors.push(e),
  });
}

async function codecsOfFile(path: string): Promise<Awaited<ReturnType<typeof MediaFileSource.open>>['sentTracks']> {
  const player = await MediaFileSource.open({ kind: 'file', path }, { rtp: () => undefined, endOfStream: () => undefined, error: () => undefined });
  player.close();
  return player.sentTracks;
}

const codecMap = async (path: string) => Object.fromEntries((await codecsOfFile(path)).map((t) => [t.kind, t.codec]));

/** Starts of the audio and video streams of a file, s. */
const starts = (p: Awaited<ReturnType<typeof probe>>): { audio: number; video: number } => ({
  audio: Number(p.streams.find((s) => s.codec_type === 'audio')?.start_time ?? NaN),
  video: Number(p.streams.find((s) => s.codec_type === 'video')?.start_time ?? NaN),
});

test('every profile family: player RTP recorded again without transcoding; ffprobe finds the codecs and the duration, every frame decodes, A/V in sync', async () => {
  const cases = [
    { from: 'vp8-opus.webm', profile: 'WEBM', file: 'rec.webm', codecs: ['opus', 'vp8'] },
    { from: 'vp9-opus.webm', profile: 'WEBM', file: 'rec-vp9.webm', codecs: ['opus', 'vp9'] },
    { from: 'h264-opus.mp4', profile: 'MP4', file: 'rec.mp4', codecs: ['h264', 'opus'] },
    { from: 'h264-opus.mp4', profile: 'MKV', file: 'rec.mkv', codecs: ['h264', 'opus'] },
    { from: 'vp8-opus.webm', profile: 'WEBM_AUDIO_ONLY', file: 'audio.webm', codecs: ['opus'] },
    { from: 'vp8-opus.webm', profile: 'MKV_VIDEO_ONLY', file: 'video.mkv', codecs: ['vp8'] },
    { from: 'h264-aac.mp4', profile: 'MP4_VIDEO_ONLY', file: 'video.mp4', codecs: ['h264'] },
    { from: 'h264-opus.mp4', profile: 'MP4_AUDIO_ONLY', file: 'audio.mp4', codecs: ['opus'] },
  ];
  // All at once: playback is real time, and seven recordings of a few Mbit/s are light work.
  const results = await Promise.all(
    cases.map(async (c) => {
      const events = recorderEvents();
      const path = join(dir, c.file);
      const sink = new RecordingSink({ target: { kind: 'file', path }, profile: c.profile, codecs: await codecMap(fixtures[c.from] ?? ''), events });
      await playInto({ kind: 'file', path: fixtures[c.from] ?? '' }, sink);
      const result = await sink.stop();
      return { c, path, events, result };
    }),
  );
  for (const { c, path, events, result } of results) {
    assert.deepEqual(events.errors, [], `${c.profile}: no error`);
    assert.ok(result.written && result.finalized, `${c.profile}: written and finalized`);
    const p = await probe(path);
    assert.deepEqual(codecsOf(p), c.codecs, `${c.profile}: codecs`);
    assert.ok(Math.abs(p.duration - FIXTURE_SECONDS) < 0.5, `${c.profile}: duration ${p.duration} s within 0.5 s of ${FIXTURE_SECONDS}`);
    const decoded = await decode(path);
    assert.equal(decoded.errors, '', `${c.profile}: ffmpeg decodes without errors`);
    if (c.codecs.length === 2) {
      const s = starts(p);
      assert.ok(Math.abs(s.audio - s.video) < 0.1, `${c.profile}: A/V offset ${Math.abs(s.audio - s.video)} s`);
    }
    if (c.codecs.some((k) => k === 'vp8' || k === 'vp9' || k === 'h264')) assert.ok(decoded.videoFrames >= FIXTURE_SECONDS * 30 - 3, `${c.profile}: ${decoded.videoFrames} video frames`);
  }
});

test('lip sync comes from the sender reports: audio arriving 300 ms late is still written in sync', async () => {
  const path = join(dir, 'skewed.webm');
  const sink = new RecordingSink({ target: { kind: 'file', path }, profile: 'WEBM', codecs: await codecMap(fixtures['vp8-opus.webm'] ?? ''), events: recorderEvents() });
  await playInto({ kind: 'file', path: fixtures['vp8-opus.webm'] ?? '' }, sink, { audioDelayMs: 300 });
  await sink.stop();
  // The source's audio and video both start at 0 and end together. Before the first report,
  // arrival time rules (audio 300 ms late); the reports then pull audio onto video's timeline.
  const audio = await packetTimes(path, 'a');
  const video = await packetTimes(path, 'v');
  const [lastAudio, lastVideo] = [Math.max(...audio), Math.max(...video)];
  assert.ok(Math.abs(lastVideo - lastAudio) < 0.1, `end of audio ${lastAudio} s vs video ${lastVideo} s`);
});

test('a profile whose codec the source lacks is refused before any file exists', async () => {
  const path = join(dir, 'refused.webm');
  const codecs = await codecMap(fixtures['h264-opus.mp4'] ?? '');
  assert.throws(() => new RecordingSink({ target: { kind: 'file', path }, profile: 'WEBM', codecs, events: recorderEvents() }), (e: unknown) => e instanceof RecordingProfileError && /WEBM cannot hold video H264\/90000/.test(e.message));
  assert.throws(() => new RecordingSink({ target: { kind: 'file', path }, profile: 'FLV', codecs, events: recorderEvents() }), /media profile FLV is not supported/);
  assert.throws(() => new RecordingSink({ target: { kind: 'file', path }, profile: 'WEBM_AUDIO_ONLY', codecs: { video: codecs['video'] }, events: recorderEvents() }), /has no audio stream/);
  assert.ok(!existsSync(path));
  // A recording stopped before any media arrived makes no file and says so.
  const idle = new RecordingSink({ target: { kind: 'file', path }, profile: 'MP4', codecs, events: recorderEvents() });
  assert.deepEqual(await idle.stop(), { written: false, frames: { audio: 0, video: 0 }, durationMs: 0, dropped: 0, peakQueuedBytes: 0, finalized: false });
  assert.ok(!existsSync(path));
});
