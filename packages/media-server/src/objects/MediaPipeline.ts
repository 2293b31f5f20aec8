/** A media pipeline: the container of elements, the clock that drives their flow checks, and its latency probe. */
import { invalidateLanes } from '@kurento-ts/native';
import { LatencyProbe } from '../graph/latency.js';
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
    invalidateLanes(); // lanes do not measure latency: they stop while it is measured
    this.latency.enabled = value;
  }

  private tick(): void {
    for (const child of this.children) if (child instanceof MediaElement) child.tick();
  }

  protected override dispose(): void {
    clearInterval(this.ticker);
  }
}
