/**
 * One browser's Hello World session on the `/helloworld` WebSocket: the kit's EndpointSession
 * (pipeline, candidates, release) with a WebRtcEndpoint connected to itself, and the endpoint's
 * events forwarded to the page.
 */
import type { KurentoClient } from '@kurento-ts/client';
import { EndpointSession, LOOPBACK_DIALECT, type SessionWiring } from '@kurento-ts/tutorial-kit';
import { forwardedEvents, type ServerMessage } from './messages.js';

/** What Hello World puts in the loop: nothing; every event the page shows. */
const wiring: SessionWiring<ServerMessage> = {
  wire: async ({ pipeline, endpoint, send }) => {
    await Promise.all([
      ...forwardedEvents.map((name) => endpoint.on(name, (data) => send({ id: 'event', name, data: { ...data } }))),
      pipeline.on('Error', (data) => send({ id: 'event', name: 'Error', data: { ...data } })),
      endpoint.connect(endpoint), // the loopback: what the browser sends comes back to it
    ]);
  },
};

/** A page's Hello World session. */
export function helloWorldSession(kurento: KurentoClient, send: (message: ServerMessage) => void, onFault: (error: unknown) => void): EndpointSession<ServerMessage> {
  return new EndpointSession<ServerMessage>(kurento, send, wiring, LOOPBACK_DIALECT, onFault);
}
