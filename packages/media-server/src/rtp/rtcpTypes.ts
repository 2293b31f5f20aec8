/** RTCP packet types (the second byte of each packet). */
export const RtcpType = {
  /** Sender report (RFC 3550 §6.4.1). */
  SR: 200,
  /** Receiver report (RFC 3550 §6.4.2). */
  RR: 201,
  /** Source description (RFC 3550 §6.5). */
  SDES: 202,
  /** Transport-layer feedback: Generic NACK, transport-cc (RFC 4585 §6.1). */
  RTPFB: 205,
  /** Payload-specific feedback: PLI (FMT 1), FIR (FMT 4, RFC 5104). */
  PSFB: 206,
} as const;
