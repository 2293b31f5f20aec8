/* A forwarding lane's bookkeeping in C: what the TypeScript path does for each packet it forwards
 * (RtpSession.book's statistics and stages, the flows, each sink's OutboundStream.laneSent and
 * retransmission ring), written into the same ledgers and with the same arithmetic, so that either
 * side can book any packet. The functions here mirror rtp/ReceptionStats.ts, NackGenerator.ts,
 * TwccFeedback.ts, OutboundStream.ts and RetransmissionRing.ts; a change to one is a change to both.
 *
 * C books only the steady state: a packet of a quiet NACK generator that follows the last one,
 * room in the transport-cc records and in the ring's slab, flows already reported flowing.
 * Anything else turns the lane's books off before any change, and JS books that packet and the
 * lane's later ones until it arms the lane again (forwardingLanes.ts). */
#include "internal.h"
#include "ledger.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static inline uint32_t rd32(const uint8_t *p) { return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3]; }
static inline uint16_t rd16(const uint8_t *p) { return (uint16_t)(p[0] << 8 | p[1]); }

/* JS's `x & 0xffff` on a ledger's unwrapped sequence number (a whole number below 2^31). */
static inline int64_t low16(double x) { return (int64_t)x & 0xffff; }

/* ---------- reading the books ---------- */

static int keep(napi_env env, kts_books *b, napi_value value) {
  if (b->ref_count >= (int)(sizeof b->refs / sizeof b->refs[0])) {
    napi_throw_range_error(env, NULL, "a lane's books hold too many arrays");
    return 0;
  }
  if (napi_create_reference(env, value, 1, &b->refs[b->ref_count]) != napi_ok) {
    kts_throw_last(env, "lane books");
    return 0;
  }
  b->ref_count++;
  return 1;
}

static int is_nullish(napi_env env, napi_value value) {
  napi_valuetype type;
  return napi_typeof(env, value, &type) == napi_ok && (type == napi_undefined || type == napi_null);
}

/* A Float64Array of at least `size` cells (or NULL when nullish and `optional`), kept alive by the books. */
static int cells(napi_env env, kts_books *b, napi_value value, size_t size, int optional, const char *what, double **out, size_t *length) {
  *out = NULL;
  if (optional && is_nullish(env, value)) return 1;
  bool is = false;
  napi_typedarray_type type;
  size_t count = 0;
  void *data = NULL;
  if (napi_is_typedarray(env, value, &is) != napi_ok || !is || napi_get_typedarray_info(env, value, &type, &count, &data, NULL, NULL) != napi_ok || type != napi_float64_array ||
      count < size) {
    char message[128];
    snprintf(message, sizeof message, "a lane's %s must be a Float64Array of %zu cells or more", what, size);
    napi_throw_type_error(env, NULL, message);
    return 0;
  }
  if (!keep(env, b, value)) return 0;
  *out = data;
  if (length) *length = count;
  return 1;
}

static int item(napi_env env, napi_value array, uint32_t i, napi_value *out) {
  if (napi_get_element(env, array, i, out) != napi_ok) {
    kts_throw_last(env, "lane books");
    return 0;
  }
  return 1;
}

static int tuple(napi_env env, napi_value value, uint32_t length, const char *what) {
  bool is = false;
  uint32_t count = 0;
  if (napi_is_array(env, value, &is) != napi_ok || !is || napi_get_array_length(env, value, &count) != napi_ok || count != length) {
    char message[96];
    snprintf(message, sizeof message, "%s must be an array of %u items", what, length);
    napi_throw_type_error(env, NULL, message);
    return 0;
  }
  return 1;
}

