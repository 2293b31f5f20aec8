/**
 * Kurento's PlayerEndpoint: plays a WebM, MKV or MP4 file or http(s) URL into the pipeline as
 * RTP, paced by the media's own timestamps (media/MediaFileSource.ts), or a live rtsp(s):// camera
 * through GStreamer (RtspPlayback.ts), without transcoding: each track is a source pad with the
 * media's codec, and edges to sinks that cannot take it transcode (or, without transcoding, the
 * sink gets UNSUPPORTED_MEDIA_TYPE). play/pause/stop, position (seek), videoInfo, EndOfStream,
 * and play again after the end or a stop restarts.
 */
import { KurentoError, type ErrorName } from '@kurento-ts/protocol';
import { MediaFileSource, MediaSourceError, type VideoInfo } from '../../media/index.js';
import { createLogger } from '../../support/logger.js';
import { requestError } from '../filters/Filter.js';
import type { ComplexServerValue, ConstructorArgs, Remote } from '../contract.js';
import type { MediaPipeline } from '../MediaPipeline.js';
import type { ObjectContext } from '../ObjectContext.js';
import { publishClocks, publishTracks, type PlayedMedia } from './playedTracks.js';
import { RtspPlayback, redactedUrl } from './RtspPlayback.js';
import { UriEndpoint } from './UriEndpoint.js';

const log = createLogger('kms:PlayerEndpoint');

export class PlayerEndpoint extends UriEndpoint implements Remote<'PlayerEndpoint'> {
  /** The opened media, from the first play on. */
  private source: PlayedMedia | undefined;
  /** The play in progress (plays run one at a time). */
  private opening: Promise<PlayedMedia> | undefined;
  /** RTSP's jitter-buffer latency, ms (rtspsrc `latency`, as Kurento sets it). */
  private readonly networkCache: number;

  constructor(context: ObjectContext, pipeline: MediaPipeline, { uri, networkCache }: ConstructorArgs<'PlayerEndpoint'>) {
    super(context, 'PlayerEndpoint', pipeline, uri);
    // useEncodedMedia asks Kurento not to decode: this player never decodes. networkCache is RTSP's.
    if (networkCache < 0) throw new KurentoError('MEDIA_OBJECT_ILLEGAL_PARAM_ERROR', `networkCache must be 0 or more milliseconds, got ${networkCache}`);
    this.networkCache = networkCache;
  }

  // ---- remote interface ----

  async play(): Promise<void> {
    const source = await this.open();
    if (this.state === 'START') return;
    source.play();
    this.setState('START');
    publishClocks(this.node, source);
  }

  pause(): void {
    if (this.state !== 'START') return;
    this.source?.pause();
    this.setState('PAUSE');
  }

  stop(): void {
    this.source?.stop();
    this.setState('STOP');
  }

  /** A new URI (while stopped): the media opened for the old one is closed; the next play opens the new one. */
  override setUri(uri: string): void {
    super.setUri(uri);
    this.source?.close();
    this.source = undefined;
  }

  getPosition(): number {
    return Math.round(this.source?.position ?? 0);
  }

  /** Seeks; the answer comes once the player stands at the key frame at or before `position`. */
  setPosition(position: number): Promise<void> {
    const source = this.opened('seek');
    const info = source.videoInfo;
    if (!info.isSeekable) throw new KurentoError('MEDIA_OBJECT_ILLEGAL_PARAM_ERROR', `${this.getUri()} cannot be seeked`);
    if (position < info.seekableInit || position > info.seekableEnd) {
      throw new KurentoError('MEDIA_OBJECT_ILLEGAL_PARAM_ERROR', `position ${position} ms is outside the seekable range ${info.seekableInit}–${info.seekableEnd} ms`);
    }
    return source.seek(position).catch((e: unknown) => {
      throw new KurentoError('MEDIA_ERROR', `Cannot seek to ${position} ms: ${e instanceof Error ? e.message : String(e)}`);
    });
  }

  getVideoInfo(): ComplexServerValue<'VideoInfo'> {
    const info: VideoInfo = this.opened('videoInfo').videoInfo;
    return { isSeekable: info.isSeekable, seekableInit: Math.round(info.seekableInit), seekableEnd: Math.round(info.seekableEnd), duration: Math.round(info.duration) };
  }

  getElementGstreamerDot(): string {
    throw new KurentoError('NOT_IMPLEMENTED', 'This player runs no GStreamer pipeline: it reads the file and sends its packets as they are');
  }

  // ---- media ----

  /** A player has no source of its own in the graph. */
  acceptRtp(): void {
    // nothing comes in
  }

  /** A file's keyframes come when the file has them (the sinks' gates wait for the next one); a camera is asked. */
  override keyframeRequested(): void {
    if (this.source instanceof RtspPlayback) this.source.requestKeyframe();
  }

  /** Opens the media once; its tracks become the source pads. */
  private open(): Promise<PlayedMedia> {
    if (this.source) return Promise.resolve(this.source);
    const target = this.target;
    if (target.kind === 'rtsp') {
      this.opening ??= this.openRtsp(target.url).finally(() => (this.opening = undefined));
      return this.opening;
    }
    this.opening ??= MediaFileSource.open(target, {
      rtp: (kind, packet) => this.sendProduced(kind, packet),
      endOfStream: () => this.ended(),
      error: (e) => {
        this.reportFailure(e);
        this.setState('STOP');
      },
    }).then(
      (source) => {
        if (this.released) {
          source.close();
          throw new KurentoError('MEDIA_OBJECT_NOT_FOUND', 'The player was released');
        }
        this.source = source;
        publishTracks(this.node, source);
        return source;
      },
      (e: unknown) => {
        this.opening = undefined;
        if (e instanceof MediaSourceError) throw new KurentoError('MEDIA_ERROR', `Cannot play ${this.getUri()}: ${e.message}`);
        throw e;
      },
    );
    return this.opening;
  }

  /** A camera: GStreamer is checked now (a clear answer naming what to install); the connection is made by play, its failure an Error event. */
  private async openRtsp(url: URL): Promise<PlayedMedia> {
    try {
      await this.context.processing.requireRtsp();
    } catch (e) {
      const error = requestError(e);
      throw new KurentoError(error.type as ErrorName, `Cannot play ${redactedUrl(url)}: ${error.message}`);
    }
    if (this.released) throw new KurentoError('MEDIA_OBJECT_NOT_FOUND', 'The player was released');
    const source = new RtspPlayback(this.context.processing, url, this.networkCache, {
      rtp: (kind, packet) => this.sendProduced(kind, packet),
      tracksChanged: () => publishTracks(this.node, source),
      clock: (kind, clock) => (this.node.pad(kind).clock = clock),
      endOfStream: () => this.ended(),
      error: (e) => {
        this.reportFailure(e);
        this.setState('STOP');
      },
    });
    this.source = source;
    return source;
  }

  private opened(what: string): PlayedMedia {
    if (!this.source) throw new KurentoError('MEDIA_OBJECT_NOT_AVAILABLE', `${what} is known once the player has opened its media: call play() first`);
    return this.source;
  }

  private ended(): void {
    log.debug(`[${this.id}] end of stream`);
    this.setState('STOP');
    this.raise('EndOfStream');
    this.node.endOfStream();
  }

  protected override dispose(): void {
    super.dispose();
    this.source?.close();
  }
}
