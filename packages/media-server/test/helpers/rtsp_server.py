#!/usr/bin/python3
"""A test RTSP server made of GStreamer's gst-rtsp-server (Debian's gir1.2-gst-rtsp-server-1.0).

Listens on 127.0.0.1 at a free port and serves test streams, one media per client:
  /h264   H.264 (x264enc, a keyframe every 30 frames) + Opus
  /vp8    VP8 + Opus
  /short  H.264 for about 2 s, then the end of the stream
Every mount takes RTP over the RTSP connection only (TCP interleaved): rtspsrc first asks for
UDP, is refused, and falls back to TCP, so the test exercises that negotiation, and nothing
listens beyond 127.0.0.1 (rtspsrc's UDP ports would bind to every interface).
Writes JSON lines on stdout: {"event": "listening", "port": N}, then for each client
"connected", "describe", "play", "teardown" (the client's TEARDOWN request) and "closed".
"""
import json
import sys

import gi
gi.require_version('Gst', '1.0')
gi.require_version('GstRtsp', '1.0')
gi.require_version('GstRtspServer', '1.0')
from gi.repository import GLib, Gst, GstRtsp, GstRtspServer

H264 = 'x264enc tune=zerolatency speed-preset=ultrafast key-int-max=30 bitrate=800 ! video/x-h264,profile=constrained-baseline ! rtph264pay name=pay0 pt=96'
VP8 = 'vp8enc deadline=1 cpu-used=8 keyframe-max-dist=30 target-bitrate=800000 ! rtpvp8pay name=pay0 pt=96'
OPUS = 'audiotestsrc is-live=true wave=sine {limit} ! audio/x-raw,rate=48000,channels=2 ! opusenc ! rtpopuspay name=pay1 pt=97'
VIDEO = 'videotestsrc is-live=true pattern=ball {limit} ! video/x-raw,width=320,height=240,framerate=30/1 ! videoconvert ! '

MOUNTS = {
    '/h264': '( ' + VIDEO.format(limit='') + H264 + ' ' + OPUS.format(limit='') + ' )',
    '/vp8': '( ' + VIDEO.format(limit='') + VP8 + ' ' + OPUS.format(limit='') + ' )',
    '/short': '( ' + VIDEO.format(limit='num-buffers=60') + H264 + ' )',
}


def emit(event, **fields):
    sys.stdout.write(json.dumps(dict(event=event, **fields)) + '\n')
    sys.stdout.flush()


def on_client(_server, client):
    emit('connected')
    client.connect('describe-request', lambda _c, ctx: emit('describe', uri=ctx.uri.abspath))
    client.connect('play-request', lambda _c, ctx: emit('play', uri=ctx.uri.abspath))
    client.connect('teardown-request', lambda _c, ctx: emit('teardown', uri=ctx.uri.abspath))
    client.connect('closed', lambda _c: emit('closed'))


def main():
    Gst.init(None)
    server = GstRtspServer.RTSPServer()
    server.set_address('127.0.0.1')
    server.set_service('0')
    mounts = server.get_mount_points()
    for path, launch in MOUNTS.items():
        factory = GstRtspServer.RTSPMediaFactory()
        factory.set_launch(launch)
        factory.set_shared(False)
        factory.set_protocols(GstRtsp.RTSPLowerTrans.TCP)
        mounts.add_factory(path, factory)
    server.connect('client-connected', on_client)
    if server.attach(None) == 0:
        emit('failed', message='cannot listen')
        sys.exit(1)
    emit('listening', port=server.get_bound_port())
    GLib.MainLoop().run()


if __name__ == '__main__':
    main()