/* A ring: its cells, its slot arrays' ArrayBuffer and its slab, consistent with each other. */
static int read_ring(napi_env env, kts_books *b, napi_value cells_value, napi_value slots_value, napi_value slab_value, kts_ring *r) {
  double *c;
  if (!cells(env, b, cells_value, RING_SIZE, 0, "ring", &c, NULL)) return 0;
  double slots = c[RING_SLOTS];
  bool is = false;
  void *data = NULL;
  size_t bytes = 0;
  uint8_t *slab;
  size_t slab_length;
  if (!(slots >= 1 && slots <= 65536 && slots == floor(slots) && ((uint32_t)slots & ((uint32_t)slots - 1)) == 0)) {
    napi_throw_range_error(env, NULL, "a ring's slots must be a power of two up to 65536");
    return 0;
  }
  size_t n = (size_t)slots;
  if (napi_is_arraybuffer(env, slots_value, &is) != napi_ok || !is || napi_get_arraybuffer_info(env, slots_value, &data, &bytes) != napi_ok || bytes < n * (3 * 8 + 2 * 4 + 2)) {
    napi_throw_type_error(env, NULL, "a ring's slots must be the ArrayBuffer of its slot arrays");
    return 0;
  }
  if (!kts_bytes(env, slab_value, &slab, &slab_length)) return 0;
  if ((double)slab_length != c[RING_CAPACITY]) {
    napi_throw_range_error(env, NULL, "a ring's slab must be as long as its capacity");
    return 0;
  }
  if (!keep(env, b, slots_value) || !keep(env, b, slab_value)) return 0;
  uint8_t *base = data;
  r->cells = c;
  r->starts = (double *)base;
  r->sent_ms = (double *)(base + n * 8);
  r->queue_starts = (double *)(base + 2 * n * 8);
  r->seqs = (int32_t *)(base + 3 * n * 8);
  r->queue_seqs = (int32_t *)(base + 3 * n * 8 + n * 4);
  r->lengths = (uint16_t *)(base + 3 * n * 8 + 2 * n * 4);
  r->mask = (uint32_t)n - 1;
  r->slab = slab;
  r->slab_length = slab_length;
  r->generation = c[RING_GENERATION];
  return 1;
}

/* One sink: [outbound, vp8, ringCells, ringSlots, ringSlab, wire, flow]. */
static int read_sink(napi_env env, kts_books *b, napi_value value, kts_sink_books *s) {
  napi_value v[7];
  if (!tuple(env, value, 7, "a lane sink's books")) return 0;
  for (uint32_t i = 0; i < 7; i++)
    if (!item(env, value, i, &v[i])) return 0;
  int64_t vp8;
  if (!cells(env, b, v[0], OUT_SIZE, 0, "outbound stream", &s->outbound, NULL) || !kts_int(env, v[1], 0, 1, "vp8", &vp8) ||
      !cells(env, b, v[5], WIRE_SIZE, 1, "wire counters", &s->wire, NULL) || !cells(env, b, v[6], FLOW_SIZE, 1, "flow", &s->flow, NULL))
    return 0;
  s->vp8 = (int)vp8;
  s->has_ring = !is_nullish(env, v[2]);
  return !s->has_ring || read_ring(env, b, v[2], v[3], v[4], &s->ring);
}

void kts_books_free(napi_env env, kts_books *b, int release_refs) {
  if (!b) return;
  if (release_refs)
    for (int i = 0; i < b->ref_count; i++) napi_delete_reference(env, b->refs[i]);
  free(b);
}

