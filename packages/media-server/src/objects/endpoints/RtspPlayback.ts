/**
 * What a PlayerEndpoint plays from an `rtsp://` or `rtsps://` URL: a live camera, through the
 * processing backend's RtspSourceUnit (GStreamer's rtspsrc in a process of its own, frames passed
 * on as typed RTP, nothing decoded). One RTSP session per play after a stop:
 *
 * - play: connects (DESCRIBE, SETUP, PLAY); each stream becomes a track once it flows. A URL
 *   that cannot be played (no server, 404, not RTSP, no stream we pass on) is an `error`.
 * - pause: the session stays up, nothing is sent on; play again resumes with the next key frame
 *   (a live camera cannot be paused, and cameras often refuse RTSP PAUSE).
 * - stop and close: the unit's process sets its pipeline to NULL, rtspsrc sends TEARDOWN, the
 *   process exits (killed if it does not within 2 s). Play after stop opens a new session.
 * - the server ending the stream is `endOfStream`; the process dying (kill -9) is `error`.
 * Live media does not seek; its position is the time played.
 */
import { keyframeTest, type KeyframeTest } from '../../rtp/keyframes.js';
import { codecName } from '../../rtp/codecs.js';
import { rtpHeaderLength } from '../../rtp/rtpHeader.js';
import type { PlayerTrack, VideoInfo } from '../../media/index.js';
import type { ProcessingBackend, RtspSourceUnit, RtspTrack } from '../../processing/index.js';
import type { ClockMapping, MediaKind } from '../../types/media.js';
import type { PlayedMedia } from './playedTracks.js';

/** What the playback tells its element. */
export interface RtspPlaybackEvents {
  /** One RTP packet of `kind` (valid during the call). */
  rtp(kind: MediaKind, packet: Buffer): void;
  /** A stream's codec became known (a new session, or a stream that started late). */
  tracksChanged(): void;
  /** A stream's sender-report clock. */
  clock(kind: MediaKind, clock: ClockMapping): void;
  /** The server ended the stream. */
  endOfStream(): void;
  /** The URL cannot be played, or the session died; playback stopped. */
  error(error: Error): void;
}

/** A URL as logs and messages may show it: no password. */
export function redactedUrl(url: URL): string {
  if (url.password === '' && url.username === '') return url.href;
  const copy = new URL(url.href);
  copy.username = copy.username === '' ? '' : '***';
  copy.password = '';
  return copy.href;
}

const LIVE: VideoInfo = { isSeekable: false, seekableInit: 0, seekableEnd: 0, duration: 0 };

export class RtspPlayback implements PlayedMedia {
  readonly videoInfo = LIVE;
  #tracks: PlayerTrack[] = [];
  #unit: RtspSourceUnit | undefined;
  /** Payload type → kind of the current session's streams. */
  readonly #kinds = new Map<number, { readonly kind: MediaKind; readonly keyframe: KeyframeTest | undefined }>();
  readonly #clocks: Partial<Record<MediaKind, ClockMapping>> = {};
  #forwarding = false;
  /** After a resume: video waits for the start of a key frame. */
  #videoGated = false;
  /** Ms played before the current stretch; performance.now() when it began. */
  #playedMs = 0;
  #since: number | undefined;
  #closed = false;

  constructor(
    private readonly backend: ProcessingBackend,
    private readonly url: URL,
    /** rtspsrc's jitter-buffer latency (networkCache), ms. */
    private readonly latencyMs: number,
    private readonly events: RtspPlaybackEvents,
  ) {}

  get tracks(): readonly PlayerTrack[] {
    return this.#tracks;
  }

  get position(): number {
    return Math.round(this.#playedMs + (this.#since === undefined ? 0 : performance.now() - this.#since));
  }

  /** The process of the current session (for tests that kill it). */
  get pid(): number | undefined {
    return this.#unit?.pid;
  }

  play(): void {
    if (this.#closed || this.#forwarding) return;
    if (this.#unit === undefined) this.#connect();
    else {
      this.#videoGated = true;
      this.#unit.requestKeyframe();
    }
    this.#forwarding = true;
    this.#since = performance.now();
  }

  pause(): void {
    if (!this.#forwarding) return;
    this.#forwarding = false;
    this.#playedMs = this.position;
    this.#since = undefined;
  }

  stop(): void {
    this.pause();
    this.#playedMs = 0;
    this.#end();
  }

  seek(): Promise<void> {
    return Promise.reject(new RangeError('live RTSP media is not seekable'));
  }

  close(): void {
    this.stop();
    this.#closed = true;
  }

  clockMapping(kind: MediaKind): ClockMapping | undefined {
    return this.#clocks[kind];
  }

  /** A sink wants a key frame: asked of the camera (coalesced by the unit). */
  requestKeyframe(): void {
    this.#unit?.requestKeyframe();
  }

  #connect(): void {
    const unit = this.backend.openRtspSource({ location: this.url.href, latencyMs: this.latencyMs, label: 'RTSP source' });
    this.#unit = unit;
    this.#kinds.clear();
    unit.tracks.add((track) => unit === this.#unit && this.#addTrack(track));
    unit.packets.add((packet) => {
      if (unit === this.#unit && this.#forwarding) this.#send(packet);
    });
    unit.clocks.add(({ kind, clock }) => {
      if (unit !== this.#unit) return;
      this.#clocks[kind] = clock;
      this.events.clock(kind, clock);
    });
    unit.endOfStream.add(() => {
      if (unit !== this.#unit) return;
      this.pause();
      this.#playedMs = 0;
      this.#unit = undefined;
      this.events.endOfStream();
    });
    const lost = (error: Error): void => {
      if (unit !== this.#unit) return;
      this.stop();
      this.events.error(new Error(`cannot play ${redactedUrl(this.url)}: ${error.message}`));
    };
    unit.failed.add(lost);
    unit.started.catch(lost);
  }

  #addTrack(track: RtspTrack): void {
    this.#kinds.set(track.codec.payloadType, { kind: track.kind, keyframe: track.kind === 'video' ? keyframeTest(codecName(track.codec)) : undefined });
    this.#tracks = [...this.#tracks.filter((t) => t.kind !== track.kind), { kind: track.kind, codec: track.codec, sendable: true }];
    this.events.tracksChanged();
  }

  #send(packet: Buffer): void {
    const stream = this.#kinds.get((packet[1] ?? 0) & 0x7f);
    if (stream === undefined) return; // a stream whose codec is not described yet
    if (this.#videoGated && stream.kind === 'video') {
      const header = rtpHeaderLength(packet);
      if (header < 0 || (stream.keyframe !== undefined && !stream.keyframe(packet.subarray(header)))) return;
      this.#videoGated = false;
    }
    this.events.rtp(stream.kind, packet);
  }

  /** Ends the session: TEARDOWN, the process exits. */
  #end(): void {
    const unit = this.#unit;
    this.#unit = undefined;
    void unit?.close();
  }
}
