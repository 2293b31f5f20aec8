/**
 * The data-channel tutorial's signalling on the `/datachannel` WebSocket: Kurento's, the same as
 * Hello World's (the kit's loopback messages); the text itself goes over the data channel, not
 * here. Shared by src/ and public/; types only.
 */
import type { LoopbackReply, LoopbackRequest } from '@kurento-ts/tutorial-kit/messages';

/** Browser → server. */
export type BrowserMessage = LoopbackRequest;

/** Server → browser. */
export type ServerMessage = LoopbackReply;

/** The label of the page's data channel. */
export const CHANNEL_LABEL = 'chat';
