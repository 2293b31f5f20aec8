/**
 * What a media server run in-process may leave behind: UDP sockets still open after
 * MediaServer.stop() (each, with its session's timers, keeps the test process alive for ever, so
 * the leak would show as a hang). Node has no public API that hands out open handles, so this reads the undocumented
 * `process._getActiveHandles()`; test code only.
 */
import type { Socket } from 'node:dgram';
import { waitFor } from '@kurento-ts/test-utils';

type Handle = { constructor: { name: string }; type?: unknown; unref?: () => void; address?: () => { address: string; port: number } };

const openUdpSockets = (): Handle[] =>
  (process as unknown as { _getActiveHandles(): Handle[] })._getActiveHandles().filter((h) => h.type === 'udp4' || h.type === 'udp6');

/**
 * Waits (up to 1 s) for this process's UDP sockets to close; those still open are unref'd, so
 * that the process can end, and described ("127.0.0.1:5000", ...). [] means nothing leaked.
 */
export async function unrefLeakedUdpSockets(): Promise<string[]> {
  await waitFor('UDP sockets closed', () => openUdpSockets().length === 0, 1000, 50).catch(() => undefined);
  return openUdpSockets().map((h) => {
    (h as unknown as Socket).unref();
    const a = h.address?.();
    return a ? `${a.address}:${a.port}` : 'a UDP socket';
  });
}
