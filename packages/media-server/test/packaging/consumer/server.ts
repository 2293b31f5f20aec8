// A user's TypeScript against the installed declarations of the media server (started from
// code) and the browser helper.
import { MediaServer, type ServerConfig } from '@kurento-ts/media-server';
import { WebRtcPeer } from '@kurento-ts/browser';

export async function serve(port: number): Promise<string> {
  const overrides: Partial<ServerConfig> = { port, networkInterfaces: ['127.0.0.1'] };
  const server = await MediaServer.start(overrides);
  const url: string = server.url;
  await server.stop();
  return url;
}

export type Peer = WebRtcPeer;
// @ts-expect-error: the port is a number
export const badConfig: Partial<ServerConfig> = { port: '8888' };
