#!/usr/bin/python3
"""One processing unit of Kurento-TS: a GStreamer pipeline in a process of its own.

The Node side (processing/ProcessingUnit.ts) starts this program with five descriptors:
  0  control in: JSON lines. The first is the unit's spec; the others are requests {id, op, ...}
  1  control out: JSON lines: replies {id, ok, ...} and events {event, ...}
  2  log lines (GStreamer and OpenCV write there too)
  3  RTP in, 4  RTP out: RTP packets framed as RFC 4571 (a 16-bit length before each packet),
     read by fdsrc ! rtpstreamdepay and written by rtpstreampay ! fdsink.
Media never passes through Python: the pipeline moves it from fd 3 to fd 4 in GStreamer's own
threads; Python only builds the pipeline, answers requests and relays bus messages.

Modes (the spec's "mode"): "probe" (which elements are installed), "inspect" (validate a
GStreamerFilter command and describe its element), "run" (build the pipeline and play it),
"rtsp" (a PlayerEndpoint's rtsp:// source: nothing on fd 3, the camera's streams out on fd 4).
"""
import base64
import json
import os
import signal
import sys
import threading
import time

EXIT_FAILED = 2
EXIT_NO_GSTREAMER = 3

_out_lock = threading.Lock()


def emit(message):
    """Writes one control line; called from the main loop and from streaming threads."""
    line = json.dumps(message, separators=(',', ':')) + '\n'
    with _out_lock:
        try:
            sys.stdout.write(line)
            sys.stdout.flush()
        except BrokenPipeError:
            os._exit(EXIT_FAILED)


def fail(code, message):
    """Reports a failure before the unit is running and exits."""
    emit({'event': 'failed', 'code': code, 'message': message})
    sys.stdout.flush()
    os._exit(EXIT_FAILED)


try:
    import gi
    gi.require_version('Gst', '1.0')
    gi.require_version('GstVideo', '1.0')
    from gi.repository import GLib, GObject, Gst, GstVideo
except (ImportError, ValueError) as error:
    emit({'event': 'failed', 'code': 'unavailable', 'message': 'GStreamer for Python is not installed: %s' % error})
    sys.exit(EXIT_NO_GSTREAMER)

PARSE_FLAGS = Gst.ParseFlags.FATAL_ERRORS | Gst.ParseFlags.NO_SINGLE_ELEMENT_BINS


class UnitError(Exception):
    """A request or a spec that cannot be honoured, with a code the Node side maps."""

    def __init__(self, code, message):
        super().__init__(message)
        self.code = code


def gerror_text(error):
    return getattr(error, 'message', None) or str(error)


def quote(value):
    """A string as one gst-launch value: double quotes, backslash escapes."""
    return '"' + value.replace('\\', '\\\\').replace('"', '\\"') + '"'


# ---------------------------------------------------------------- GStreamerFilter commands

def factory_kinds(factory):
    """The raw media kinds an element's always-sink pad takes: {'VIDEO'}, {'AUDIO'}, or None for ANY."""
    kinds = set()
    for template in factory.get_static_pad_templates():
        if template.direction != Gst.PadDirection.SINK:
            continue
        caps = template.get_caps()
        if caps.is_any():
            return None
        for i in range(caps.get_size()):
            name = caps.get_structure(i).get_name()
            if name.startswith('video/'):
                kinds.add('VIDEO')
            elif name.startswith('audio/'):
                kinds.add('AUDIO')
    return kinds


def is_filter_factory(factory):
    """One always sink pad and one always src pad: an element that sits in a chain."""
    sinks = srcs = 0
    for template in factory.get_static_pad_templates():
        if template.presence != Gst.PadPresence.ALWAYS:
            return False
        if template.direction == Gst.PadDirection.SINK:
            sinks += 1
        elif template.direction == Gst.PadDirection.SRC:
            srcs += 1
    return sinks == 1 and srcs == 1


