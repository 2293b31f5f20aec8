/**
 * Only peers that proved they know our ICE password reach DTLS and SRTP.
 *
 * werift 0.24 hands every non-STUN datagram to DTLS whatever its source (a flood of DTLS-shaped
 * records from a stranger tears a live call down) and answers binding requests without checking
 * their MESSAGE-INTEGRITY. We sit in front of each of its UDP sockets: a binding request counts
 * only when its USERNAME names our ufrag and its MESSAGE-INTEGRITY verifies with our password,
 * and that marks its source address as a peer; other datagrams are dropped unless they come from
 * a peer. STUN responses pass (werift verifies them against its transactions). TURN relays are
 * left as werift has them.
 *
 * This reaches into werift internals (named below); pinned werift 0.24.4 is what it was written
 * against, and the media-flood test proves it still holds.
 */
import { NativeUdpTransport } from '@kurento-ts/native';
import { parseMessage, type IceConnection } from 'werift';
import { onEachStunSocket } from './stunSockets.js';

type Address = [string, number];

/** The parts of werift's Connection and StunProtocol that are private in its typings. */
interface ConnectionInternals {
  localUsername: string;
  localPassword: string;
  /** Earlier ufrags (after an ICE restart) → their passwords. */
  userHistory: Record<string, string>;
}
interface ProtocolInternals {
  datagramReceived(data: Buffer, addr: Address): void;
  /** Its socket, set once it opened (werift's UdpTransport, or a NativeUdpTransport). */
  transport?: unknown;
}

const STUN_BINDING_REQUEST = 0x0001;
/** The class bits of a STUN message type: 0 for a request. */
const STUN_CLASS_BITS = 0x0110;
const guarded = new WeakSet<IceConnection>();

/** Counts of what the guard turned away, for stats and tests. */
export interface GuardCounters {
  droppedDatagrams: number;
}

/**
 * Where RTP from a validated peer may be taken before werift sees it (the media fast path).
 * `rtp` returns false to leave a packet to werift.
 *
 * A peer that finishes DTLS first (the DTLS server, when we are its client) sends media before
 * our side has processed its last flight: with `holdEarly`, RTP that comes while `rtp` is unset
 * is held in `early` (up to EARLY_RTP_LIMIT packets) for the fast path to take once it starts,
 * instead of reaching werift, which drops media it has no keys for. The first packets of a call
 * (a browser's first keyframe among them) are then forwarded late by a few ms, not lost.
 */
export interface MediaTap {
  rtp: ((data: Buffer) => boolean) | undefined;
  holdEarly: boolean;
  readonly early: EarlyRtp[];
}

/** An RTP datagram held until the fast path starts, with its source and werift's receive (for what the fast path declines). */
export interface EarlyRtp {
  data: Buffer;
  addr: Address;
  werift: (data: Buffer, addr: Address) => void;
}

/** The most RTP datagrams held before the fast path starts (about 0.3 s of a 1.5 Mbit/s call). */
export const EARLY_RTP_LIMIT = 64;

/** Installs the guard on a connection before it opens sockets; idempotent. */
export function guardIceSources(connection: IceConnection, counters: GuardCounters, tap?: MediaTap): void {
  if (guarded.has(connection)) return;
  guarded.add(connection);
  const internals = connection as unknown as ConnectionInternals;
  const peers = new Set<string>();
  const passwordFor = (ufrag: string): string | undefined =>
    ufrag === internals.localUsername ? internals.localPassword : internals.userHistory[ufrag];

  /** What an unknown source sent: a STUN response or indication, an authentic binding request, or anything else. */
  const classify = (data: Buffer): 'response' | 'request' | 'other' => {
    if (data.length < 20 || (data[0] ?? 0xff) >= 4) return 'other'; // not STUN (RFC 7983)
    const type = data.readUInt16BE(0);
    if ((type & STUN_CLASS_BITS) !== 0) return 'response';
    if (type !== STUN_BINDING_REQUEST) return 'other';
    const username = parseMessage(data)?.getAttributeValue('USERNAME') as unknown;
    if (typeof username !== 'string') return 'other';
    const password = passwordFor(username.split(':')[0] ?? '');
    return password !== undefined && parseMessage(data, Buffer.from(password, 'utf8')) !== undefined ? 'request' : 'other';
  };

  onEachStunSocket(connection, (protocol) => {
    const socket = protocol as unknown as ProtocolInternals;
    const receive = socket.datagramReceived.bind(protocol);
    // A native socket drops non-STUN from strangers in C; a peer proven here is let through there too.
    const admit = (addr: Address): void => {
      const transport = socket.transport;
      if (!(transport instanceof NativeUdpTransport) || transport.closed) return;
      try {
        transport.trust(addr);
      } catch {
        // its peer table is full: that source's media stays dropped in C
      }
    };
    // The last peer seen: the common case costs two comparisons per packet.
    let lastHost = '';
    let lastPort = -1;
    socket.datagramReceived = (data, addr) => {
      const [host, port] = addr;
      if (port !== lastPort || host !== lastHost) {
        const key = `${host} ${port}`;
        if (!peers.has(key)) {
          const kind = classify(data);
          if (kind === 'other') {
            counters.droppedDatagrams++;
            return;
          }
          if (kind === 'response') return receive(data, addr);
          peers.add(key);
          admit(addr);
        }
        lastHost = host;
        lastPort = port;
      }
      // RTP (RFC 7983: first byte 128–191; RFC 5761: second byte not an RTCP type 192–223).
      if (tap !== undefined) {
        const b0 = data[0] ?? 0;
        const b1 = data[1] ?? 0;
        if (b0 >= 128 && b0 < 192 && (b1 < 192 || b1 > 223)) {
          if (tap.rtp !== undefined) {
            if (tap.rtp(data)) return;
          } else if (tap.holdEarly && tap.early.length < EARLY_RTP_LIMIT) {
            // Ours to keep: a native socket hands copies, node:dgram a Buffer per datagram.
            tap.early.push({ data, addr, werift: receive });
            return;
          }
        }
      }
      receive(data, addr);
    };
  });
}
