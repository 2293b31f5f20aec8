// The Debian packages the tests and the benchmark use, one place for `.ci/run` and `npm test`:
// each with the program whose absence means it is missing, and why it is needed.
export const SYSTEM_PACKAGES = [
  { program: '/usr/bin/chromium', packages: ['chromium'], why: 'the browser tests (Debian Chromium with a fake camera)' },
  { program: '/usr/bin/firefox-esr', packages: ['firefox-esr'], why: "the tutorials' Firefox tests (Debian Firefox ESR with its fake camera, over WebDriver BiDi)" },
  { program: '/usr/bin/janus', packages: ['janus'], why: "the benchmark's peer server" },
  { program: '/usr/bin/ffprobe', packages: ['ffmpeg'], why: 'RTP senders and receivers, and the judge of recorded files' },
  {
    program: '/usr/bin/gst-launch-1.0',
    packages: ['gstreamer1.0-tools', 'gstreamer1.0-plugins-base', 'gstreamer1.0-plugins-good', 'gstreamer1.0-plugins-bad', 'gstreamer1.0-plugins-ugly', 'gstreamer1.0-libav'],
    why: 'GStreamer as an RTP peer and as the processing backend',
  },
  { program: '/usr/bin/curl', packages: ['curl'], why: 'an HTTP uploader nobody here wrote, for the HttpPostEndpoint tests' },
  { program: '/usr/bin/openssl', packages: ['openssl'], why: "OpenSSL's own DTLS peer (s_server, s_client) and test certificates, for the native DTLS tests" },
  { program: '/usr/bin/make', packages: ['gcc', 'make'], why: "the native fast path's addon (packages/native, built with npm's node-gyp)" },
  { program: '/usr/bin/python3', packages: ['python3'], why: "node-gyp, which builds the native addon" },
  {
    program: '/usr/lib/python3/dist-packages/gi/overrides/Gst.py',
    packages: ['python3-gi', 'python3-gst-1.0', 'gir1.2-gstreamer-1.0', 'gir1.2-gst-plugins-base-1.0', 'gir1.2-gdkpixbuf-2.0'],
    why: "the processing backend's unit processes (Python's GObject bindings to GStreamer)",
  },
  {
    program: '/usr/share/opencv4/haarcascades/haarcascade_frontalface_default.xml',
    packages: ['gstreamer1.0-opencv', 'opencv-data', 'gstreamer1.0-x'],
    why: 'FaceOverlayFilter (facedetect and its cascades) and the text overlays a GStreamerFilter may run',
  },
  {
    program: '/usr/lib/x86_64-linux-gnu/girepository-1.0/GstRtspServer-1.0.typelib',
    packages: ['gir1.2-gst-rtsp-server-1.0'],
    why: "an RTSP server nobody here wrote (gst-rtsp-server), for the PlayerEndpoint rtsp:// tests",
  },
  { program: '/usr/lib/python3/dist-packages/skimage/data/astronaut.png', packages: ['python3-skimage'], why: 'a face picture for the processing tests (its astronaut)' },
  { program: '/usr/bin/go', packages: ['golang-go', 'golang-github-pion-webrtc.v3-dev'], why: "Pion, the benchmark's second peer (built offline from Debian's sources)" },
];

/** The packages whose program is missing on this machine. */
export async function missingPackages() {
  const { existsSync } = await import('node:fs');
  return SYSTEM_PACKAGES.filter((p) => !existsSync(p.program));
}
