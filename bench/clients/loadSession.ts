/** Either load client's session: node-datachannel's, or werift ICE/DTLS with native media (--load-client). */
import type { NativeSession } from './nativeSession.js';
import type { NdcSession } from './ndcSession.js';

export type LoadSession = NdcSession | NativeSession;
export type LoadClient = 'ndc' | 'native';
