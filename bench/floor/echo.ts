/**
 * The floor's echo process (forked by floor.ts): SRTP in, SRTP out, nothing else, so its CPU per
 * packet is what any media server on this machine cannot go below on that path.
 *   node: node:dgram + our TypeScript SrtpContext (a node:crypto cipher per packet), as the
 *         server's TypeScript fast path does.
 *   native: the addon's socket (recvmmsg/sendmmsg) and in-place SRTP, JS touching each packet.
 * Keys come hex-encoded in FLOOR_KEYS (in key, in salt, out key, out salt); the port goes to the parent.
 */
import { createSocket } from 'node:dgram';
import { rtpHeaderLength } from '../../packages/media-server/src/rtp/rtpHeader.js';
import { SrtpContext } from '../../packages/media-server/src/rtp/SrtpContext.js';
import { DatagramKind, NativeSrtpSession, NativeUdpSocket } from '../../packages/native/src/index.js';

export type FloorMode = 'node' | 'native';
const PROFILE = 'AEAD_AES_128_GCM';

function keys(): [Buffer, Buffer, Buffer, Buffer] {
  const [a = '', b = '', c = '', d = ''] = (process.env['FLOOR_KEYS'] ?? '').split(',');
  return [Buffer.from(a, 'hex'), Buffer.from(b, 'hex'), Buffer.from(c, 'hex'), Buffer.from(d, 'hex')];
}

function nodeEcho(): void {
  const [inKey, inSalt, outKey, outSalt] = keys();
  const srtpIn = new SrtpContext(PROFILE, inKey, inSalt);
  const srtpOut = new SrtpContext(PROFILE, outKey, outSalt);
  const socket = createSocket('udp4');
  socket.on('message', (packet, from) => {
    const end = srtpIn.unprotect(packet);
    if (end < 0) return;
    const header = rtpHeaderLength(packet, end);
    socket.send(srtpOut.protect(packet.subarray(0, header), header, packet.subarray(header, end)), from.port, from.address);
  });
  socket.bind(0, '127.0.0.1', () => process.send?.(socket.address().port));
}

function nativeEcho(): void {
  const [inKey, inSalt, outKey, outSalt] = keys();
  const srtpIn = new NativeSrtpSession(PROFILE, inKey, inSalt);
  const srtpOut = new NativeSrtpSession(PROFILE, outKey, outSalt);
  const socket = new NativeUdpSocket({
    address: '127.0.0.1',
    batch: 64,
    txCapacity: 64,
    peersOnly: false,
    onBatch(s, count) {
      let n = 0;
      for (let i = 0; i < count; i++) {
        if (s.rxKind[i] !== DatagramKind.rtp) continue;
        const at = s.rxOffset(i);
        const plain = srtpIn.unprotectRtp(s.slab, at, s.rxLength[i] ?? 0);
        if (plain < 0) continue;
        const sealed = srtpOut.protectRtp(s.slab, at, plain);
        let peer = s.rxPeer[i] ?? -1;
        if (peer < 0) peer = s.addPeer(...s.source(i));
        s.txOffset[n] = at;
        s.txLength[n] = sealed;
        s.txPeer[n] = peer;
        n++;
      }
      return n;
    },
  });
  process.send?.(socket.port);
}

const mode = process.argv[2] as FloorMode | undefined;
if (mode === 'node') nodeEcho();
else if (mode === 'native') nativeEcho();
else throw new Error(`floor echo: unknown mode ${String(mode)}`);
process.on('disconnect', () => process.exit(0));
