/**
 * What a media server run in-process may leave behind: UDP sockets still open after
 * MediaServer.stop() (each, with its session's timers, keeps the test process alive for ever, so
 * the leak would show as a hang). The sockets are counted from the kernel's tables
 * (`openUdpSockets`), which see the native addon's sockets as well as node:dgram's; node:dgram's
 * are found among `process._getActiveHandles()` (undocumented; test code only) to be unref'd.
 */
import type { Socket } from 'node:dgram';
import { openUdpSockets, waitFor } from '@kurento-ts/test-utils';

type Handle = { constructor: { name: string }; type?: unknown; unref?: () => void; address?: () => { address: string; port: number } };

const dgramSockets = (): Handle[] =>
  (process as unknown as { _getActiveHandles(): Handle[] })._getActiveHandles().filter((h) => h.type === 'udp4' || h.type === 'udp6');

/**
 * Waits (up to 1 s) for this process's UDP sockets to close; node:dgram ones still open are
 * unref'd, so that the process can end, and all are described ("127.0.0.1:5000", ...; a native
 * socket says so). [] means nothing leaked.
 */
export async function unrefLeakedUdpSockets(): Promise<string[]> {
  await waitFor('UDP sockets closed', () => openUdpSockets().length === 0, 1000, 50).catch(() => undefined);
  const dgram = new Set<number>();
  for (const h of dgramSockets()) {
    (h as unknown as Socket).unref();
    const a = h.address?.();
    if (a) dgram.add(a.port);
  }
  return openUdpSockets().map((s) => {
    const name = `${s.address}:${s.port}`;
    return dgram.has(s.port) ? name : `${name} (native)`;
  });
}
