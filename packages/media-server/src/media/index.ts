/** The recorder and player media cores, for the elements that wire them (see docs/architecture.md). */
export { MediaFileSource, MediaSourceError, type MediaFileSourceEvents, type PlayerState, type VideoInfo } from './MediaFileSource.js';
export { checkProfile, mediaProfiles, profileSpec, RecordingProfileError, type MediaProfile, type ProfileSpec } from './profiles.js';
export { RecordingSink, type RecordingResult, type RecordingSinkEvents, type RecordingSinkOptions, type RecordingState } from './RecordingSink.js';
export { HttpUploadServer, type HttpUploadServerOptions, type Upload, type UploadRegistration, type UploadTarget } from './HttpUploadServer.js';
export { UploadError } from './RecordingTargets.js';
export type { PlayerTrack } from './trackCodecs.js';
export { MediaUriError, MediaUriPolicy, type MediaUriPolicyOptions, type MediaUriRule, type ResolvedMediaUri, type FileOrHttpUri } from './uris.js';
