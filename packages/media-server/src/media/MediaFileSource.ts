/**
 * The player's media core: a WebM, MKV or MP4 file (`file://`) or URL (`http(s)://`, read with
 * HTTP Range requests) read with mediabunny, its frames cut into RTP by our packetizers (VP8,
 * VP9, H.264, Opus) and
 * sent at the pace of the media's own timestamps: one timer per player (the next due packet),
 * not one per packet. An element holds one, gives it its `rtp` callback, and calls play /
 * pause / stop / seek from its control path.
 *
 * RTP timestamps advance with the wall clock across pauses and seeks (each start re-anchors
 * every track at the same instant, and `clockMapping` tells the sender reports), so a receiver's
 * jitter buffer and lip sync see one continuous stream.
 */
import { stat } from 'node:fs/promises';
import { EncodedPacketSink, type EncodedPacket, FilePathSource, Input, MATROSKA, MP4, QTFF, ReadableStreamSource, UrlSource, WEBM } from 'mediabunny';
import type { ClockMapping, MediaKind } from '../types/media.js';
import { type FramePacketizer, RtpHeaderWriter } from './packetize/RtpPacketizer.js';
import { describeTrack, packetizerFor, type PlayerTrack } from './trackCodecs.js';
import type { FileOrHttpUri } from './uris.js';

export type { PlayerTrack } from './trackCodecs.js';

/** Kurento's VideoInfo: whether and where the media seeks, and its duration, in ms. */
export interface VideoInfo {
  readonly isSeekable: boolean;
  readonly seekableInit: number;
  readonly seekableEnd: number;
  readonly duration: number;
}

/** What a player source tells its element. */
export interface MediaFileSourceEvents {
  /** One RTP packet of `kind` (the Buffer is the receiver's). */
  rtp(kind: MediaKind, packet: Buffer): void;
  /** Every track reached its end. */
  endOfStream(): void;
  /** Reading failed during playback (a network error, a damaged file); playback stopped. */
  error(error: Error): void;
}

/** A source that cannot be opened or read; the message says what and where. */
export class MediaSourceError extends Error {
  override readonly name = 'MediaSourceError';
}

/** The player's state. */
export type PlayerState = 'stopped' | 'playing' | 'paused' | 'ended' | 'closed';

/** Packets sent together when due within this much of each other, ms. */
const BATCH_MS = 4;
/** One track being played. */
interface PlayingTrack {
  readonly info: PlayerTrack;
  readonly sink: EncodedPacketSink;
  readonly header: RtpHeaderWriter;
  readonly packetizer: FramePacketizer;
  /** Packets in decode order from the current position. */
  iterator: AsyncGenerator<EncodedPacket, void, unknown> | undefined;
  /** The next packet to send, read ahead; null: the track ended. */
  next: EncodedPacket | null | undefined;
  /** RTP timestamp at the start anchor. */
  rtpAnchor: number;
  /** RTP timestamp of the last packet sent. */
  lastRtp: number;
}

/** Plays one media file or URL as RTP. */
export class MediaFileSource {
  readonly #input: Input;
  readonly #events: MediaFileSourceEvents;
  readonly #playing: PlayingTrack[];
  /** Every track of the file, sendable or not. */
  readonly tracks: readonly PlayerTrack[];
  /** Seekability and duration. */
  readonly videoInfo: VideoInfo;
  #state: PlayerState = 'stopped';
  /** Media time (s) at the start anchor. */
  #mediaAnchor = 0;
  /** performance.now() at the start anchor. */
  #wallAnchor = 0;
  /** Date.now() at the start anchor (for clock mappings). */
  #ntpAnchor = 0;
  /** Media time (s) of the last packet sent. */
  #position = 0;
  /** The pacing timer. */
  #timer: NodeJS.Timeout | undefined;
  /** Bumped by every pause, seek, stop: a read in flight from before is ignored. */
  #generation = 0;
  /** Whether the send loop is running (reading ahead or sending). */
  #looping = false;

  private constructor(input: Input, events: MediaFileSourceEvents, tracks: PlayerTrack[], playing: PlayingTrack[], info: VideoInfo) {
    this.#input = input;
    this.#events = events;
    this.tracks = tracks;
    this.#playing = playing;
    this.videoInfo = info;
  }

  /**
   * Opens a file or URL and reads its tracks. Throws MediaSourceError for a missing file, an
   * unreachable URL, something that is not WebM, MKV or MP4, or a file too damaged to read.
   */
  static async open(target: FileOrHttpUri, events: MediaFileSourceEvents): Promise<MediaFileSource> {
    const where = target.kind === 'file' ? target.path : target.url.href;
    if (target.kind === 'file') {
      const info = await stat(target.path).catch(() => undefined);
      if (!info?.isFile()) throw new MediaSourceError(`media file ${where} does not exist or is not a file`);
    }
    const errors = new FirstError();
    const source =
      target.kind === 'file'
        ? new FilePathSource(target.path, { handleUnhandledError: errors.keep })
        : new UrlSource(target.url, { getRetryDelay: () => null, handleUnhandledError: errors.keep });
    return MediaFileSource.read(new Input({ source, formats: [WEBM, MATROSKA, MP4, QTFF] }), where, target.kind, errors, events);
  }

