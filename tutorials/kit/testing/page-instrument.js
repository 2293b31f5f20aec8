// Test instrumentation for the tutorials' browser tests, injected before a page's own scripts
// (Playwright's addInitScript, puppeteer's evaluateOnNewDocument). It only watches: it keeps
// every RTCPeerConnection the page makes (to read its getStats), counts the frames a video
// presents and draws small snapshots of it.
// tsx (esbuild keepNames) wraps named functions in TypeScript sources with __name(fn, "name");
// page.evaluate sends their text here, so give them the helper.
window.__name = (fn) => fn;

(() => {
  const peers = [];
  const Native = window.RTCPeerConnection;
  window.RTCPeerConnection = class extends Native {
    constructor(...args) {
      super(...args);
      peers.push(this);
    }
  };
  const frames = new WeakMap(); // video -> presented frames since watched

  // The peer connection whose receivers feed `video` (through its srcObject's tracks).
  const peerOf = (video) => {
    const tracks = new Set((video.srcObject?.getTracks?.() ?? []).map((t) => t.id));
    return peers.find((pc) => pc.connectionState !== 'closed' && pc.getReceivers().some((r) => tracks.has(r.track.id)));
  };

  window.tutorialProbe = {
    /** Frames `video` presented since the first call for it (that call starts the count: 0). */
    frames(video) {
      if (!frames.has(video)) {
        frames.set(video, 0);
        const onFrame = () => {
          frames.set(video, frames.get(video) + 1);
          video.requestVideoFrameCallback(onFrame);
        };
        video.requestVideoFrameCallback(onFrame);
      }
      return frames.get(video);
    },
    /** `video`'s current picture as RGB bytes, w × h, or null while it has none. */
    snapshot(video, w, h) {
      if (!video.videoWidth) return null;
      const canvas = document.createElement('canvas');
      canvas.width = w;
      canvas.height = h;
      const ctx = canvas.getContext('2d', { willReadFrequently: true });
      ctx.drawImage(video, 0, 0, w, h);
      const rgba = ctx.getImageData(0, 0, w, h).data;
      const rgb = new Array(w * h * 3);
      for (let i = 0, j = 0; i < rgba.length; i += 4) {
        rgb[j++] = rgba[i];
        rgb[j++] = rgba[i + 1];
        rgb[j++] = rgba[i + 2];
      }
      return rgb;
    },
    /** Inbound RTP of the peer connection that feeds `video`, per kind, or null if none does. */
    async inbound(video) {
      const pc = peerOf(video);
      if (!pc) return null;
      const out = { audio: { packetsReceived: 0, bytesReceived: 0 }, video: { framesDecoded: 0, bytesReceived: 0 } };
      const stats = await pc.getStats();
      stats.forEach((r) => {
        if (r.type !== 'inbound-rtp') return;
        if (r.kind === 'audio') out.audio = { packetsReceived: r.packetsReceived ?? 0, bytesReceived: r.bytesReceived ?? 0 };
        if (r.kind !== 'video') return;
        out.video = { framesDecoded: r.framesDecoded ?? 0, bytesReceived: r.bytesReceived ?? 0 };
        const codec = r.codecId && stats.get(r.codecId);
        if (codec) out.video.codec = { mimeType: codec.mimeType, payloadType: codec.payloadType };
      });
      return out;
    },
    /** Peer connections of the page not closed yet. */
    openPeers() {
      return peers.filter((pc) => pc.connectionState !== 'closed').length;
    },
  };
})();
