import { MediaServer, type ServerConfig } from '../../src/index.js';

/** Starts a server on a free loopback port with media kept on 127.0.0.1. */
export function startServer(overrides: Partial<ServerConfig> = {}): Promise<MediaServer> {
  return MediaServer.start({ port: 0, networkInterfaces: ['127.0.0.1'], logLevel: 'warn', ...overrides });
}

/** Matches Kurento's pipeline id shape. */
export const PIPELINE_ID = /^[0-9a-f-]{36}_kurento\.MediaPipeline$/;
