/**
 * The Magic Mirror signalling protocol on the `/magicmirror` WebSocket: Kurento's, the same as
 * Hello World's (the kit's loopback messages). Shared by src/ and public/; types only.
 */
import type { LoopbackReply, LoopbackRequest } from '@kurento-ts/tutorial-kit/messages';

/** Browser → server. */
export type BrowserMessage = LoopbackRequest;

/** Server → browser. */
export type ServerMessage = LoopbackReply;
