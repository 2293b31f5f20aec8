/**
 * The Hello World signalling protocol between the page and the application server, on the
 * `/helloworld` WebSocket: Kurento's tutorial messages, plus `event` to show the media
 * server's events on the page. Shared by src/ and public/ (types only: the kit's
 * EndpointSession parses what a browser sends); nothing here needs Node or the DOM.
 */
import type { LoopbackReply, LoopbackRequest } from '@kurento-ts/tutorial-kit/messages';

export { BadMessage, type Candidate } from '@kurento-ts/tutorial-kit/messages';

/** The WebRtcEndpoint events the page shows, in Kurento's names. */
export const forwardedEvents = [
  'Error',
  'MediaFlowInStateChanged',
  'MediaFlowOutStateChanged',
  'ConnectionStateChanged',
  'MediaStateChanged',
  'MediaTranscodingStateChanged',
  'IceCandidateFound',
  'IceComponentStateChanged',
  'IceGatheringDone',
  'NewCandidatePairSelected',
] as const;

export type ForwardedEvent = (typeof forwardedEvents)[number];

/** Browser → server: Kurento's loopback messages (the kit's). */
export type BrowserMessage = LoopbackRequest;

/** Server → browser. `event.data` is the event as the media server sent it (source, timestampMillis, fields). */
export type ServerMessage = LoopbackReply | { id: 'event'; name: ForwardedEvent; data: Record<string, unknown> };
