/**
 * @kurento-ts/tutorial-kit: what every tutorial's application server needs besides its own
 * signalling (see README.md). Pages use `@kurento-ts/tutorial-kit/page` and
 * `@kurento-ts/tutorial-kit/messages`; tests use `@kurento-ts/tutorial-kit/testing`.
 */
export type { FaultListener, PageSession, Signalling, Tutorial } from './tutorial.js';
export { startTutorial, CERT_DIR, type TutorialApp } from './app.js';
export { runTutorial } from './cli.js';
export { parseOptions, usage, UsageError, DEFAULT_PORT, type Options, type OptionNames } from './options.js';
export { loadCertificate, type Certificate } from './certificate.js';
export { loadAssets, type Asset, type Assets } from './assets.js';
export { startWebServer, PortBusyError, type WebServer, type WebServerOptions } from './server.js';
export { CandidateQueue } from './candidates.js';
export { EndpointSession, LOOPBACK_DIALECT, type SessionDialect, type SessionRequest, type SessionStart, type SessionWiring } from './endpointSession.js';
export { answerError, BadMessage, errorMessage, parseLoopbackRequest, type Candidate, type ErrorMessage, type LoopbackReply, type LoopbackRequest } from './messages.js';
