/**
 * @kurento-ts/tutorial-kit/testing: what the tutorials' tests share: starting a tutorial as a
 * user does, a raw signalling client, fake cameras that can be told apart, participants each in
 * a Chromium or a Firefox of their own, and the media server's pipelines as the truth to check.
 */
export { npmStart, npmStartToEnd, assertPortsFree, listening, ROOT, type Launch, type Started } from './npmStart.js';
export { RawClient } from './rawClient.js';
export { ASTRONAUT, makeCameras, pictureDistance, PICTURE_HEIGHT, PICTURE_WIDTH, type Camera, type Cameras, type PictureName } from './cameras.js';
export { Participant, MEDIA_WAIT_MS, type LivePicture, type ProbeInbound, type Seen } from './participant.js';
export { playwrightTab, puppeteerTab, type BrowserName, type Tab, type WaitOptions } from './tab.js';
export { describeShapes, expectPipelines, pipelineShapes, sinkCounts, type PipelineShape } from './mediaServer.js';
export { closedDuringStartTests, PLAIN_ROUTE, startSignallingRig, useSignallingRig, StandIn, type CandidateRoute, type SignallingRig } from './rig.js';
export { startCommandTests } from './startCommand.js';
export { BrowserRun } from './browserRun.js';
export { decodeErrors, makeTestVideo, probeFile, type FileFacts } from './mediaFiles.js';
export { expectDashboard, type DashboardExpectation } from './dashboard.js';
