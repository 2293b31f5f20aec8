/**
 * Kurento's HttpPostEndpoint: media POSTed to its URL (a WebM from a browser's MediaRecorder, a
 * file sent with curl or a form, a live stream from ffmpeg) becomes a source in the pipeline.
 * The URL (getUrl) has an unguessable path on the thread's upload server
 * (media/HttpUploadServer.ts); each POST is read as it arrives and played at the pace of its
 * own timestamps (media/MediaFileSource.ts), without transcoding here: its tracks become the
 * source pads, with their codecs. One upload at a time; when one ends (its body's end, or the
 * uploader gone or silent for `disconnectionTimeout` seconds) the endpoint raises EndOfStream
 * and MediaSessionTerminated, and takes the next POST.
 */
import { KurentoError } from '@kurento-ts/protocol';
import { MediaFileSource, MediaSourceError, type Upload, type UploadRegistration } from '../../media/index.js';
import { codecLabel } from '../../rtp/codecs.js';
import { createLogger } from '../../support/logger.js';
import type { ConstructorArgs, Remote } from '../contract.js';
import { MediaElement } from '../MediaElement.js';
import type { MediaPipeline } from '../MediaPipeline.js';
import type { ObjectContext } from '../ObjectContext.js';
import { publishClocks, publishTracks } from './playedTracks.js';

const log = createLogger('kms:HttpPostEndpoint');

export class HttpPostEndpoint extends MediaElement implements Remote<'HttpPostEndpoint'> {
  /** The upload being played, once its media opened. */
  private source: MediaFileSource | undefined;
  /** Whether an upload is being opened or played (a second POST meanwhile is refused). */
  private busy = false;

  private constructor(
    context: ObjectContext,
    pipeline: MediaPipeline,
    private readonly registration: UploadRegistration,
  ) {
    super(context, 'HttpPostEndpoint', pipeline, 'terminates');
  }

  /** Takes a URL on the upload server first: a server that cannot listen fails the create. */
  static async create(context: ObjectContext, pipeline: MediaPipeline, { disconnectionTimeout }: ConstructorArgs<'HttpPostEndpoint'>): Promise<HttpPostEndpoint> {
    if (disconnectionTimeout < 0) throw new KurentoError('MEDIA_OBJECT_ILLEGAL_PARAM_ERROR', `disconnectionTimeout must be 0 or more seconds, got ${disconnectionTimeout}`);
    // useEncodedMedia asks Kurento not to decode: this endpoint never decodes.
    let endpoint: HttpPostEndpoint | undefined;
    let registration: UploadRegistration;
    try {
      registration = await context.uploads.register({
        idleTimeoutSeconds: disconnectionTimeout,
        accept: (upload) => (endpoint ? endpoint.accept(upload) : upload.refuse(503, 'The HttpPostEndpoint is not ready yet')),
      });
    } catch (e) {
      throw new KurentoError('MEDIA_OBJECT_CONSTRUCTOR_NOT_FOUND', `Cannot take HTTP uploads: ${e instanceof Error ? e.message : String(e)}`);
    }
    if (pipeline.released) {
      registration.close();
      throw new KurentoError('MEDIA_OBJECT_NOT_FOUND', 'mediaPipeline not found');
    }
    endpoint = new HttpPostEndpoint(context, pipeline, registration);
    return endpoint;
  }

  // ---- remote interface ----

  getUrl(): string {
    return this.registration.url;
  }

  // ---- media ----

  /** An upload has nothing coming in from the graph. */
  acceptRtp(): void {
    // nothing comes in
  }

  /** The uploader's keyframes come when its media has them: the sinks' keyframe gates wait for the next one. */
  override keyframeRequested(): void {
    // nothing to ask
  }

  private accept(upload: Upload): void {
    if (this.released) return upload.refuse(410, 'The HttpPostEndpoint was released');
    if (this.busy) return upload.refuse(409, 'This HttpPostEndpoint is already taking an upload');
    this.busy = true;
    MediaFileSource.openStream(upload.body, `the upload to ${this.id}`, {
      rtp: (kind, packet) => this.sendProduced(kind, packet),
      endOfStream: () => this.ended(upload),
      error: (e) => {
        this.reportFailure(e);
        this.ended(upload);
      },
    }).then(
      (source) => this.play(source, upload),
      (e: unknown) => {
        this.busy = false;
        const message = e instanceof MediaSourceError ? e.message : String(e);
        upload.refuse(415, `Not playable media: ${message}`);
        if (!this.released) this.raise('Error', { description: `The upload is not playable media: ${message}`, errorCode: 40000, type: 'MEDIA_ERROR' });
      },
    );
  }

  private play(source: MediaFileSource, upload: Upload): void {
    if (this.released) {
      source.close();
      return upload.refuse(410, 'The HttpPostEndpoint was released');
    }
    this.source = source;
    publishTracks(this.node, source);
    source.play();
    publishClocks(this.node, source);
    log.debug(`[${this.id}] upload started: ${source.sentTracks.map((t) => `${t.kind} ${codecLabel(t.codec)}`).join(', ')}`);
    this.raise('MediaSessionStarted');
  }

  private ended(upload: Upload): void {
    this.source?.close();
    this.source = undefined;
    this.busy = false;
    if (this.released) return;
    log.debug(`[${this.id}] upload ended${upload.aborted() ? ' (the uploader went away)' : ''}`);
    this.raise('EndOfStream');
    this.raise('MediaSessionTerminated');
    this.node.endOfStream();
  }

  protected override dispose(): void {
    super.dispose();
    this.source?.close();
    this.source = undefined;
    this.registration.close();
  }
}
