/**
 * Kurento's Hello World, application-server side: a WebRtcEndpoint that sends the browser's
 * media back to it. `startHelloWorld` is what the README shows; `demo` plays the browser with a
 * second endpoint so the example runs anywhere:  npx tsx examples/hello.ts ws://127.0.0.1:8888/kurento
 */
import { pathToFileURL } from 'node:url';
import { KurentoClient, type IceCandidate, type MediaPipeline, type WebRtcEndpoint } from '@kurento-ts/client';

/** One browser's session: the answer to send it, and the endpoint to feed its candidates to. */
export interface HelloWorld {
  pipeline: MediaPipeline;
  endpoint: WebRtcEndpoint;
  sdpAnswer: string;
}

/** Answers a browser's offer with a loopback endpoint; `sendCandidate` relays ours to the browser. */
export async function startHelloWorld(kurento: KurentoClient, sdpOffer: string, sendCandidate: (candidate: IceCandidate) => void): Promise<HelloWorld> {
  const pipeline = await kurento.createMediaPipeline();
  const endpoint = await pipeline.create('WebRtcEndpoint');
  await endpoint.on('IceCandidateFound', (event) => sendCandidate(event.candidate));
  await endpoint.connect(endpoint); // loopback: what comes in goes back out
  const sdpAnswer = await endpoint.processOffer(sdpOffer);
  await endpoint.gatherCandidates();
  return { pipeline, endpoint, sdpAnswer };
}

/** Runs the Hello World against a server, with a second endpoint standing in for the browser. */
export async function demo(url: string): Promise<{ connectionState: string; sinks: number }> {
  const kurento = await KurentoClient.connect(url);
  try {
    const browserSide = await kurento.createMediaPipeline();
    const browser = await browserSide.create('WebRtcEndpoint');
    const offer = await browser.generateOffer();
    const hello = await startHelloWorld(kurento, offer, (candidate) => void browser.addIceCandidate(candidate));
    await browser.on('IceCandidateFound', (event) => void hello.endpoint.addIceCandidate(event.candidate));
    const connected = hello.endpoint.once('ConnectionStateChanged');
    await browser.processAnswer(hello.sdpAnswer);
    await browser.gatherCandidates();
    const { newState } = await connected;
    const sinks = (await hello.endpoint.getSinkConnections()).length;
    await hello.pipeline.release();
    await browserSide.release();
    return { connectionState: newState, sinks };
  } finally {
    await kurento.close();
  }
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  console.log(await demo(process.argv[2] ?? 'ws://127.0.0.1:8888/kurento'));
}