/* [nowMs, fastPath, wire, stats, nack, twcc, twccRecords, twccExtensionId, flow, sinks]. */
int kts_books_read(napi_env env, napi_value value, int sinks, kts_books **out) {
  *out = NULL;
  if (is_nullish(env, value)) return 1;
  if (!tuple(env, value, 10, "a lane's books")) return 0;
  napi_value v[10];
  for (uint32_t i = 0; i < 10; i++)
    if (!item(env, value, i, &v[i])) return 0;
  if (!tuple(env, v[9], (uint32_t)sinks, "a lane's sink books (one per target)")) return 0;
  kts_books *b = calloc(1, sizeof *b + (size_t)sinks * sizeof(kts_sink_books));
  if (!b) {
    napi_throw_error(env, NULL, "out of memory");
    return 0;
  }
  b->sink_count = sinks;
  int64_t extension;
  size_t records = 0;
  int ok = napi_get_value_double(env, v[0], &b->clock_ms) == napi_ok && cells(env, b, v[1], FAST_SIZE, 0, "fast path counters", &b->fast, NULL) &&
           cells(env, b, v[2], WIRE_SIZE, 1, "wire counters", &b->wire, NULL) && cells(env, b, v[3], STATS_SIZE, 0, "statistics", &b->stats, NULL) &&
           cells(env, b, v[4], NACK_SIZE, 1, "NACK generator", &b->nack, NULL) && cells(env, b, v[5], TWCC_SIZE, 1, "transport-cc", &b->twcc, NULL) &&
           cells(env, b, v[6], 0, b->twcc == NULL, "transport-cc records", &b->twcc_records, &records) && kts_int(env, v[7], 0, 255, "twccExtensionId", &extension) &&
           cells(env, b, v[8], FLOW_SIZE, 1, "flow", &b->flow, NULL);
  if (ok && b->twcc && ((double)records != 2 * b->twcc[TWCC_CAPACITY] || extension < 1)) {
    napi_throw_range_error(env, NULL, "a lane's transport-cc records must hold twice its capacity, under an extension id from 1");
    ok = 0;
  }
  for (int k = 0; ok && k < sinks; k++) {
    napi_value sink;
    ok = item(env, v[9], (uint32_t)k, &sink) && read_sink(env, b, sink, &b->sinks[k]);
  }
  if (!ok) {
    kts_books_free(env, b, 1);
    return 0;
  }
  b->clock_hr = uv_hrtime();
  b->twcc_extension = (int)extension;
  b->twcc_generation = b->twcc ? b->twcc[TWCC_GENERATION] : 0;
  *out = b;
  return 1;
}

/* ---------- what each ledger's TypeScript does, for the steady state ---------- */

/* rtpHeader.ts readExtensionU16: the 16-bit value of extension `id` in the header, or -1. */
static int extension_u16(const uint8_t *p, int header, int id) {
  if (!(p[0] & 0x10) || id <= 0) return -1;
  int start = 12 + (p[0] & 0x0f) * 4;
  int profile = rd16(p + start);
  int i = start + 4;
  if (profile == 0xbede) {
    while (i < header) {
      int byte = p[i];
      if (byte == 0) {
        i++;
        continue;
      }
      int element = byte >> 4;
      if (element == 15) return -1;
      int length = (byte & 0x0f) + 1;
      if (element == id) return length >= 2 && i + 3 <= header ? rd16(p + i + 1) : -1;
      i += 1 + length;
    }
  } else if ((profile & 0xfff0) == 0x1000) {
    while (i + 1 < header) {
      int element = p[i];
      if (element == 0) {
        i++;
        continue;
      }
      int length = p[i + 1];
      if (element == id) return length >= 2 && i + 4 <= header ? rd16(p + i + 2) : -1;
      i += 2 + length;
    }
  }
  return -1;
}

/* ReceptionStats.onPacket. */
static void stats_packet(double *c, uint16_t seq, uint32_t timestamp, double now_ms) {
  c[STATS_RECEIVED] += 1;
  double max_extended = c[STATS_MAX_EXTENDED];
  if (max_extended < 0) {
    c[STATS_BASE_SEQ] = seq;
    c[STATS_MAX_EXTENDED] = seq;
  } else {
    int64_t delta = ((int64_t)seq - low16(max_extended)) & 0xffff;
    if (delta > 0 && delta < 0x8000) c[STATS_MAX_EXTENDED] = max_extended + (double)delta;
  }
  double clock_rate = c[STATS_CLOCK_RATE];
  double transit = (now_ms * clock_rate) / 1000 - (double)timestamp;
  double last = c[STATS_LAST_TRANSIT];
  if (!isnan(last)) {
    double d = transit - last;
    if (d < 0) d = -d;
    double jitter16 = c[STATS_JITTER16];
    if (d < clock_rate * 10) c[STATS_JITTER16] = jitter16 + d - jitter16 / 16;
  }
  c[STATS_LAST_TRANSIT] = transit;
}

