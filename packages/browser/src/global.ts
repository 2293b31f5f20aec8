/**
 * Entry of the classic-script build (dist/kurento-utils.js): the same API as the ES module,
 * as the global `kurentoUtils`, so that kurento-utils pages only change their <script> tag
 * (`kurentoUtils.WebRtcPeer.WebRtcPeerSendrecv` is there, as in kurento-utils).
 */
import * as api from './index.js';

declare global {
  // `var`: only var declarations in `declare global` become properties of globalThis
  var kurentoUtils: typeof api;
}

globalThis.kurentoUtils = api;
