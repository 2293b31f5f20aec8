import { performance } from 'node:perf_hooks';
import { rtpPayloadLength } from '../rtp/rtpHeader.js';
import type { MediaKind } from '../types/media.js';
import type { Remote } from './contract.js';
import { MediaElement } from './MediaElement.js';
import type { MediaPipeline } from './MediaPipeline.js';
import type { ObjectContext } from './ObjectContext.js';

/** An element that hands what it receives to its sinks unchanged. */
export class PassThrough extends MediaElement implements Remote<'PassThrough'> {
  constructor(context: ObjectContext, pipeline: MediaPipeline) {
    super(context, 'PassThrough', pipeline, 'forwards');
  }

  acceptRtp(kind: MediaKind, packet: Buffer): void {
    const probe = this.pipeline.latency;
    if (probe.enabled && !Number.isNaN(probe.arrivalMs)) this.latency.entered(kind, probe.arrivalMs, performance.now());
    const bytes = rtpPayloadLength(packet);
    this.flow.count('in', kind, bytes);
    if (!this.hasSinks(kind)) return;
    this.flow.count('out', kind, bytes);
    this.forward(kind, packet);
  }
}
