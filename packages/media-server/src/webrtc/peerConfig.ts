/** The werift peer configuration this server uses: codecs, feedback, extensions, ICE limits. */
import {
  useAbsSendTime, useFIR, useH264, useNACK, useOPUS, usePLI, useREMB, useSdesMid, useTWCC,
  useTransportWideCC, useVP8, type PeerConfig,
} from 'werift';

/** ICE inputs of one endpoint. */
export interface IceOptions {
  /** Addresses host candidates may use; empty means all. */
  networkInterfaces: readonly string[];
  /** UDP port range for media, or undefined for any. */
  portRange: [number, number] | undefined;
  /** STUN/TURN servers. */
  iceServers: { urls: string; username?: string; credential?: string }[];
}

const videoFeedback = () => [useNACK(), usePLI(), useFIR(), useREMB(), useTWCC()];

/** Builds the werift configuration for one endpoint. */
export function peerConfig(ice: IceOptions): Partial<PeerConfig> {
  const v4 = ice.networkInterfaces.filter((a) => !a.includes(':'));
  const v6 = ice.networkInterfaces.filter((a) => a.includes(':'));
  const restricted = ice.networkInterfaces.length > 0;
  return {
    // One transport for all media: with per-m-line transports werift leaks the unused ones
    // (their sockets stay open after close) once the answer bundles them.
    bundlePolicy: 'max-bundle',
    iceServers: ice.iceServers,
    icePortRange: ice.portRange,
    // werift gathers from the machine's interfaces; loopback addresses must be added by hand.
    iceAdditionalHostAddresses: restricted ? [...ice.networkInterfaces] : undefined,
    iceInterfaceAddresses: restricted ? { udp4: v4[0], udp6: v6[0] } : undefined,
    iceUseIpv4: !restricted || v4.length > 0,
    iceUseIpv6: restricted ? v6.length > 0 : false,
    codecs: {
      audio: [useOPUS()],
      video: [useVP8({ rtcpFeedback: videoFeedback() }), useH264({ rtcpFeedback: videoFeedback() })],
    },
    headerExtensions: {
      audio: [useSdesMid(), useAbsSendTime(), useTransportWideCC()],
      video: [useSdesMid(), useAbsSendTime(), useTransportWideCC()],
    },
  };
}
