/**
 * The media server's truth, as a test checks it: its pipelines and their elements, asked through
 * `@kurento-ts/client` (ServerManager.getPipelines, MediaPipeline.getChildren).
 */
import type { KurentoClient } from '@kurento-ts/client';
import { waitFor } from '@kurento-ts/test-utils';

/** One pipeline: its id and its elements' classes, sorted ("WebRtcEndpoint", ...). */
export interface PipelineShape {
  id: string;
  elements: string[];
}

/** Whether `e` says the object is gone (released while we asked: the client describes each new id). */
const isGone = (e: unknown): boolean => (e as { code?: number } | undefined)?.code === 40101;

/** Every pipeline on the media server but those in `ignore`, with its elements. */
export async function pipelineShapes(kurento: KurentoClient, ignore: ReadonlySet<string> = new Set()): Promise<PipelineShape[]> {
  for (let attempt = 0; ; attempt++) {
    try {
      const pipelines = await (await kurento.getServerManager()).getPipelines();
      const shapes: PipelineShape[] = [];
      for (const pipeline of pipelines) {
        if (ignore.has(pipeline.id)) continue;
        const children = await pipeline.getChildren();
        shapes.push({ id: pipeline.id, elements: children.map((c) => c.className).sort() });
      }
      return shapes;
    } catch (e) {
      // Something was released between the list and its description: ask again (a few times).
      if (!isGone(e) || attempt >= 20) throw e;
    }
  }
}

/** Counts of pipelines and elements, for messages. */
export function describeShapes(shapes: readonly PipelineShape[]): string {
  return shapes.length === 0 ? 'no pipeline' : shapes.map((s) => `pipeline with [${s.elements.join(', ')}]`).join('; ');
}

/**
 * Waits until the media server holds pipelines whose element counts are `elementsPerPipeline`
 * (in any order; [] means no pipeline at all), then checks that it stays so for a moment
 * (nothing created late). Returns the shapes.
 */
export async function expectPipelines(kurento: KurentoClient, elementsPerPipeline: readonly number[], ignore?: ReadonlySet<string>, timeoutMs = 10_000): Promise<PipelineShape[]> {
  const want = [...elementsPerPipeline].sort().join(',');
  const matches = (shapes: PipelineShape[]): boolean => shapes.map((s) => s.elements.length).sort().join(',') === want;
  let last: PipelineShape[] = [];
  try {
    await waitFor(`pipelines with [${want}] elements`, async () => matches((last = await pipelineShapes(kurento, ignore))), timeoutMs, 150);
  } catch {
    throw new Error(`the media server should hold pipelines with [${want}] elements, but holds ${describeShapes(last)}`);
  }
  await new Promise((r) => setTimeout(r, 300));
  const settled = await pipelineShapes(kurento, ignore);
  if (!matches(settled)) throw new Error(`the media server's pipelines changed after matching [${want}]: now ${describeShapes(settled)}`);
  return settled;
}

/** For each element (of the pipelines but those in `ignore`) that feeds others, how many distinct sinks, sorted. */
export async function sinkCounts(kurento: KurentoClient, ignore: ReadonlySet<string> = new Set()): Promise<number[]> {
  const counts: number[] = [];
  for (const shape of await pipelineShapes(kurento, ignore)) {
    const pipeline = await kurento.getMediaobjectById(shape.id, 'MediaPipeline');
    for (const element of await pipeline.getChildren()) {
      const connections = await (await kurento.getMediaobjectById(element.id, 'MediaElement')).getSinkConnections();
      const sinks = new Set(connections.map((c) => c.sink.id)).size;
      if (sinks > 0) counts.push(sinks);
    }
  }
  return counts.sort((a, b) => a - b);
}
