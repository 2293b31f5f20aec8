/**
 * The recorder's media core: per-kind RTP in, a WebM, MKV or MP4 file (or HTTP upload) out,
 * without transcoding. An element holds one and calls `pushRtp` from its packet path,
 * `setClockMapping` when a sender report arrives, and pause / resume / stop from its control
 * path. Frames go through a bounded queue to one asynchronous writer loop, so the packet path
 * never waits for the disk; when the queue is full, frames are dropped (video until the next
 * key frame) and reported.
 *
 * Tracks: the file gets a track for each kind that sends a frame within `trackWaitMs` of the
 * first one (a kind that never arrives does not hold the others back, unlike Kurento); a kind
 * that stops sending while another goes on gets Opus DTX frames (audio), so the interleaving
 * muxer keeps writing.
 */
import { EncodedAudioPacketSource, EncodedPacket, EncodedVideoPacketSource, Output, StreamTarget } from 'mediabunny';
import { codecName } from '../rtp/codecs.js';
import type { ClockMapping, MediaKind, RtpCodec } from '../types/media.js';
import { avcDecoderConfigurationRecord, h264CodecString, parseH264Sps } from './bitstream/h264.js';
import { vp8KeyframeSize, vp9CodecString, vp9KeyframeInfo } from './bitstream/vpx.js';
import { finalizeRecording, liveFormat } from './containers.js';
import { opusPacketSeconds } from './bitstream/opus.js';
import { MediaTimeline } from './MediaTimeline.js';
import { checkProfile, type ProfileSpec } from './profiles.js';
import { fileWritable, httpUploadWritable } from './RecordingTargets.js';
import { RtpFrameReader, type StreamFrame } from './RtpFrameReader.js';
import type { FileOrHttpUri } from './uris.js';

/** What a recording sink tells its element. */
export interface RecordingSinkEvents {
  /** Video needs a key frame from the source (route it upstream as a PLI). */
  keyframeNeeded(): void;
  /** The file exists and these tracks are being written. */
  started?(kinds: readonly MediaKind[]): void;
  /** Something the user should know that did not stop the recording (a kind that never came, frames dropped). */
  warning?(message: string): void;
  /** The recording failed (target unwritable, upload refused, muxer error); nothing more is written. */
  error(error: Error): void;
}

/** How a recording sink is set up. */
export interface RecordingSinkOptions {
  /** Where to write (from MediaUriPolicy.resolve). */
  readonly target: FileOrHttpUri;
  /** A Kurento MediaProfileSpecType name: WEBM, MP4_AUDIO_ONLY... */
  readonly profile: string;
  /** The codecs of the connected source, per kind. */
  readonly codecs: Partial<Record<MediaKind, RtpCodec>>;
  readonly events: RecordingSinkEvents;
  /** How long after the first frame the other kinds may still join the file, in ms. */
  readonly trackWaitMs?: number;
  /** Frame bytes queued for the writer at most; beyond, frames are dropped. */
  readonly maxQueueBytes?: number;
  /** Audio silent this long (media time) while video goes on is filled with DTX, in ms. */
  readonly audioGapFillMs?: number;
}

/** What a finished recording holds. */
export interface RecordingResult {
  /** Whether any media was written (false: no frame arrived, no file was made). */
  readonly written: boolean;
  /** Frames written per kind. */
  readonly frames: Readonly<Record<MediaKind, number>>;
  /** Media duration written, in ms. */
  readonly durationMs: number;
  /** Frames dropped because the writer fell behind. */
  readonly dropped: number;
  /** The most frame bytes that waited for the writer at once (at most maxQueueBytes). */
  readonly peakQueuedBytes: number;
  /** Whether a file recording was made seekable with its duration (false for uploads, or if that pass failed). */
  readonly finalized: boolean;
}

/** A sink's state. */
export type RecordingState = 'recording' | 'paused' | 'stopping' | 'stopped' | 'failed';

/** A frame waiting for the writer, on the recording's timeline. */
interface QueuedFrame {
  readonly kind: MediaKind;
  readonly data: Uint8Array;
  readonly keyframe: boolean;
  /** Seconds from the start of the recording. */
  timestamp: number;
}