/* TwccFeedback.onPacket's unwrapping. */
static double twcc_unwrap(const double *c, int seq16) {
  double highest = c[TWCC_HIGHEST];
  if (highest < 0) return seq16;
  int64_t diff = ((int64_t)seq16 - low16(highest)) & 0xffff;
  if (diff >= 0x8000) diff -= 0x10000;
  return highest + (double)diff;
}

/* RetransmissionRing.positionFor. */
static uint64_t ring_position(const kts_ring *r, uint64_t length) {
  uint64_t capacity = (uint64_t)r->cells[RING_CAPACITY], written = (uint64_t)r->cells[RING_WRITTEN];
  uint64_t offset = written % capacity;
  return offset + length <= capacity ? written : written - offset + capacity;
}

/* RetransmissionRing.put's walk from the queue's head over the packets a write of `length` bytes
 * at `start` overwrites: 1 when put would grow the slab there instead (only JS does). With `drop`
 * it forgets them and moves the head; without, it changes nothing (dropping a live head marks only
 * its own slot, which no later queue entry shares, so both walks see the same). */
static int ring_walk(kts_ring *r, uint64_t start, uint64_t length, double now_ms, int drop) {
  double *c = r->cells;
  uint64_t capacity = (uint64_t)c[RING_CAPACITY];
  uint32_t head = (uint32_t)c[RING_QUEUE_HEAD], queued = (uint32_t)c[RING_QUEUE_LENGTH];
  int grow = 0;
  while (queued > 0) {
    int32_t head_seq = r->queue_seqs[head];
    double head_start = r->queue_starts[head];
    uint32_t head_slot = (uint32_t)head_seq & r->mask;
    int live = r->seqs[head_slot] == head_seq && r->starts[head_slot] == head_start;
    int overwritten = head_start < (double)(start + length) - (double)capacity;
    if (live && !overwritten && queued <= r->mask) break;
    if (live && overwritten && now_ms - r->sent_ms[head_slot] <= c[RING_MAX_AGE_MS] && (double)capacity < c[RING_MAX_BYTES]) {
      grow = 1;
      break;
    }
    if (drop && live) r->seqs[head_slot] = -1;
    head = (head + 1) & r->mask;
    queued--;
  }
  if (drop) {
    c[RING_QUEUE_HEAD] = head;
    c[RING_QUEUE_LENGTH] = queued;
  }
  return grow;
}

/* Whether RetransmissionRing.put of `length` bytes would grow the slab. */
static int ring_would_grow(kts_ring *r, uint64_t length, double now_ms) { return ring_walk(r, ring_position(r, length), length, now_ms, 0); }

/* RetransmissionRing.put, when it does not grow. */
static void ring_put(kts_ring *r, uint16_t seq, const uint8_t *packet, uint64_t length, double now_ms) {
  double *c = r->cells;
  uint32_t slot = seq & r->mask;
  if ((double)length > c[RING_MAX_PACKET_BYTES]) {
    r->seqs[slot] = -1;
    return;
  }
  uint64_t start = ring_position(r, length), capacity = (uint64_t)c[RING_CAPACITY];
  ring_walk(r, start, length, now_ms, 1);
  uint32_t head = (uint32_t)c[RING_QUEUE_HEAD], queued = (uint32_t)c[RING_QUEUE_LENGTH];
  memcpy(r->slab + start % capacity, packet, (size_t)length);
  c[RING_WRITTEN] = (double)(start + length);
  r->seqs[slot] = seq;
  r->starts[slot] = (double)start;
  r->lengths[slot] = (uint16_t)length;
  r->sent_ms[slot] = now_ms;
  uint32_t tail = (head + queued) & r->mask;
  r->queue_seqs[tail] = seq;
  r->queue_starts[tail] = (double)start;
  c[RING_QUEUE_LENGTH] = queued + 1;
}

