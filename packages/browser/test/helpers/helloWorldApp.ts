/**
 * The application server of Kurento's Hello World tutorial, on its `/helloworld` WebSocket
 * protocol (shared/kurento/README.md), driving the media server with the official
 * kurento-client: a WebRtcEndpoint connected to itself. The README page talks to it.
 */
import kurentoClient, { type KurentoClientInstance, type MediaPipeline, type WebRtcEndpoint } from 'kurento-client';
import type { WebSocket } from 'ws';

export function helloWorldApp(kurento: KurentoClientInstance): (ws: WebSocket) => void {
  const IceCandidate = kurentoClient.getComplexType('IceCandidate');
  return (ws) => {
    let pipeline: MediaPipeline | undefined;
    let endpoint: WebRtcEndpoint | undefined;
    const early: unknown[] = []; // browser candidates that beat the endpoint's creation
    const send = (message: object): void => {
      if (ws.readyState === ws.OPEN) ws.send(JSON.stringify(message));
    };
    const stop = (): void => {
      pipeline?.release().catch(() => undefined);
      pipeline = endpoint = undefined;
    };
    const start = async (sdpOffer: string): Promise<void> => {
      pipeline = await kurento.create('MediaPipeline');
      const ep = (endpoint = await pipeline.create('WebRtcEndpoint'));
      for (const candidate of early.splice(0)) await ep.addIceCandidate(candidate);
      ep.on('IceCandidateFound', (event) => send({ id: 'iceCandidate', candidate: event['candidate'] }));
      await ep.connect(ep);
      const sdpAnswer = await ep.processOffer(sdpOffer);
      // Gathering before answering (the tutorial answers first): the server's candidates then
      // reach the page before its answer, the case kurento-utils pages must survive.
      await ep.gatherCandidates();
      send({ id: 'startResponse', sdpAnswer });
    };
    ws.on('message', (data) => {
      const message = JSON.parse(String(data)) as { id: string; sdpOffer?: string; candidate?: Record<string, unknown> };
      const work = (async () => {
        switch (message.id) {
          case 'start':
            return start(String(message.sdpOffer));
          case 'onIceCandidate': {
            const candidate = IceCandidate(message.candidate ?? {});
            if (endpoint) await endpoint.addIceCandidate(candidate);
            else early.push(candidate);
            return;
          }
          case 'stop':
            return stop();
        }
      })();
      work.catch((e: unknown) => send({ id: 'error', message: String(e) }));
    });
    ws.on('close', stop);
  };
}
