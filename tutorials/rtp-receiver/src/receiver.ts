/**
 * One page's RTP receiver: an RtpEndpoint (SRTP with SDES when the page asks) connected to the
 * page's WebRtcEndpoint. The app writes the sender's SDP offer itself, as Kurento's tutorial
 * does: a sender that sends first (COMEDIA, `a=direction:active`, from any address), VP8 and
 * Opus, with a fresh SRTP master key per stream; the RtpEndpoint's answer tells where to send
 * (SHOW_CONN_INFO) and is shown as it is (SHOW_SDP_ANSWER). An Error of the media server ends
 * the session with END_PLAYBACK.
 */
import { randomBytes } from 'node:crypto';
import type { SessionDialect, SessionWiring } from '@kurento-ts/tutorial-kit';
import { parseBrowserMessage, SRTP_SUITE, type ConnectionInfo, type ServerMessage } from './messages.js';
import { PAYLOAD } from './senders.js';

/** What a start carries besides the offer. */
export interface ReceiverParams {
  useSrtp: boolean;
}

/** Kurento's rtp-receiver messages. */
export const RECEIVER_DIALECT: SessionDialect<ServerMessage, ReceiverParams> = {
  parse: (text) => {
    const message = parseBrowserMessage(text);
    switch (message.id) {
      case 'PROCESS_SDP_OFFER':
        return { id: 'start', sdpOffer: message.sdpOffer, params: { useSrtp: message.useSrtp } };
      case 'ADD_ICE_CANDIDATE':
        return { id: 'candidate', candidate: message.candidate };
      case 'STOP':
        return { id: 'stop' };
    }
  },
  answer: (sdpAnswer) => ({ id: 'PROCESS_SDP_ANSWER', sdpAnswer }),
  candidate: (candidate) => ({ id: 'ADD_ICE_CANDIDATE', candidate }),
};

/** A master key and salt for SDES (30 bytes, base64). */
const newKey = (): string => randomBytes(30).toString('base64');

/** The sender's offer, written for it: COMEDIA, any address, VP8 and Opus, SDES keys when given. */
export function senderOffer(keys?: { audioKey: string; videoKey: string }): string {
  const profile = keys ? 'RTP/SAVPF' : 'RTP/AVPF';
  const media = (kind: 'audio' | 'video', rtpmap: string, key: string | undefined): string[] => [
    `m=${kind} 9 ${profile} ${PAYLOAD[kind]}`,
    `a=rtpmap:${PAYLOAD[kind]} ${rtpmap}`,
    ...(key ? [`a=crypto:1 ${SRTP_SUITE} inline:${key}`] : []),
    'a=direction:active',
    'a=sendonly',
  ];
  return [
    'v=0',
    'o=- 0 0 IN IP4 0.0.0.0',
    's=Kurento-TS RTP receiver tutorial',
    'c=IN IP4 0.0.0.0',
    't=0 0',
    ...media('audio', 'opus/48000/2', keys?.audioKey),
    ...media('video', 'VP8/90000', keys?.videoKey),
    '',
  ].join('\r\n');
}

/** Where the RtpEndpoint's answer says to send. */
export function connectionInfo(answer: string, keys?: { audioKey: string; videoKey: string }): ConnectionInfo {
  const address = /^c=IN IP[46] (\S+)/m.exec(answer)?.[1];
  const port = (kind: string): number => Number(new RegExp(`^m=${kind} (\\d+) `, 'm').exec(answer)?.[1] ?? NaN);
  const [audioPort, videoPort] = [port('audio'), port('video')];
  if (!address || !(audioPort > 0) || !(videoPort > 0)) throw new Error(`the RtpEndpoint's answer has no address or ports: ${answer}`);
  return { address, audioPort, videoPort, ...(keys ? { srtp: { suite: SRTP_SUITE, ...keys } } : {}) };
}

/** The receiver's wiring: RtpEndpoint → the page's WebRtcEndpoint. */
export const RECEIVER_WIRING: SessionWiring<ServerMessage, ReceiverParams> = {
  wire: async ({ pipeline, endpoint, params, send, end }) => {
    // Our own key (for what the RtpEndpoint would send back) is the media server's to choose.
    const rtp = await pipeline.create('RtpEndpoint', params.useSrtp ? { crypto: { crypto: 'AES_128_CM_HMAC_SHA1_80' } } : {});
    const ended = (message: string): void => {
      send({ id: 'END_PLAYBACK', message });
      end();
    };
    await Promise.all([
      pipeline.on('Error', ({ description }) => ended(description)),
      rtp.on('Error', ({ description }) => ended(description)),
      endpoint.on('Error', ({ description }) => ended(description)),
      rtp.connect(endpoint),
    ]);
    const keys = params.useSrtp ? { audioKey: newKey(), videoKey: newKey() } : undefined;
    const answer = await rtp.processOffer(senderOffer(keys));
    send({ id: 'SHOW_CONN_INFO', ...connectionInfo(answer, keys) });
    send({ id: 'SHOW_SDP_ANSWER', sdpAnswer: answer });
  },
};
