/**
 * The processing backend: decoding, filtering, overlaying, scanning and re-encoding RTP streams
 * with GStreamer, each unit in a process of its own. What elements and edges use.
 */
export { ProcessingBackend, type ProcessingBackendOptions, type Availability, type FilterCommandInfo, type UnitCodecs } from './ProcessingBackend.js';
export { ProcessingUnit, type UnitState, type UnitStats } from './ProcessingUnit.js';
export { RtspSourceUnit, RTSP_PAYLOAD_TYPES, type RtspTrack } from './RtspSourceUnit.js';
export { FilterUnit, TranscoderUnit, FaceOverlayUnit, ImageOverlayUnit, BarcodeUnit, type FacePlacement, type ImagePlacement, type CodeFound } from './units.js';
export { ProcessingError, type ProcessingErrorCode } from './errors.js';
export { ALLOWED_FILTER_ELEMENTS, parseFilterCommand, type FilterType, type AllowedElement } from './filterCommand.js';
export { canDecode, canEncode, kindOfCodec, DEFAULT_ENCODER_SETTINGS, type EncoderSettings } from './codecChains.js';
export type { OverlayImageSource, ImageLimits } from './overlayImages.js';
export { Signal } from './Signal.js';