/** The writer's side of one track. */
interface TrackWriter {
  readonly source: EncodedVideoPacketSource | EncodedAudioPacketSource;
  /** The frame held back until the next one gives it a duration. */
  held: QueuedFrame | undefined;
  /** Timestamp of the last frame handed to the muxer, s. */
  lastTimestamp: number;
  /** How much audio the last frame held, s (audio frames may not overlap). */
  lastDuration: number;
  /** Frames written. */
  frames: number;
  /** Whether the first packet (with the decoder config) went in. */
  configured: boolean;
}

const DTX_FRAME_SECONDS = 0.02;
const MIN_STEP_SECONDS = 0.001;
/** How often an MP4 recording wants a video key frame, so that fragments stay about this long (ms). */
const FRAGMENT_KEYFRAME_MS = 2000;
/** How far an audio frame may start inside the last one's samples before it is dropped, s. */
const AUDIO_SLACK_SECONDS = 0.005;
const DEFAULT_FRAME_SECONDS: Readonly<Record<MediaKind, number>> = { audio: 0.02, video: 1 / 30 };

/** Writes one recording; see the module comment. */
export class RecordingSink {
  readonly #spec: ProfileSpec;
  readonly #options: RecordingSinkOptions;
  readonly #readers = new Map<MediaKind, RtpFrameReader>();
  readonly #timeline: MediaTimeline;
  readonly #queue: QueuedFrame[] = [];
  readonly #tracks = new Map<MediaKind, TrackWriter>();
  #queueBytes = 0;
  #peakQueueBytes = 0;
  #state: RecordingState = 'recording';
  /** Local ms of the recording's time zero; undefined until the file starts. */
  #originMs: number | undefined;
  /** Arrival time of the first frame of any kind. */
  #firstArrivalMs: number | undefined;
  /** Time taken out by pauses, ms. */
  #pausedMs = 0;
  /** Local time of the latest frame seen, ms. */
  #latestLocalMs = 0;
  /** Set on resume: the next frame closes the gap. */
  #resumeFrom: number | undefined;
  #output: Output | undefined;
  /** The muxer's start, while it runs. */
  #starting: Promise<void> | undefined;
  /** Whether the muxer started and takes packets. */
  #started = false;
  /** The writer loop while it runs. */
  #pump: Promise<void> | undefined;
  #pumping = false;
  #dropped = 0;
  #lastDropReportMs = -Infinity;
  /** When the last video key frame arrived, and when we last asked for one (fragmented MP4). */
  #lastKeyframeMs = -Infinity;
  #lastKeyframeAskMs = -Infinity;
  /** Last local time an audio frame arrived (for DTX fill). */
  #lastAudioArrivalMs = -Infinity;

