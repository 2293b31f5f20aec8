/**
 * What flows on a DATA connection of the media graph: one data-channel message, with the label
 * and subprotocol of the channel it arrived on, so that a sink can pick the channel it leaves on.
 * A leaf module: it imports nothing of the server.
 */

/** One data-channel message (its buffer is valid only during the call that hands it over). */
export interface DataMessage {
  /** The label of the channel it arrived on. */
  readonly label: string;
  /** That channel's subprotocol ('' when none). */
  readonly protocol: string;
  /** A text message, or the bytes of a binary one. */
  readonly data: string | Buffer;
}

/** The size of a message's payload in bytes (text as UTF-8). */
export function dataMessageSize(data: string | Buffer): number {
  return typeof data === 'string' ? Buffer.byteLength(data) : data.length;
}
