/** @kurento-ts/tutorial-kit/page: what every tutorial page shares (bundled into its app.js by the kit). */
export { byId, describeError, hideError, showError } from './dom.js';
export { PageSocket, type SocketHandlers } from './socket.js';
export { candidateSummary, MessageLog, summarize, type LineKind } from './messageLog.js';
export { LocalCandidates } from './candidates.js';
export { LoopbackPage, type LoopbackPageOptions, type LoopbackState } from './loopback.js';
