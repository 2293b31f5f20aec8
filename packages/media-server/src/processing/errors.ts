/**
 * What can go wrong in the processing backend, as codes the elements map to Kurento's errors
 * (a bad command or property: a 40xxx answer to the request; a unit that dies: the element's
 * `Error` event).
 */

/** Why a processing request failed or a unit stopped. */
export type ProcessingErrorCode =
  /** GStreamer, its Python bindings or a plugin the unit needs is not installed (the message names the Debian packages). */
  | 'unavailable'
  /** A GStreamerFilter command that does not parse or does not fit the filter type. */
  | 'invalid-command'
  /** A command that is a bin or a pipeline, or whose element is not a one-in, one-out filter. */
  | 'not-one-element'
  /** An element that exists but is not on the allow-list. */
  | 'not-allowed'
  /** No GStreamer element of that name. */
  | 'no-such-element'
  /** setElementProperty on a property the element does not have (or cannot write). */
  | 'no-such-property'
  /** A property value GStreamer cannot convert. */
  | 'invalid-value'
  /** An overlay image that cannot be read, fetched or decoded. */
  | 'bad-image'
  /** removeImage of an id that was never added. */
  | 'no-such-image'
  /** A codec the backend cannot decode or encode. */
  | 'unsupported-codec'
  /** The unit's process crashed, was killed, or GStreamer reported an error. */
  | 'crashed'
  /** The unit stopped answering or stopped producing output while input flowed. */
  | 'hung'
  /** A request to a unit that is closed. */
  | 'closed'
  /** A request the unit does not understand: a bug on our side. */
  | 'internal';

/** An error of the processing backend, with a stable code and a message for a person. */
export class ProcessingError extends Error {
  override readonly name = 'ProcessingError';

  constructor(
    readonly code: ProcessingErrorCode,
    message: string,
  ) {
    super(message);
  }
}
