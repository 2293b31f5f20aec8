/** A media pipeline: the container of elements, the clock that drives their flow checks, and its latency probe. */
import { LatencyProbe } from '../graph/latency.js';
import { LaneScope } from '../rtp/lanes.js';
import { newObjectId } from '../support/ids.js';
import type { Remote } from './contract.js';
import { MediaElement } from './MediaElement.js';
import { MediaObject } from './MediaObject.js';
import type { ObjectContext } from './ObjectContext.js';

const TICK_MS = 1000;

export class MediaPipeline extends MediaObject implements Remote<'MediaPipeline'> {
  /** Drives element flow checks while the pipeline lives. */
  private readonly ticker: NodeJS.Timeout;
  /** Whether latency is measured, and the arrival of the packet being forwarded now (graph/latency.ts). */
  readonly latency = new LatencyProbe();
  /** The forwarding lanes of this pipeline's edges (stopped by any change of its graph). */
  readonly lanes = LaneScope.forPipeline();

  constructor(context: ObjectContext) {
    super(context, 'MediaPipeline', newObjectId('MediaPipeline'));
    this.ticker = setInterval(() => this.tick(), TICK_MS);
    this.ticker.unref();
  }

  override get mediaPipeline(): MediaPipeline {
    return this;
  }

  getLatencyStats(): boolean {
    return this.latency.enabled;
  }

  setLatencyStats(value: boolean): void {
    this.lanes.invalidate(); // lanes do not measure latency: they stop while it is measured
    this.latency.enabled = value;
  }

  private tick(): void {
    for (const child of this.children) if (child instanceof MediaElement) child.tick();
  }

  protected override dispose(): void {
    clearInterval(this.ticker);
  }
}
