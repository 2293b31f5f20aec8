/** What an Opus packet's TOC byte says of its duration (RFC 6716 §3.1). */

/** Frame sizes in ms by configuration number (the TOC's top five bits). */
const FRAME_MS = [10, 20, 40, 60, 10, 20, 40, 60, 10, 20, 40, 60, 10, 20, 10, 20, 2.5, 5, 10, 20, 2.5, 5, 10, 20, 2.5, 5, 10, 20, 2.5, 5, 10, 20];

/** The audio an Opus packet holds, in seconds; 0 for an empty or malformed one. */
export function opusPacketSeconds(packet: Uint8Array): number {
  const toc = packet[0];
  if (toc === undefined) return 0;
  const frameMs = FRAME_MS[toc >> 3] ?? 20;
  const code = toc & 0x03;
  // Code 0: one frame; 1 and 2: two; 3: the count is in the next byte (RFC 6716 §3.2.5).
  const frames = code === 0 ? 1 : code === 3 ? (packet[1] ?? 0) & 0x3f : 2;
  return (frameMs * frames) / 1000;
}
