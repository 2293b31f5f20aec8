/**
 * Kurento's PlayerEndpoint: plays a WebM, MKV or MP4 file or http(s) URL into the pipeline as
 * RTP, paced by the media's own timestamps (media/MediaFileSource.ts), without transcoding: each
 * track is a source pad with the file's codec, so a sink that cannot take it (AAC to a WebRTC
 * peer) gets the graph's UNSUPPORTED_MEDIA_TYPE error. play/pause/stop, position (seek),
 * videoInfo, EndOfStream, and play again after the end restarts.
 */
import { KurentoError } from '@kurento-ts/protocol';
import { MediaFileSource, MediaSourceError, type VideoInfo } from '../../media/index.js';
import { createLogger } from '../../support/logger.js';
import type { ComplexServerValue, ConstructorArgs, Remote } from '../contract.js';
import type { MediaPipeline } from '../MediaPipeline.js';
import type { ObjectContext } from '../ObjectContext.js';
import { publishClocks, publishTracks } from './playedTracks.js';
import { UriEndpoint } from './UriEndpoint.js';

const log = createLogger('kms:PlayerEndpoint');

export class PlayerEndpoint extends UriEndpoint implements Remote<'PlayerEndpoint'> {
  /** The opened media, from the first play on. */
  private source: MediaFileSource | undefined;
  /** The play in progress (plays run one at a time). */
  private opening: Promise<MediaFileSource> | undefined;

  constructor(context: ObjectContext, pipeline: MediaPipeline, { uri, networkCache }: ConstructorArgs<'PlayerEndpoint'>) {
    super(context, 'PlayerEndpoint', pipeline, uri);
    // useEncodedMedia asks Kurento not to decode: this player never decodes. networkCache is RTSP's.
    if (networkCache < 0) throw new KurentoError('MEDIA_OBJECT_ILLEGAL_PARAM_ERROR', `networkCache must be 0 or more milliseconds, got ${networkCache}`);
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

  /** A file's keyframes come when the file has them: requests from sinks are not for us to answer. */
  override keyframeRequested(): void {
    // the sinks' keyframe gates wait for the next one
  }

  /** Opens the media once; its tracks become the source pads. */
  private open(): Promise<MediaFileSource> {
    if (this.source) return Promise.resolve(this.source);
    this.opening ??= MediaFileSource.open(this.target, {
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

  private opened(what: string): MediaFileSource {
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