  /**
   * Reads media as it arrives (an HTTP upload: a browser's MediaRecorder WebM, a file POSTed):
   * read once from start to end, so it does not seek and its duration is unknown (0). The
   * stream's end is the media's end. Throws MediaSourceError as `open` does.
   */
  static async openStream(stream: ReadableStream<Uint8Array>, where: string, events: MediaFileSourceEvents): Promise<MediaFileSource> {
    const errors = new FirstError();
    const source = new ReadableStreamSource(stream, { handleUnhandledError: errors.keep });
    return MediaFileSource.read(new Input({ source, formats: [WEBM, MATROSKA, MP4, QTFF] }), where, 'stream', errors, events);
  }

  private static async read(input: Input, where: string, access: FileOrHttpUri['kind'] | 'stream', errors: FirstError, events: MediaFileSourceEvents): Promise<MediaFileSource> {
    try {
      if (!(await input.canRead())) throw new MediaSourceError(`${where} is not a WebM, MKV or MP4 file`);
      const all = await input.getTracks();
      const described = await Promise.all(all.filter((t) => t.isVideoTrack() || t.isAudioTrack()).map(async (t) => ({ track: t, ...(await describeTrack(t)) })));
      if (described.length === 0) throw new MediaSourceError(`${where} has no audio or video track`);
      const playing: PlayingTrack[] = [];
      for (const kind of ['video', 'audio'] as const) {
        const first = described.find((d) => d.info.kind === kind && d.info.sendable);
        if (!first) continue;
        const header = new RtpHeaderWriter((Math.random() * 0x100000000) >>> 0, first.info.codec.payloadType);
        const packetizer = packetizerFor(first, header);
        const sink = new EncodedPacketSink(first.track);
        // A stream's packets may not have arrived yet: a track that holds none just ends.
        if (access !== 'stream' && !(await sink.getFirstPacket())) throw new MediaSourceError(`${where}: its ${kind} track holds no packets (truncated?)`);
        playing.push({ info: first.info, sink, header, packetizer, iterator: undefined, next: undefined, rtpAnchor: (Math.random() * 0x100000000) >>> 0, lastRtp: 0 });
      }
      // Computing a stream's duration would read it to its end before the first packet plays.
      const duration = access !== 'stream' ? await input.computeDuration() : 0;
      const seekable = access === 'file' || (access === 'http' && duration > 0);
      return new MediaFileSource(input, events, described.map((d) => d.info), playing, {
        isSeekable: seekable,
        seekableInit: 0,
        seekableEnd: seekable ? Math.round(duration * 1000) : 0,
        duration: Math.round(duration * 1000),
      });
    } catch (e) {
      input.dispose();
      if (e instanceof MediaSourceError) throw e;
      const cause = errors.first ?? e;
      throw new MediaSourceError(`cannot read ${where}: ${cause instanceof Error ? cause.message : String(cause)}`);
    }
  }

  /** stopped, playing, paused, ended or closed. */
  get state(): PlayerState {
    return this.#state;
  }

  /** The tracks the player sends, with their codecs. */
  get sentTracks(): readonly PlayerTrack[] {
    return this.#playing.map((t) => t.info);
  }

