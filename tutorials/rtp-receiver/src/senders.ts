/**
 * The sender commands the page shows (and the README documents): ffmpeg and gst-launch-1.0
 * sending a test picture (VP8) and a tone (Opus) to the RtpEndpoint, over plain RTP or SRTP.
 * Shared by src/ and public/; nothing here needs Node or the DOM.
 */
import type { ConnectionInfo } from './messages.js';

/** The payload types of the sender's offer (what its commands put in each packet). */
export const PAYLOAD = { audio: 111, video: 96 } as const;

/** The ffmpeg command line, one option group per line (as the README shows it). */
export function ffmpegCommand(info: ConnectionInfo): string {
  const out = (kind: 'audio' | 'video', port: number): string => {
    const pt = `-f rtp -payload_type ${PAYLOAD[kind]}`;
    if (!info.srtp) return `${pt} rtp://${info.address}:${port}`;
    const key = kind === 'audio' ? info.srtp.audioKey : info.srtp.videoKey;
    return `${pt} -srtp_out_suite ${info.srtp.suite} -srtp_out_params ${key} srtp://${info.address}:${port}`;
  };
  return [
    'ffmpeg -re -f lavfi -i testsrc2=size=320x240:rate=30 -f lavfi -i sine=frequency=440:sample_rate=48000',
    `  -map 0:v -c:v libvpx -deadline realtime -cpu-used 8 -b:v 1M -g 30 ${out('video', info.videoPort)}`,
    `  -map 1:a -c:a libopus -b:a 64k ${out('audio', info.audioPort)}`,
  ].join(' \\\n');
}

/** Hex of a base64 SDES key, as GStreamer's srtpenc takes it. */
function hex(base64: string): string {
  return Array.from(atob(base64), (c) => c.charCodeAt(0).toString(16).padStart(2, '0')).join('');
}

/** The gst-launch-1.0 command line, one branch per line. */
export function gstCommand(info: ConnectionInfo): string {
  const sink = (kind: 'audio' | 'video', port: number): string => {
    const udp = `udpsink host=${info.address} port=${port}`;
    if (!info.srtp) return udp;
    const key = kind === 'audio' ? info.srtp.audioKey : info.srtp.videoKey;
    return `srtpenc key=${hex(key)} rtp-cipher=aes-128-icm rtp-auth=hmac-sha1-80 rtcp-cipher=aes-128-icm rtcp-auth=hmac-sha1-80 ! ${udp}`;
  };
  return [
    'gst-launch-1.0 -e',
    `  videotestsrc is-live=true ! video/x-raw,width=320,height=240,framerate=30/1 ! vp8enc deadline=1 keyframe-max-dist=30 ! rtpvp8pay pt=${PAYLOAD.video} ! ${sink('video', info.videoPort)}`,
    `  audiotestsrc is-live=true wave=sine freq=440 ! audioconvert ! audioresample ! opusenc ! rtpopuspay pt=${PAYLOAD.audio} ! ${sink('audio', info.audioPort)}`,
  ].join(' \\\n');
}