/* OutboundStream.vp8PictureIds for a lane's stream (its ids not moved: offsets 0). */
static void vp8_picture_ids(double *c, const uint8_t *payload, size_t length) {
  if (length < 1) return;
  uint8_t b0 = payload[0];
  if (!(b0 & 0x80)) return; /* no X byte: no ids */
  if (length < 2) return;
  uint8_t x = payload[1];
  size_t n = 2;
  if (x & 0x80) n += (length > n && payload[n] & 0x80) ? 2 : 1;
  if (x & 0x40) n += 1;
  if (x & 0x30) n += 1;
  if (n > length || !(x & 0xc0)) return;
  int is_long = (x & 0x80) && (payload[2] & 0x80);
  size_t tl0_at = 2 + ((x & 0x80) ? (is_long ? 2 : 1) : 0);
  int pic = !(x & 0x80) ? -1 : is_long ? (rd16(payload + 2) & 0x7fff) : (payload[2] & 0x7f);
  int tl0 = !(x & 0x40) ? -1 : payload[tl0_at];
  c[OUT_PICTURE_FRESH] = 0;
  if (pic >= 0) c[OUT_PICTURE_LAST] = pic;
  if (tl0 >= 0) c[OUT_PICTURE_LAST_TL0] = tl0;
}

/* OutboundStream.sent's counters and last packet. */
static void outbound_sent(double *c, uint16_t seq, uint32_t timestamp, size_t payload, double now_ms) {
  double last = c[OUT_LAST_SEQ];
  if (last < 0 || (((int64_t)seq - (int64_t)last) & 0xffff) < 0x8000) {
    c[OUT_LAST_SEQ] = seq;
    c[OUT_LAST_TIMESTAMP] = timestamp;
    c[OUT_LAST_SENT_MS] = now_ms;
  }
  c[OUT_PACKET_COUNT] += 1;
  c[OUT_OCTET_COUNT] += (double)payload;
}

static inline void count(double *cells, int packets, int bytes, double n) {
  if (!cells) return;
  cells[packets] += 1;
  cells[bytes] += n;
}

/* ---------- one packet ---------- */

static int decline(kts_books *b) {
  b->off = 1;
  return 0;
}