def make_user_element(spec):
    """Parses a GStreamerFilter command into one element, checking what Kurento checks and more."""
    command = spec['command']
    factory_name = spec['factory']
    allowed = spec['allowed']
    factory = Gst.ElementFactory.find(factory_name)
    if factory_name not in allowed:
        if factory is None:
            raise UnitError('no-such-element', "no GStreamer element named '%s'" % factory_name)
        raise UnitError('not-allowed', "element '%s' is not allowed in a GStreamerFilter (it is not on the allow-list of elements that only transform media)" % factory_name)
    if factory is None:
        raise UnitError('missing-element', factory_name)
    try:
        element = Gst.parse_launch_full(command, None, PARSE_FLAGS)
    except GLib.Error as error:
        raise UnitError('invalid-command', 'the command does not parse: %s' % gerror_text(error))
    if isinstance(element, Gst.Bin) or element.get_factory() is None or element.get_factory().get_name() != factory_name:
        raise UnitError('not-one-element', 'the command must describe exactly one element, not a bin or a pipeline')
    if not is_filter_factory(factory):
        raise UnitError('not-one-element', "element '%s' has no single sink and src pad" % factory_name)
    kinds = factory_kinds(factory)
    wanted = spec.get('filterType', 'AUTODETECT')
    if wanted == 'AUTODETECT':
        if kinds is None or len(kinds) != 1:
            raise UnitError('invalid-command', "cannot tell whether '%s' filters audio or video: give filterType AUDIO or VIDEO" % factory_name)
        kind = next(iter(kinds))
    else:
        if kinds is not None and wanted not in kinds:
            raise UnitError('invalid-command', "element '%s' does not take %s" % (factory_name, wanted.lower()))
        kind = wanted
    element.set_name('user-element')
    for name, value in spec.get('commandProperties', []):
        if (factory_name, name) in REPLACED_PROPERTIES:
            set_element_property(element, name, value)
    return element, kind


def describe_properties(element):
    described = {}
    for pspec in element.list_properties():
        if pspec.name in ('name', 'parent'):
            continue
        described[pspec.name] = {
            'type': pspec.value_type.name,
            'writable': bool(pspec.flags & GObject.ParamFlags.WRITABLE),
        }
    return described


# Debian's GStreamer 1.22.0 ignores videoflip's deprecated `method` (the frames pass unchanged,
# with gst-launch too); `video-direction` replaced it with the same values, so it is set instead.
REPLACED_PROPERTIES = {('videoflip', 'method'): 'video-direction'}


def enum_number(pspec, text):
    """The number of an enum value given by nick, name or number."""
    for number, member in type(pspec.default_value).__enum_values__.items():
        if text in (member.value_nick, member.value_name, str(number)):
            return number
    return None


def set_element_property(element, name, value):
    """Sets a property from its string form, with gst-launch's conversions and errors."""
    replacement = REPLACED_PROPERTIES.get((element.get_factory().get_name(), name))
    if replacement is not None:
        number = enum_number(element.find_property(name), value)
        if number is None:
            raise UnitError('invalid-value', "cannot set '%s' to %s: not one of its values" % (name, json.dumps(value)))
        element.set_property(replacement, number)
        return
    pspec = element.find_property(name)
    if pspec is None or name in ('name', 'parent'):
        raise UnitError('no-such-property', "element '%s' has no property '%s'" % (element.get_factory().get_name(), name))
    if not pspec.flags & GObject.ParamFlags.WRITABLE:
        raise UnitError('no-such-property', "property '%s' of '%s' is read-only" % (name, element.get_factory().get_name()))
    # A throwaway element parses the value exactly as a command would; its value is then copied.
    try:
        scratch = Gst.parse_launch_full('%s %s=%s' % (element.get_factory().get_name(), name, quote(value)), None, PARSE_FLAGS)
    except GLib.Error as error:
        raise UnitError('invalid-value', "cannot set '%s' to %s: %s" % (name, json.dumps(value), gerror_text(error)))
    element.set_property(name, scratch.get_property(name))


