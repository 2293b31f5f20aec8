export { CHROMIUM, launchChromium, type Browser } from './chromium.js';
export { serve, type Site } from './web.js';
export { waitFor } from './wait.js';