int kts_books_book(kts_books *b, const uint8_t *plain, int plain_length, int header, uint8_t *const *outs, const int32_t *out_lengths) {
  if (b->off || plain_length < header) return decline(b);
  double now_ms = b->clock_ms + (double)(uv_hrtime() - b->clock_hr) / 1e6;
  uint16_t seq = rd16(plain + 2);
  size_t payload = (size_t)(plain_length - header);
  /* First every condition, then every change: a declined packet changes nothing. */
  if (b->nack && !(b->nack[NACK_QUIET] == 1 && b->nack[NACK_HIGHEST] >= 0 && (((int64_t)seq - low16(b->nack[NACK_HIGHEST])) & 0xffff) == 1)) return decline(b);
  int twcc_seq = b->twcc ? extension_u16(plain, header, b->twcc_extension) : -1;
  double twcc_unwrapped = 0;
  int twcc_record = 0;
  if (twcc_seq >= 0) {
    if (b->twcc[TWCC_GENERATION] != b->twcc_generation) return decline(b);
    twcc_unwrapped = twcc_unwrap(b->twcc, twcc_seq);
    double next_base = b->twcc[TWCC_NEXT_BASE];
    twcc_record = !(next_base >= 0 && twcc_unwrapped < next_base);
    if (twcc_record && b->twcc[TWCC_COUNT] >= b->twcc[TWCC_CAPACITY]) return decline(b);
  }
  if (b->flow && b->flow[FLOW_FLOWING] != 1) return decline(b);
  for (int k = 0; k < b->sink_count; k++) {
    const kts_sink_books *s = &b->sinks[k];
    if (!outs[k]) continue;
    if (s->flow && s->flow[FLOW_FLOWING] != 1) return decline(b);
    if (s->has_ring && (s->ring.cells[RING_GENERATION] != s->ring.generation ||
                        ((double)out_lengths[k] <= s->ring.cells[RING_MAX_PACKET_BYTES] && ring_would_grow(&b->sinks[k].ring, (uint64_t)out_lengths[k], now_ms))))
      return decline(b);
  }

  /* SocketLanes.book, RtpFastPath.bookLaned, RtpSession.book and its stages, the route's flow in. */
  count(b->wire, WIRE_PACKETS_RECEIVED, WIRE_BYTES_RECEIVED, plain_length);
  b->fast[FAST_RECEIVED] += 1;
  b->fast[FAST_LANED] += 1;
  stats_packet(b->stats, seq, rd32(plain + 4), now_ms);
  if (b->nack) b->nack[NACK_HIGHEST] += 1;
  if (twcc_seq >= 0) {
    double *c = b->twcc;
    if (twcc_unwrapped > c[TWCC_HIGHEST]) c[TWCC_HIGHEST] = twcc_unwrapped;
    if (twcc_record) {
      size_t at = (size_t)c[TWCC_COUNT], capacity = (size_t)c[TWCC_CAPACITY];
      b->twcc_records[at] = twcc_unwrapped;
      b->twcc_records[capacity + at] = now_ms * 1000;
      c[TWCC_COUNT] += 1;
    }
  }
  count(b->flow, FLOW_PACKETS, FLOW_BYTES, (double)payload);
  /* Each sink: its LaneSink.sent (wire counters, OutboundStream.laneSent) and the endpoint's flow out. */
  for (int k = 0; k < b->sink_count; k++) {
    kts_sink_books *s = &b->sinks[k];
    const uint8_t *out = outs[k];
    if (!out) continue;
    count(s->wire, WIRE_PACKETS_SENT, WIRE_BYTES_SENT, out_lengths[k]);
    if (s->vp8) vp8_picture_ids(s->outbound, plain + header, payload);
    if (s->has_ring) ring_put(&s->ring, rd16(out + 2), out, (uint64_t)out_lengths[k], now_ms);
    outbound_sent(s->outbound, rd16(out + 2), rd32(out + 4), payload, now_ms);
    count(s->flow, FLOW_PACKETS, FLOW_BYTES, (double)payload);
  }
  return 1;
}

napi_value kts_ledger_layout(napi_env env) {
  napi_value layout;
  if (napi_create_object(env, &layout) != napi_ok) return NULL;
  kts_set_number(env, layout, "stats", STATS_SIZE);
  kts_set_number(env, layout, "statsJitter16", STATS_JITTER16);
  kts_set_number(env, layout, "statsClockRate", STATS_CLOCK_RATE);
  kts_set_number(env, layout, "nack", NACK_SIZE);
  kts_set_number(env, layout, "nackQuiet", NACK_QUIET);
  kts_set_number(env, layout, "twcc", TWCC_SIZE);
  kts_set_number(env, layout, "twccGeneration", TWCC_GENERATION);
  kts_set_number(env, layout, "flow", FLOW_SIZE);
  kts_set_number(env, layout, "flowFlowing", FLOW_FLOWING);
  kts_set_number(env, layout, "wire", WIRE_SIZE);
  kts_set_number(env, layout, "wireBytesSent", WIRE_BYTES_SENT);
  kts_set_number(env, layout, "fastPath", FAST_SIZE);
  kts_set_number(env, layout, "outbound", OUT_SIZE);
  kts_set_number(env, layout, "outboundPictureFresh", OUT_PICTURE_FRESH);
  kts_set_number(env, layout, "ring", RING_SIZE);
  kts_set_number(env, layout, "ringGeneration", RING_GENERATION);
  return layout;
}