# ---------------------------------------------------------------- overlays

def load_pixbuf(data_b64):
    gi.require_version('GdkPixbuf', '2.0')
    from gi.repository import GdkPixbuf
    loader = GdkPixbuf.PixbufLoader()
    try:
        loader.write(base64.b64decode(data_b64))
        loader.close()
    except GLib.Error as error:
        raise UnitError('bad-image', 'the image cannot be read: %s' % gerror_text(error))
    pixbuf = loader.get_pixbuf()
    if pixbuf is None:
        raise UnitError('bad-image', 'the image cannot be read')
    if not pixbuf.get_has_alpha():
        pixbuf = pixbuf.add_alpha(False, 0, 0, 0)
    return pixbuf


def frame_size(element):
    """Width and height of the raw video on an element's sink pad, or None before caps."""
    caps = element.get_static_pad('sink').get_current_caps()
    if caps is None or caps.get_size() == 0:
        return None
    structure = caps.get_structure(0)
    ok_w, width = structure.get_int('width')
    ok_h, height = structure.get_int('height')
    return (width, height) if ok_w and ok_h else None


def hide(overlay):
    overlay.set_property('alpha', 0.0)


class FaceOverlay:
    """An image drawn over every detected face (up to one overlay element per face slot).

    facedetect runs on a scaled copy in its own thread (a leaky queue takes the newest frame),
    so detection never slows the stream; each result moves the slots, in frame coordinates.
    """

    HOLD_SECONDS = 0.3  # keep a face this long when a detection misses it (Haar results flicker)

    def __init__(self, pipeline, spec):
        self.detector = pipeline.get_by_name(spec['detector'])
        self.slots = [pipeline.get_by_name(name) for name in spec['slots']]
        self.pixbuf = None
        self.ratios = (0.0, 0.0, 1.0, 1.0)
        self.last_faces = []
        self.last_seen = 0.0
        self.face_count = -1
        for slot in self.slots:
            slot.set_property('positioning-mode', 'pixels-absolute')
            hide(slot)

    def set_image(self, request):
        self.pixbuf = load_pixbuf(request['image'])
        self.ratios = (request['offsetX'], request['offsetY'], request['width'], request['height'])
        for slot in self.slots:
            slot.set_property('pixbuf', self.pixbuf)
        self.draw(self.last_faces)

    def unset_image(self):
        self.pixbuf = None
        for slot in self.slots:
            hide(slot)

    def on_detection(self, structure):
        faces = []
        value = structure.get_value('faces')
        for face in (value or []):
            faces.append((face.get_value('x'), face.get_value('y'), face.get_value('width'), face.get_value('height')))
        now = time.monotonic()
        if faces:
            self.last_seen = now
        elif now - self.last_seen < self.HOLD_SECONDS:
            return
        if len(faces) != self.face_count:
            self.face_count = len(faces)
            emit({'event': 'faces', 'count': len(faces)})
        self.draw(faces)

    def draw(self, faces):
        self.last_faces = faces
        detected = frame_size(self.detector)
        target = frame_size(self.slots[0])
        if self.pixbuf is None or detected is None or target is None:
            return
        sx = target[0] / detected[0]
        sy = target[1] / detected[1]
        ox, oy, rw, rh = self.ratios
        for index, slot in enumerate(self.slots):
            if index >= len(faces):
                hide(slot)
                continue
            x, y, w, h = faces[index]
            width = max(1, int(round(w * rw * sx)))
            height = max(1, int(round(h * rh * sy)))
            slot.set_property('overlay-width', width)
            slot.set_property('overlay-height', height)
            slot.set_property('offset-x', int(round((x + w * ox) * sx)))
            slot.set_property('offset-y', int(round((y + h * oy) * sy)))
            slot.set_property('alpha', 1.0)


