import { fileURLToPath } from 'node:url';
export { CHROMIUM, launchChromium, type Browser } from './chromium.js';
export { FIREFOX, launchFirefox, type FirefoxBrowser } from './firefox.js';
export { serve, type Site } from './web.js';
export { waitFor } from './wait.js';
export { openUdpSockets, type UdpSocketInfo } from './udpSockets.js';
export { decodeArgs, decodeErrors } from './decode.js';

/** Path of page-probe.js: frame counting and picture comparison inside a page (addInitScript). */
export const PAGE_PROBE = fileURLToPath(new URL('./page-probe.js', import.meta.url));
