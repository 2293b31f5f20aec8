import { ALLOWED_FILTER_ELEMENTS } from './filterCommand.js';

/**
 * Which Debian package brings each GStreamer element the backend uses, so that a missing
 * plugin is answered with the package to install instead of GStreamer's "no element".
 */

/** What every unit needs: Python's GObject bindings and GStreamer's core and base plugins. */
export const RUNTIME_PACKAGES: readonly string[] = [
  'python3-gi',
  'python3-gst-1.0',
  'gir1.2-gstreamer-1.0',
  'gir1.2-gst-plugins-base-1.0',
  'gir1.2-gdkpixbuf-2.0',
  'gstreamer1.0-plugins-base',
  'gstreamer1.0-plugins-good',
];

const CORE = 'libgstreamer1.0-0';
const BASE = 'gstreamer1.0-plugins-base';
const GOOD = 'gstreamer1.0-plugins-good';
const BAD = 'gstreamer1.0-plugins-bad';
const UGLY = 'gstreamer1.0-plugins-ugly';
const LIBAV = 'gstreamer1.0-libav';
const X = 'gstreamer1.0-x';

/** Element factory name → its Debian package (GStreamer 1.22, Debian 12). */
const PACKAGE_OF: Readonly<Record<string, string>> = {
  // transport and plumbing
  fdsrc: CORE, fdsink: CORE, fakesink: CORE, queue: CORE, tee: CORE, capsfilter: CORE, identity: CORE,
  rtpstreampay: GOOD, rtpstreamdepay: GOOD, rtpjitterbuffer: GOOD, rtspsrc: GOOD, rtpfunnel: GOOD,
  videoconvert: BASE, videoscale: BASE, videorate: BASE, audioconvert: BASE, audioresample: BASE,
  // codecs and their RTP payloads
  rtpvp8depay: GOOD, rtpvp8pay: GOOD, rtpvp9depay: GOOD, rtpvp9pay: GOOD, vp8dec: GOOD, vp8enc: GOOD, vp9dec: GOOD, vp9enc: GOOD,
  rtph264depay: GOOD, rtph264pay: GOOD, h264parse: BAD, avdec_h264: LIBAV, x264enc: UGLY,
  rtpopusdepay: GOOD, rtpopuspay: GOOD, opusdec: BASE, opusenc: BASE,
  rtpmp4gdepay: GOOD, rtpmp4gpay: GOOD, avdec_aac: LIBAV, avenc_aac: LIBAV,
  // processing
  gdkpixbufoverlay: GOOD, facedetect: 'gstreamer1.0-opencv opencv-data', zbar: BAD,
};

/** The package that brings an element the units use or a GStreamerFilter may run. */
export function packageOf(element: string): string | undefined {
  return PACKAGE_OF[element] ?? ALLOWED_FILTER_ELEMENTS.get(element)?.package;
}

/** "install the Debian packages a b" for a list of missing elements (unknown ones are named as such). */
export function installAdvice(elements: readonly string[]): string {
  const packages = new Set<string>();
  const unknown: string[] = [];
  for (const element of elements) {
    const pkg = packageOf(element);
    if (pkg === undefined) unknown.push(element);
    else for (const p of pkg.split(' ')) packages.add(p);
  }
  const parts: string[] = [];
  if (packages.size > 0) parts.push(`install the Debian package${packages.size > 1 ? 's' : ''} ${[...packages].join(' ')} (apt-get install ${[...packages].join(' ')})`);
  if (unknown.length > 0) parts.push(`install the GStreamer plugins that provide ${unknown.join(', ')}`);
  return parts.join('; ');
}

/** "install the Debian packages …" for what every unit needs. */
export function runtimeAdvice(): string {
  const list = ['python3', ...RUNTIME_PACKAGES].join(' ');
  return `install the Debian packages ${list} (apt-get install ${list})`;
}