class ImageOverlay:
    """Images placed at ratios of the frame, by id; all of them composed into one frame-sized layer."""

    def __init__(self, pipeline, spec):
        self.overlay = pipeline.get_by_name(spec['overlay'])
        self.overlay.set_property('positioning-mode', 'pixels-absolute')
        hide(self.overlay)
        self.images = {}
        self.size = None
        self.overlay.get_static_pad('sink').connect('notify::caps', lambda *_: GLib.idle_add(self.on_caps))

    def add(self, request):
        self.images[request['imageId']] = (load_pixbuf(request['image']), request)
        self.compose()

    def remove(self, image_id):
        if image_id not in self.images:
            raise UnitError('no-such-image', "no image with id '%s'" % image_id)
        del self.images[image_id]
        self.compose()

    def on_caps(self):
        size = frame_size(self.overlay)
        if size is not None and size != self.size:
            self.compose()
        return False

    def compose(self):
        gi.require_version('GdkPixbuf', '2.0')
        from gi.repository import GdkPixbuf
        self.size = frame_size(self.overlay)
        if not self.images or self.size is None:
            hide(self.overlay)
            return
        width, height = self.size
        layer = GdkPixbuf.Pixbuf.new(GdkPixbuf.Colorspace.RGB, True, 8, width, height)
        layer.fill(0)
        for pixbuf, request in self.images.values():
            box_x, box_y = request['offsetX'] * width, request['offsetY'] * height
            box_w, box_h = request['width'] * width, request['height'] * height
            scale_x, scale_y = box_w / pixbuf.get_width(), box_h / pixbuf.get_height()
            if request['keepAspectRatio']:
                scale_x = scale_y = min(scale_x, scale_y)
            draw_w, draw_h = pixbuf.get_width() * scale_x, pixbuf.get_height() * scale_y
            if request['center']:
                box_x += (box_w - draw_w) / 2
                box_y += (box_h - draw_h) / 2
            left, top = max(0, int(box_x)), max(0, int(box_y))
            right, bottom = min(width, int(box_x + draw_w)), min(height, int(box_y + draw_h))
            if right <= left or bottom <= top:
                continue
            pixbuf.composite(layer, left, top, right - left, bottom - top, box_x, box_y, scale_x, scale_y, GdkPixbuf.InterpType.BILINEAR, 255)
        self.overlay.set_property('pixbuf', layer)
        self.overlay.set_property('offset-x', 0)
        self.overlay.set_property('offset-y', 0)
        self.overlay.set_property('alpha', 1.0)


# ---------------------------------------------------------------- the running unit

def caps_fields(pad):
    """The string and integer fields of a pad's current caps (what Node reads of them), or None before caps."""
    caps = pad.get_current_caps()
    if caps is None or caps.get_size() == 0:
        return None
    structure = caps.get_structure(0)
    fields = {}
    for i in range(structure.n_fields()):
        name = structure.nth_field_name(i)
        value = structure.get_value(name)
        if isinstance(value, (str, int)) and not isinstance(value, bool):
            fields[name] = value
    return fields


