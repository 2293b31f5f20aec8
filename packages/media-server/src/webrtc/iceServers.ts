/** Turns Kurento's STUN/TURN properties into ICE server entries. */
import { KurentoError } from '@kurento-ts/protocol';

/** An ICE server as the WebRTC stack takes it. */
export interface IceServer {
  urls: string;
  username?: string;
  credential?: string;
}

/** Kurento's TURN url: `user:password@host:port[?transport=udp|tcp]`. */
const TURN_URL = /^([^:@]+):([^@]+)@([^:?@]+|\[[0-9a-fA-F:]+\]):(\d{1,5})(\?transport=(udp|tcp))?$/;

/** Builds the ICE server list from the endpoint's properties. */
export function iceServers(stunAddress: string, stunPort: number, turnUrl: string): IceServer[] {
  const servers: IceServer[] = [];
  if (stunAddress) servers.push({ urls: `stun:${stunAddress}:${stunPort}` });
  if (turnUrl) {
    const m = TURN_URL.exec(turnUrl);
    if (!m) throw new KurentoError('MEDIA_OBJECT_ILLEGAL_PARAM_ERROR', 'turnUrl must be user:password@host:port[?transport=udp|tcp]');
    servers.push({ urls: `turn:${m[3] ?? ''}:${m[4] ?? ''}${m[5] ?? ''}`, username: m[1] ?? '', credential: m[2] ?? '' });
  }
  return servers;
}

/** The address field of an SDP candidate line, or undefined when it is not one. */
export function candidateAddress(candidate: string): string | undefined {
  const fields = candidate.replace(/^a=/, '').split(' ');
  return fields[0]?.startsWith('candidate:') && fields.length >= 8 ? fields[4] : undefined;
}