  /** Checks the profile against the codecs; throws RecordingProfileError before anything is created. */
  constructor(options: RecordingSinkOptions) {
    this.#spec = checkProfile(options.profile, options.codecs);
    this.#options = options;
    this.#timeline = new MediaTimeline(this.#spec.kinds.includes('video') && options.codecs.video ? 'video' : 'audio');
    for (const kind of this.#spec.kinds) {
      const codec = options.codecs[kind];
      if (!codec) continue;
      this.#readers.set(kind, new RtpFrameReader(kind, codec, {
        frame: (frame) => this.#onFrame(kind, frame),
        keyframeNeeded: () => options.events.keyframeNeeded(),
      }));
    }
  }

  /** recording, paused, stopping, stopped or failed. */
  get state(): RecordingState {
    return this.#state;
  }

  /** The kinds this sink takes RTP of. */
  get kinds(): readonly MediaKind[] {
    return [...this.#readers.keys()];
  }

  /** One RTP packet of `kind` (not kept). Ignored after stop and for kinds the profile does not record. */
  pushRtp(kind: MediaKind, packet: Buffer, nowMs: number = performance.now()): void {
    if (this.#state !== 'recording' && this.#state !== 'paused') return;
    this.#readers.get(kind)?.push(packet, nowMs);
  }

  /** A sender report of the `kind` stream (its RTP ↔ NTP mapping), for lip sync. */
  setClockMapping(kind: MediaKind, mapping: ClockMapping): void {
    this.#timeline.setClockMapping(kind, mapping);
  }

  /** Stops writing media; the paused time does not appear in the file. */
  pause(): void {
    if (this.#state === 'recording') this.#state = 'paused';
  }

  /** Writes media again, from the next video key frame. */
  resume(): void {
    if (this.#state !== 'paused') return;
    this.#state = 'recording';
    this.#resumeFrom = this.#latestLocalMs;
    this.#readers.get('video')?.requireKeyframe();
  }

  /** Writes what is queued, closes the file (seekable, with its duration) or the upload. */
  async stop(): Promise<RecordingResult> {
    if (this.#state === 'recording' || this.#state === 'paused') {
      this.#state = 'stopping';
      for (const reader of this.#readers.values()) reader.flush();
      if (this.#output === undefined && this.#queue.length > 0) this.#begin();
      await this.#drain();
      let finalized = false;
      if (this.#output && this.#state === 'stopping') finalized = await this.#finish();
      if (this.#state === 'stopping') this.#state = 'stopped';
      return this.#result(finalized);
    }
    await this.#drain();
    return this.#result(false);
  }

  /**
   * A fragmented MP4 can only cut a fragment at a video key frame, and what is not in a finished
   * fragment is lost in a crash: browsers send key frames only when asked, so ask every
   * FRAGMENT_KEYFRAME_MS while recording MP4 (Matroska clusters need no key frame).
   */
  #keepFragmentsShort(frame: StreamFrame): void {
    if (this.#spec.container !== 'mp4') return;
    if (frame.keyframe) {
      this.#lastKeyframeMs = frame.arrivalMs;
      return;
    }
    if (frame.arrivalMs - this.#lastKeyframeMs >= FRAGMENT_KEYFRAME_MS && frame.arrivalMs - this.#lastKeyframeAskMs >= FRAGMENT_KEYFRAME_MS / 2) {
      this.#lastKeyframeAskMs = frame.arrivalMs;
      this.#options.events.keyframeNeeded();
    }
  }

  #result(finalized: boolean): RecordingResult {
    const frames = { audio: this.#tracks.get('audio')?.frames ?? 0, video: this.#tracks.get('video')?.frames ?? 0 };
    const end = Math.max(...[...this.#tracks.values()].map((t) => t.lastTimestamp), 0);
    return { written: frames.audio + frames.video > 0, frames, durationMs: Math.round(end * 1000), dropped: this.#dropped, peakQueuedBytes: this.#peakQueueBytes, finalized };
  }

  #onFrame(kind: MediaKind, frame: StreamFrame): void {
    if (kind === 'video') this.#keepFragmentsShort(frame);
    const clockRate = this.#readers.get(kind)?.codec.clockRate ?? 90000;
    const localMs = this.#timeline.localTime(kind, frame.ssrc, frame.rtpTimestamp, clockRate, frame.arrivalMs);
    if (this.#state !== 'recording') return;
    if (this.#resumeFrom !== undefined) {
      // The first frame after the pause follows the last one before it by one audio frame.
      this.#pausedMs += Math.max(0, localMs - this.#resumeFrom - DEFAULT_FRAME_SECONDS.audio * 1000);
      this.#resumeFrom = undefined;
    }
    this.#latestLocalMs = Math.max(this.#latestLocalMs, localMs);
    if (kind === 'audio') this.#lastAudioArrivalMs = frame.arrivalMs;
    this.#firstArrivalMs ??= frame.arrivalMs;
    if (this.#output !== undefined && !this.#tracks.has(kind)) return; // a kind that came too late for the file
    if (this.#queueBytes + frame.data.length > (this.#options.maxQueueBytes ?? 16 * 1024 * 1024)) return this.#drop(kind);
    const ms = localMs - this.#pausedMs;
    this.#queue.push({ kind, data: frame.data, keyframe: frame.keyframe, timestamp: this.#originMs === undefined ? ms : (ms - this.#originMs) / 1000 });
    this.#queueBytes += frame.data.length;
    this.#peakQueueBytes = Math.max(this.#peakQueueBytes, this.#queueBytes);
    if (this.#output === undefined) {
      const waited = frame.arrivalMs - this.#firstArrivalMs >= (this.#options.trackWaitMs ?? 2000);
      const all = [...this.#readers.keys()].every((k) => this.#queue.some((f) => f.kind === k));
      if (all || waited) this.#begin();
      return;
    }
    this.#kick();
  }

  /** Starts the writer loop unless it runs; it looks at the queue again when it ends. */
  #kick(): void {
    if (this.#pumping || !this.#started || this.#state === 'failed') return;
    this.#pumping = true;
    this.#pump = this.#writeQueued().finally(() => {
      this.#pumping = false;
      if (this.#queue.length > 0) this.#kick();
    });
  }

  #drop(kind: MediaKind): void {
    this.#dropped++;
    if (kind === 'video') this.#readers.get('video')?.requireKeyframe();
    const now = performance.now();
    if (now - this.#lastDropReportMs >= 1000) {
      this.#lastDropReportMs = now;
      this.#options.events.warning?.(`the recording target is slower than the media: ${this.#dropped} frames dropped so far`);
    }
  }

  /** Creates the output with a track for each kind queued so far; later kinds are left out. */
  #begin(): void {
    const kinds = [...this.#readers.keys()].filter((k) => this.#queue.some((f) => f.kind === k));
    for (const kind of this.#readers.keys()) {
      if (!kinds.includes(kind)) this.#options.events.warning?.(`no ${kind} arrived within ${this.#options.trackWaitMs ?? 2000} ms of the first frame: the recording has no ${kind} track`);
    }
    this.#originMs = Math.min(...this.#queue.map((f) => f.timestamp));
    for (const f of this.#queue) f.timestamp = (f.timestamp - this.#originMs) / 1000;
    const output = new Output({ format: liveFormat(this.#spec.container), target: new StreamTarget(this.#writable()) });
    for (const kind of kinds) {
      const codec = this.#readers.get(kind)?.codec;
      if (!codec) continue;
      const source = kind === 'video' ? new EncodedVideoPacketSource(videoCodecOf(codec)) : new EncodedAudioPacketSource('opus');
      if (source instanceof EncodedVideoPacketSource) output.addVideoTrack(source);
      else output.addAudioTrack(source);
      this.#tracks.set(kind, { source, held: undefined, lastTimestamp: 0, lastDuration: 0, frames: 0, configured: false });
    }
    this.#output = output;
    this.#starting = output.start().then(
      () => {
        this.#started = true;
        this.#options.events.started?.(kinds);
        this.#kick();
      },
      (e: unknown) => this.#fail(e),
    );
  }

  #writable(): WritableStream {
    const { target } = this.#options;
    if (target.kind === 'http') return httpUploadWritable(target.url, this.#spec.mimeType);
    // The file opens on the first write, so an unwritable path fails the recording as an error event.
    let file: Promise<WritableStreamDefaultWriter> | undefined;
    const writer = (): Promise<WritableStreamDefaultWriter> => (file ??= fileWritable(target.path).then((w) => w.getWriter()));
    return new WritableStream({
      write: async (chunk) => (await writer()).write(chunk),
      close: async () => (await writer()).close(),
      abort: async (reason) => (await writer()).abort(reason),
    });
  }

  /** The writer loop: hands queued frames to the muxer one at a time, awaiting its backpressure. */
  async #writeQueued(): Promise<void> {
    try {
      for (let frame = this.#queue.shift(); frame; frame = this.#queue.shift()) {
        this.#queueBytes -= frame.data.length;
        await this.#write(frame);
        if (this.#state === 'failed') return;
      }
    } catch (e) {
      this.#fail(e);
    }
  }

  async #write(frame: QueuedFrame): Promise<void> {
    const track = this.#tracks.get(frame.kind);
    if (!track) return;
    if (frame.kind === 'video') await this.#fillAudioGap(frame.timestamp);
    // Timestamps are whole milliseconds, Matroska's resolution (quantized here, so the muxer's own
    // rounding cannot put two frames on one tick), and increase by at least one (a sender-report
    // correction can pull a frame back onto or before the previous one).
    frame.timestamp = Math.round(frame.timestamp / MIN_STEP_SECONDS) * MIN_STEP_SECONDS;
    const started = track.frames > 0 || track.held !== undefined;
    if (frame.kind === 'audio' && started) {
      // Audio is one run of samples: a frame that would overlap the last one's samples by more
      // than a few ms is dropped (a correction pulled it back), a small overlap is moved after it.
      const next = track.lastTimestamp + track.lastDuration;
      if (frame.timestamp < next - AUDIO_SLACK_SECONDS) return;
      if (frame.timestamp < next) frame.timestamp = Math.round(next / MIN_STEP_SECONDS) * MIN_STEP_SECONDS;
    } else if (started && frame.timestamp < track.lastTimestamp + MIN_STEP_SECONDS - 1e-9) {
      frame.timestamp = track.lastTimestamp + MIN_STEP_SECONDS;
    }
    const held = track.held;
    track.held = frame;
    track.lastTimestamp = frame.timestamp;
    track.lastDuration = frame.kind === 'audio' ? opusPacketSeconds(frame.data) : 0;
    if (held) await this.#add(track, held, frame.timestamp - held.timestamp);
  }

  /** Opus DTX (a one-byte packet: a 20 ms frame of silence, RFC 6716 §3.2.1) where audio went quiet. */
  async #fillAudioGap(videoTimestamp: number): Promise<void> {
    const audio = this.#tracks.get('audio');
    const gap = (this.#options.audioGapFillMs ?? 500) / 1000;
    if (!audio?.held || videoTimestamp - audio.lastTimestamp < gap || this.#queue.some((f) => f.kind === 'audio')) return;
    if (performance.now() - this.#lastAudioArrivalMs < gap * 1000) return;
    const toc = ((audio.held.data[0] ?? 0) & 0x04) | 0xf8; // CELT fullband 20 ms, one frame; the stream's stereo bit
    const dtx = Uint8Array.of(toc);
    while (audio.lastTimestamp + DTX_FRAME_SECONDS < videoTimestamp - DTX_FRAME_SECONDS) {
      await this.#write({ kind: 'audio', data: dtx, keyframe: true, timestamp: audio.lastTimestamp + DTX_FRAME_SECONDS });
    }
  }

  async #add(track: TrackWriter, frame: QueuedFrame, duration: number): Promise<void> {
    const packet = new EncodedPacket(frame.data, frame.keyframe ? 'key' : 'delta', frame.timestamp, Math.max(duration, 0.001));
    if (track.source instanceof EncodedVideoPacketSource) {
      const meta = track.configured ? undefined : { decoderConfig: this.#videoConfig(frame) };
      await track.source.add(packet, meta);
    } else {
      const codec = this.#readers.get('audio')?.codec;
      const meta = track.configured ? undefined : { decoderConfig: { codec: 'opus', numberOfChannels: codec?.channels ?? 2, sampleRate: codec?.clockRate ?? 48000 } };
      await track.source.add(packet, meta);
    }
    track.configured = true;
    track.frames++;
  }

  /** The decoder config of the first video frame (a key frame: the reader starts with one). */
  #videoConfig(frame: QueuedFrame): VideoDecoderConfig {
    const reader = this.#readers.get('video');
    const name = reader ? codecName(reader.codec) : '';
    if (name === 'VP8') {
      const size = vp8KeyframeSize(frame.data);
      if (!size) throw new Error('the first VP8 frame is not a readable key frame');
      return { codec: 'vp8', codedWidth: size.width, codedHeight: size.height };
    }
    if (name === 'VP9') {
      const info = vp9KeyframeInfo(frame.data);
      if (!info) throw new Error('the first VP9 frame is not a readable key frame');
      return { codec: vp9CodecString(info), codedWidth: info.width, codedHeight: info.height };
    }
    const { sps, pps } = reader?.h264ParameterSets ?? {};
    if (!sps || !pps) throw new Error('the H.264 source sent no SPS/PPS before its first key frame');
    const info = parseH264Sps(sps);
    return { codec: h264CodecString(info), codedWidth: info.width, codedHeight: info.height, description: avcDecoderConfigurationRecord(sps, pps) };
  }

  /** Writes the held-back frames, finalizes the muxer, then makes a file seekable. */
  async #finish(): Promise<boolean> {
    const output = this.#output;
    if (!output) return false;
    try {
      for (const [kind, track] of this.#tracks) {
        if (track.held) await this.#add(track, track.held, DEFAULT_FRAME_SECONDS[kind]);
        track.held = undefined;
      }
      await output.finalize();
    } catch (e) {
      this.#fail(e);
      return false;
    }
    const { target } = this.#options;
    return target.kind === 'file' ? finalizeRecording(target.path, this.#spec.container) : false;
  }

  async #drain(): Promise<void> {
    await this.#starting;
    while (this.#pumping) await this.#pump;
  }

  #fail(e: unknown): void {
    if (this.#state === 'failed') return;
    this.#state = 'failed';
    this.#queue.length = 0;
    this.#queueBytes = 0;
    void this.#output?.cancel().catch(() => undefined);
    this.#options.events.error(e instanceof Error ? e : new Error(String(e)));
  }
}

/** mediabunny's name of a video codec the profiles allow. */
function videoCodecOf(codec: RtpCodec): 'vp8' | 'vp9' | 'avc' {
  const name = codecName(codec);
  return name === 'VP8' ? 'vp8' : name === 'VP9' ? 'vp9' : 'avc';
}