class Unit:
    KEYFRAME_NOTICE_INTERVAL = 0.5  # seconds between two keyframe requests sent to Node

    def __init__(self, spec, pending):
        self.spec = spec
        self.loop = GLib.MainLoop()
        self.pending = pending
        self.user = None
        self.faces = None
        self.images = None
        self.last_keyframe_notice = 0.0
        self.pipeline = self.build()

    def build(self):
        spec = self.spec
        missing = [name for name in spec.get('required', []) if Gst.ElementFactory.find(name) is None]
        if missing:
            fail('missing-element', ' '.join(missing))
        try:
            pipeline = Gst.parse_launch_full(spec['pipeline'], None, Gst.ParseFlags.FATAL_ERRORS)
        except GLib.Error as error:
            fail('internal', 'the unit pipeline does not parse: %s' % gerror_text(error))
        for name, caps in spec.get('caps', {}).items():
            parsed = Gst.Caps.from_string(caps)
            if parsed is None:
                fail('internal', 'bad caps for %s: %s' % (name, caps))
            pipeline.get_by_name(name).set_property('caps', parsed)
        filter_spec = spec.get('filter')
        if filter_spec is not None:
            try:
                self.user, kind = make_user_element(filter_spec)
                for name, value in filter_spec.get('properties', []):
                    set_element_property(self.user, name, value)
            except UnitError as error:
                fail(error.code, str(error))
            if kind != filter_spec['kind']:
                fail('invalid-command', "element '%s' filters %s, not %s" % (filter_spec['factory'], kind.lower(), filter_spec['kind'].lower()))
            before, after = pipeline.get_by_name('user-in'), pipeline.get_by_name('user-out')
            before.unlink(after)
            pipeline.add(self.user)
            if not before.link(self.user) or not self.user.link(after):
                fail('invalid-command', "element '%s' cannot be linked between raw %s pads" % (filter_spec['factory'], kind.lower()))
        if spec.get('faceOverlay'):
            self.faces = FaceOverlay(pipeline, spec['faceOverlay'])
        if spec.get('imageOverlay'):
            self.images = ImageOverlay(pipeline, spec['imageOverlay'])
        watch = spec.get('keyframeWatch')
        if watch:
            pad = pipeline.get_by_name(watch).get_static_pad('sink')
            pad.add_probe(Gst.PadProbeType.EVENT_UPSTREAM, self.on_upstream_event)
        return pipeline

    def on_upstream_event(self, _pad, info):
        """A depayloader or decoder asks upstream for a keyframe: tell Node, which asks the source."""
        event = info.get_event()
        if GstVideo.video_event_is_force_key_unit(event):
            now = time.monotonic()
            if now - self.last_keyframe_notice >= self.KEYFRAME_NOTICE_INTERVAL:
                self.last_keyframe_notice = now
                emit({'event': 'keyframe-needed'})
        return Gst.PadProbeReturn.OK

    def start(self):
        bus = self.pipeline.get_bus()
        bus.add_signal_watch()
        bus.connect('message', self.on_message)
        GLib.io_add_watch(0, GLib.PRIORITY_DEFAULT, GLib.IOCondition.IN | GLib.IOCondition.HUP | GLib.IOCondition.ERR, self.on_control)
        if self.pipeline.set_state(Gst.State.PLAYING) == Gst.StateChangeReturn.FAILURE:
            fail('internal', 'the pipeline did not start')
        kind = self.spec.get('filter', {}).get('kind') if self.spec.get('filter') else None
        emit({'event': 'ready', 'kind': kind, 'pid': os.getpid()})
        payloader = self.spec.get('payloader')
        if payloader:
            pad = self.pipeline.get_by_name(payloader).get_static_pad('src')
            pad.connect('notify::caps', self.on_output_caps)
        GLib.idle_add(self.drain_pending)
        self.loop.run()

    def drain_pending(self):
        """Requests that came in the same read as the spec."""
        self.on_control_bytes(b'')
        return False

    def on_output_caps(self, pad, _param):
        fields = caps_fields(pad)
        if fields is not None:
            emit({'event': 'output-caps', 'caps': fields})

    def on_message(self, _bus, message):
        kind = message.type
        if kind == Gst.MessageType.ERROR:
            error, debug = message.parse_error()
            emit({'event': 'error', 'message': '%s: %s' % (message.src.get_name(), gerror_text(error)), 'debug': debug or ''})
            self.quit(1)
        elif kind == Gst.MessageType.EOS:
            emit({'event': 'eos'})
            self.quit(0)
        elif kind == Gst.MessageType.ELEMENT:
            structure = message.get_structure()
            if structure is None:
                return
            name = structure.get_name()
            if name == 'barcode':
                emit({'event': 'code', 'type': structure.get_string('type'), 'value': structure.get_string('symbol')})
            elif name == 'facedetect' and self.faces is not None:
                self.faces.on_detection(structure)

    def on_control(self, fd, condition):
        try:
            chunk = os.read(fd, 1 << 16)
        except OSError:
            chunk = b''
        if not chunk:
            self.quit(0)  # Node went away: nothing is left to serve
            return False
        self.on_control_bytes(chunk)
        return True

    def on_control_bytes(self, chunk):
        self.pending += chunk
        while b'\n' in self.pending:
            line, self.pending = self.pending.split(b'\n', 1)
            if line.strip():
                self.handle(json.loads(line))

    def handle(self, request):
        request_id = request.get('id')
        try:
            result = self.perform(request)
            emit(dict({'id': request_id, 'ok': True}, **(result or {})))
        except UnitError as error:
            emit({'id': request_id, 'ok': False, 'code': error.code, 'message': str(error)})
        if request.get('op') == 'stop':
            self.quit(0)

    def perform(self, request):
        op = request.get('op')
        if op in ('ping', 'stop'):
            return None
        if op == 'keyframe':
            encoder = self.spec.get('encoder')
            if encoder:
                pad = self.pipeline.get_by_name(encoder).get_static_pad('src')
                pad.send_event(GstVideo.video_event_new_upstream_force_key_unit(Gst.CLOCK_TIME_NONE, True, 0))
            return None
        if op == 'set-property' and self.user is not None:
            set_element_property(self.user, request['name'], request['value'])
            return None
        if op == 'get-property' and self.user is not None:
            pspec = self.user.find_property(request['name'])
            if pspec is None:
                raise UnitError('no-such-property', "element has no property '%s'" % request['name'])
            value = self.user.get_property(request['name'])
            if isinstance(value, GObject.GEnum):
                value = value.value_nick
            elif isinstance(value, GObject.GFlags):
                value = '+'.join(value.value_nicks)
            return {'value': value if isinstance(value, (str, int, float, bool)) or value is None else str(value)}
        if op == 'face-image' and self.faces is not None:
            self.faces.set_image(request)
            return None
        if op == 'face-unset' and self.faces is not None:
            self.faces.unset_image()
            return None
        if op == 'image-add' and self.images is not None:
            self.images.add(request)
            return None
        if op == 'image-remove' and self.images is not None:
            self.images.remove(request['imageId'])
            return None
        raise UnitError('bad-request', "this unit does not do '%s'" % op)

    def quit(self, status):
        self.pipeline.set_state(Gst.State.NULL)
        sys.stdout.flush()
        os._exit(status)