  /** The playing position in ms (media time of the last packet sent). */
  get position(): number {
    return Math.round(this.#position * 1000);
  }

  /** The RTP ↔ wall-clock mapping of a track at the current anchor, for sender reports. */
  clockMapping(kind: MediaKind): ClockMapping | undefined {
    const track = this.#playing.find((t) => t.info.kind === kind);
    if (!track) return undefined;
    return { ssrc: track.header.ssrc, rtpTimestamp: track.rtpAnchor >>> 0, ntpMs: this.#ntpAnchor, receivedAtMs: this.#wallAnchor };
  }

  /** Starts, resumes after pause, or restarts after the end. */
  play(): void {
    this.#alive();
    if (this.#state === 'playing') return;
    if (this.#state === 'ended') this.#rewind(0);
    this.#state = 'playing';
    this.#anchor();
    this.#loop();
  }

  /** Holds the position; play resumes there. */
  pause(): void {
    this.#alive();
    if (this.#state !== 'playing') return;
    this.#halt();
    this.#state = 'paused';
  }

  /** Stops sending and rewinds to the start. */
  stop(): void {
    this.#alive();
    this.#halt();
    this.#rewind(0);
    this.#state = 'stopped';
  }

  /**
   * Moves to `ms` (playing goes on from there if it was playing). Video restarts at the key frame
   * at or before it, and audio with it; the position becomes that key frame's time.
   * Throws RangeError outside [seekableInit, seekableEnd].
   */
  async seek(ms: number): Promise<void> {
    this.#alive();
    if (!this.videoInfo.isSeekable) throw new RangeError('this media is not seekable');
    if (!Number.isFinite(ms) || ms < this.videoInfo.seekableInit || ms > this.videoInfo.seekableEnd) {
      throw new RangeError(`position ${ms} ms is outside the seekable range ${this.videoInfo.seekableInit}..${this.videoInfo.seekableEnd} ms`);
    }
    const resume = this.#state === 'playing';
    this.#halt();
    const video = this.#playing.find((t) => t.info.kind === 'video');
    const key = video ? await video.sink.getKeyPacket(ms / 1000) : null;
    this.#rewind(key?.timestamp ?? ms / 1000);
    if (this.#state === 'ended') this.#state = 'paused';
    if (resume) {
      this.#state = 'playing';
      this.#anchor();
      this.#loop();
    }
  }

  /** Stops and gives back the file handle or HTTP connections. Idempotent. */
  close(): void {
    if (this.#state === 'closed') return;
    this.#halt();
    for (const track of this.#playing) void track.iterator?.return().catch(() => undefined);
    this.#state = 'closed';
    this.#input.dispose();
  }

  #alive(): void {
    if (this.#state === 'closed') throw new MediaSourceError('the player was closed');
  }

  /** Stops the timer and invalidates reads in flight. */
  #halt(): void {
    this.#generation++;
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  /** Puts every track at `seconds`: its iterators restart there on the next play. */
  #rewind(seconds: number): void {
    for (const track of this.#playing) {
      void track.iterator?.return().catch(() => undefined);
      track.iterator = undefined;
      track.next = undefined;
    }
    this.#position = seconds;
    this.#mediaAnchor = seconds;
  }

  /** Anchors media time to now, carrying every RTP clock forward by the wall time since its last packet. */
  #anchor(): void {
    const now = performance.now();
    if (this.#lastSentWall > 0) {
      for (const track of this.#playing) {
        const clock = track.info.codec.clockRate;
        track.rtpAnchor = (track.lastRtp + Math.round(((now - this.#lastSentWall) * clock) / 1000) + clock / 50) >>> 0;
      }
    }
    this.#mediaAnchor = this.#position;
    this.#wallAnchor = now;
    this.#ntpAnchor = Date.now();
  }

  /** performance.now() when the last packet went out; 0: none yet. */
  #lastSentWall = 0;

  /** Reads ahead and sends what is due, then sleeps until the next packet is due. */
  #loop(): void {
    if (this.#looping) return;
    this.#looping = true;
    const generation = this.#generation;
    this.#step(generation)
      .catch((e: unknown) => {
        if (generation !== this.#generation || this.#state === 'closed') return;
        this.#halt();
        this.#state = 'stopped';
        this.#events.error(new MediaSourceError(`playback failed: ${e instanceof Error ? e.message : String(e)}`));
      })
      .finally(() => (this.#looping = false));
  }

  async #step(generation: number): Promise<void> {
    for (;;) {
      for (const track of this.#playing) {
        if (track.next === undefined) {
          track.iterator ??= this.#iteratorAt(track);
          const result = await track.iterator.next();
          if (generation !== this.#generation) return;
          track.next = result.done ? null : result.value;
        }
      }
      const upcoming = this.#playing.filter((t) => t.next);
      if (upcoming.length === 0) {
        this.#halt();
        this.#state = 'ended';
        this.#events.endOfStream();
        return;
      }
      const first = upcoming.reduce((a, b) => ((a.next?.timestamp ?? 0) <= (b.next?.timestamp ?? 0) ? a : b));
      const packet = first.next;
      if (!packet) return;
      const dueMs = this.#wallAnchor + (packet.timestamp - this.#mediaAnchor) * 1000 - performance.now();
      if (dueMs > BATCH_MS) {
        this.#timer = setTimeout(() => {
          this.#timer = undefined;
          this.#loop();
        }, dueMs);
        return;
      }
      this.#send(first, packet);
    }
  }

  /** The track's packets from the current position: video from its key frame, audio from the packet there. */
  #iteratorAt(track: PlayingTrack): AsyncGenerator<EncodedPacket, void, unknown> {
    const sink = track.sink;
    const at = this.#position;
    const iterator = async function* (): AsyncGenerator<EncodedPacket, void, unknown> {
      const start = at <= 0 ? await sink.getFirstPacket() : track.info.kind === 'video' ? await sink.getKeyPacket(at) ?? await sink.getFirstPacket() : await sink.getPacket(at) ?? await sink.getFirstPacket();
      if (start) yield* sink.packets(start);
    };
    return iterator();
  }

  #send(track: PlayingTrack, packet: EncodedPacket): void {
    track.next = undefined;
    const rtpTs = (track.rtpAnchor + Math.round((packet.timestamp - this.#mediaAnchor) * track.info.codec.clockRate)) >>> 0;
    track.lastRtp = rtpTs;
    this.#lastSentWall = performance.now();
    this.#position = Math.max(this.#position, packet.timestamp);
    const kind = track.info.kind;
    track.packetizer.packetize(packet.data, packet.type === 'key', rtpTs, (p) => this.#events.rtp(kind, p));
  }
}

/** The first error a source reported while no read was waiting (a network error, a file gone): the cause to name. */
class FirstError {
  first: unknown;
  readonly keep = (e: unknown): void => void (this.first ??= e);
}