# ---------------------------------------------------------------- rtsp:// sources

class RtspUnit(Unit):
    """A PlayerEndpoint's RTSP source: rtspsrc, and per stream it offers a depayloader and a
    payloader of the same codec into one rtpfunnel ! rtpstreampay ! fdsink fd=4.

    Nothing is decoded: the camera's frames are put in fresh RTP packets with our payload type,
    a 1200-byte MTU and (H.264) the parameter sets before every key frame, which a WebRTC peer
    that joins mid-stream needs and cameras often send only in the SDP. Node tells the streams
    apart by payload type. Each stream's codec is a 'track' event once its payloader has caps;
    'ready' follows when every stream the server described flows; 'clock' events map each
    stream's RTP time to the wall clock (sender reports). The pipeline going to NULL (a 'stop'
    request, SIGINT/SIGTERM, Node going away) makes rtspsrc send TEARDOWN.
    """

    CHAINS = {
        'H264': ('video', 'rtph264depay', 'rtph264pay config-interval=-1 aggregate-mode=zero-latency'),
        'VP8': ('video', 'rtpvp8depay', 'rtpvp8pay picture-id-mode=15-bit'),
        'VP9': ('video', 'rtpvp9depay', 'rtpvp9pay picture-id-mode=15-bit'),
        'OPUS': ('audio', 'rtpopusdepay', 'rtpopuspay'),
        'MPEG4-GENERIC': ('audio', 'rtpmp4gdepay', 'rtpmp4gpay'),
    }

    def build(self):
        spec = self.spec
        missing = [name for name in spec.get('required', []) if Gst.ElementFactory.find(name) is None]
        if missing:
            fail('missing-element', ' '.join(missing))
        pipeline = Gst.Pipeline.new('rtsp')
        self.source = Gst.ElementFactory.make('rtspsrc', 'src')
        self.source.set_property('location', spec['location'])
        self.source.set_property('latency', int(spec['latency']))
        self.source.set_property('teardown-timeout', int(spec.get('teardownTimeoutMs', 1000)) * Gst.MSECOND)
        self.funnel = Gst.ElementFactory.make('rtpfunnel', 'funnel')
        streampay = Gst.ElementFactory.make('rtpstreampay', None)
        sink = Gst.ElementFactory.make('fdsink', None)
        sink.set_property('fd', 4)
        sink.set_property('sync', False)
        sink.set_property('async', False)
        for element in (self.source, self.funnel, streampay, sink):
            pipeline.add(element)
        self.funnel.link(streampay)
        streampay.link(sink)
        self.source.connect('pad-added', self.on_pad_added)
        self.source.connect('no-more-pads', lambda _src: GLib.idle_add(self.on_no_more_pads))
        self.payloaders = {}  # kind -> payloader
        self.described = set()
        self.all_pads = False
        self.ready_sent = False
        return pipeline

    def on_pad_added(self, _src, pad):
        caps = pad.get_current_caps() or pad.query_caps(None)
        structure = caps.get_structure(0)
        encoding = (structure.get_string('encoding-name') or '').upper()
        chain = self.CHAINS.get(encoding)
        if chain is None:
            self.error_later("the RTSP server sends %s, which the player cannot pass on (it takes H264, VP8, VP9, OPUS, MPEG4-GENERIC)" % (encoding or 'an unknown codec'))
            return
        kind, depay_name, pay_description = chain
        if kind in self.payloaders:
            return  # one stream per kind, as a file player has one track per kind
        try:
            bin_ = Gst.parse_bin_from_description('%s ! %s name=pay pt=%d mtu=%d' % (depay_name, pay_description, self.spec['payloadTypes'][encoding], self.spec.get('mtu', 1200)), True)
        except GLib.Error as error:
            self.error_later('cannot pass on %s: %s' % (encoding, gerror_text(error)))
            return
        self.pipeline.add(bin_)
        payloader = bin_.get_by_name('pay')
        self.payloaders[kind] = payloader
        payloader.get_static_pad('src').connect('notify::caps', lambda out, _param, k=kind: GLib.idle_add(self.on_track_caps, k, out))
        bin_.get_static_pad('src').link(self.funnel.request_pad_simple('sink_%u'))
        bin_.sync_state_with_parent()
        if pad.link(bin_.get_static_pad('sink')) != Gst.PadLinkReturn.OK:
            self.error_later('cannot link the %s stream' % encoding)

    def error_later(self, message):
        GLib.idle_add(lambda: (emit({'event': 'error', 'message': message}), self.quit(1)))

    def on_track_caps(self, kind, pad):
        fields = caps_fields(pad)
        if fields is None or kind in self.described:
            return False
        self.described.add(kind)
        emit({'event': 'track', 'kind': kind, 'caps': fields})
        GLib.timeout_add(500, self.report_clock, kind)
        self.maybe_ready()
        return False

    def on_no_more_pads(self):
        self.all_pads = True
        if not self.payloaders:
            emit({'event': 'error', 'message': 'the RTSP server described no stream the player can pass on'})
            self.quit(1)
        self.maybe_ready()
        return False

    def maybe_ready(self):
        if self.ready_sent or not self.all_pads or len(self.described) < len(self.payloaders):
            return
        self.ready_sent = True
        emit({'event': 'ready', 'pid': os.getpid(), 'kinds': sorted(self.described)})

    def report_clock(self, kind):
        """The payloader's last RTP timestamp and the running time it stands for, as wall-clock ms."""
        stats = self.payloaders[kind].get_property('stats')
        ok_rt, running = stats.get_uint64('running-time')
        ok_ts, timestamp = stats.get_uint('timestamp')
        ok_ssrc, ssrc = stats.get_uint('ssrc')
        clock = self.pipeline.get_clock()
        if ok_rt and ok_ts and ok_ssrc and clock is not None and running != Gst.CLOCK_TIME_NONE:
            now_running = clock.get_time() - self.pipeline.get_base_time()
            wall_ms = time.time() * 1000 - (now_running - running) / 1e6
            emit({'event': 'clock', 'kind': kind, 'ssrc': ssrc, 'rtpTimestamp': timestamp, 'wallMs': wall_ms})
        return False

    def start(self):
        bus = self.pipeline.get_bus()
        bus.add_signal_watch()
        bus.connect('message', self.on_message)
        GLib.io_add_watch(0, GLib.PRIORITY_DEFAULT, GLib.IOCondition.IN | GLib.IOCondition.HUP | GLib.IOCondition.ERR, self.on_control)
        for number in (signal.SIGINT, signal.SIGTERM):
            GLib.unix_signal_add(GLib.PRIORITY_HIGH, number, lambda: self.quit(0))
        if self.pipeline.set_state(Gst.State.PLAYING) == Gst.StateChangeReturn.FAILURE:
            fail('internal', 'the pipeline did not start')
        GLib.idle_add(self.drain_pending)
        self.loop.run()

    def on_message(self, bus, message):
        if message.type == Gst.MessageType.ERROR:
            # rtspsrc's own words are terse ("Not found"); its debug line says what the server answered.
            error, debug = message.parse_error()
            detail = (debug or '').strip().split('\n')[-1].strip()
            text = gerror_text(error).rstrip('.')
            emit({'event': 'error', 'message': '%s (%s)' % (text, detail) if detail and detail not in text else text})
            self.quit(1)
            return
        Unit.on_message(self, bus, message)

    def perform(self, request):
        if request.get('op') == 'keyframe':
            # Upstream from the video payloader: rtspsrc's RTP session turns it into a PLI/FIR when the server takes RTCP feedback.
            payloader = self.payloaders.get('video')
            if payloader is not None:
                payloader.get_static_pad('src').send_event(GstVideo.video_event_new_upstream_force_key_unit(Gst.CLOCK_TIME_NONE, True, 0))
            return None
        return Unit.perform(self, request)


def probe(spec):
    present = [name for name in spec['elements'] if Gst.ElementFactory.find(name) is not None]
    emit({'event': 'probe', 'version': Gst.version_string(), 'present': present})


def inspect(spec):
    try:
        element, kind = make_user_element(spec)
    except UnitError as error:
        fail(error.code, str(error))
    emit({'event': 'inspected', 'factory': spec['factory'], 'kind': kind, 'properties': describe_properties(element)})


def read_first_line():
    """The spec line, read straight from fd 0 (no Python buffering: the main loop reads fd 0 next)."""
    data = b''
    while b'\n' not in data:
        chunk = os.read(0, 1 << 16)
        if not chunk:
            os._exit(EXIT_FAILED)
        data += chunk
    line, rest = data.split(b'\n', 1)
    return line, rest


def main():
    Gst.init(None)
    first, rest = read_first_line()
    spec = json.loads(first)
    mode = spec.get('mode')
    if mode == 'probe':
        probe(spec)
    elif mode == 'inspect':
        inspect(spec)
    elif mode == 'run':
        Unit(spec, rest).start()
    elif mode == 'rtsp':
        RtspUnit(spec, rest).start()
    else:
        fail('internal', 'unknown mode %r' % mode)


if __name__ == '__main__':
    main()
