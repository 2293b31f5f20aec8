/* Forwarding lanes: the steady state of an edge between WebRTC endpoints on native sockets, run
 * inside the receive batch. While nothing about the edge changes, an RTP packet of a laned SSRC
 * is unprotected in place, its header rewritten from each sink's template (SSRC, payload type,
 * sequence and timestamp offsets, our extensions), protected into the sink socket's next send
 * slot and queued there; JS then gets the slot as KIND_LANE with a record of where each copy
 * went, and runs only its bookkeeping (statistics, NACK and transport-cc, retransmission rings).
 *
 * JS arms a lane from its own path once a packet went through it in the steady state, and bumps
 * the environment's epoch on every change of the graph, of a transport or of a stream: a lane
 * whose epoch is stale is skipped, and its packets take the JS path again until it is re-armed.
 * So the lane never decides anything; it repeats what the JS path just did. A lane holds strong
 * references to the sockets and SRTP sessions it points at, and checks that each is still open
 * on every packet. */
#include "internal.h"
#include "ledger.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const napi_type_tag KTS_SOCKET_TAG = {0x6b75726e746f7473ULL, 0x736f636b65740001ULL};
const napi_type_tag KTS_SESSION_TAG = {0x6b75726e746f7473ULL, 0x7372747073650001ULL};

static inline uint32_t rd32(const uint8_t *p) { return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3]; }
static inline uint16_t rd16(const uint8_t *p) { return (uint16_t)(p[0] << 8 | p[1]); }
static inline void wr32(uint8_t *p, uint32_t v) { p[0] = v >> 24; p[1] = v >> 16; p[2] = v >> 8; p[3] = v; }
static inline void wr16(uint8_t *p, uint16_t v) { p[0] = v >> 8; p[1] = v; }

/* ---------- the epochs, one array per environment (main thread or worker) ----------
 * Cell 0 is the thread's; the others are scopes (a pipeline each, hashed: two pipelines sharing a
 * cell only stop each other's lanes more often). A bump of a pipeline's cell leaves every other
 * pipeline's lanes running, so sessions joining and leaving do not send the whole server back to
 * the JS path. */

typedef struct {
  int32_t *epoch;
  napi_ref array;
} LaneInstance;

static void instance_finalize(napi_env env, void *data, void *hint) {
  (void)hint;
  LaneInstance *instance = data;
  napi_delete_reference(env, instance->array);
  free(instance);
}

const int32_t *kts_lane_epoch(napi_env env) {
  void *data = NULL;
  if (napi_get_instance_data(env, &data) != napi_ok || !data) {
    napi_throw_error(env, NULL, "the addon's lane epoch is not initialised");
    return NULL;
  }
  return ((LaneInstance *)data)->epoch;
}

napi_value kts_init_lanes(napi_env env, napi_value exports) {
  LaneInstance *instance = calloc(1, sizeof *instance);
  if (!instance) {
    napi_throw_error(env, NULL, "out of memory");
    return NULL;
  }
  napi_value buffer, array;
  void *p;
  if (napi_create_arraybuffer(env, KTS_LANE_CELLS * sizeof(int32_t), &p, &buffer) != napi_ok || napi_create_typedarray(env, napi_int32_array, KTS_LANE_CELLS, buffer, 0, &array) != napi_ok ||
      napi_create_reference(env, array, 1, &instance->array) != napi_ok) {
    free(instance);
    kts_throw_last(env, "lane epoch");
    return NULL;
  }
  memset(p, 0, KTS_LANE_CELLS * sizeof(int32_t));
  instance->epoch = p;
  NAPI_OK(env, napi_set_instance_data(env, instance, instance_finalize, NULL));
  NAPI_OK(env, napi_set_named_property(env, exports, "laneEpoch", array));
  napi_value layout = kts_ledger_layout(env);
  if (!layout) return NULL;
  NAPI_OK(env, napi_set_named_property(env, exports, "ledgerLayout", layout));
  return exports;
}

/* ---------- the per-packet path ---------- */

static inline uint32_t epoch_of(const int32_t *cells, uint32_t cell) { return (uint32_t)cells[0] + (uint32_t)cells[cell]; }

static kts_lane *lane_of(const Sock *s, uint32_t ssrc, int *index) {
  for (int i = 0; i < KTS_LANES; i++) {
    kts_lane *lane = s->lanes[i];
    if (lane && lane->ssrc == ssrc) {
      *index = i;
      return lane;
    }
  }
  return NULL;
}

static void touch(Sock *s, Sock *target) {
  for (int i = 0; i < s->touched_count; i++)
    if (s->touched[i] == target) return;
  s->touched[s->touched_count++] = target; /* room: kts_lane_forward checked it */
}

/* Whether every sink can take a packet of `payload` bytes now (room in its send queue and slot). */
static int targets_ready(const kts_lane *lane, size_t payload) {
  for (int k = 0; k < lane->target_count; k++) {
    const kts_lane_target *t = &lane->targets[k];
    const Sock *ts = t->sock;
    /* Room for this lane's copies even if all its sinks share one socket; GCM's tag is the largest. */
    if (ts->closing || !t->srtp->open || !ts->peer_used[t->peer] || *ts->tx_pending + lane->target_count > ts->tx_capacity ||
        (size_t)t->header_length + payload + 16 > (size_t)ts->stride)
      return 0;
  }
  return 1;
}

int kts_lane_forward(Sock *s, int slot, int *length) {
  uint8_t *p = s->slab + (size_t)slot * s->stride;
  int in = *length, index = -1;
  if (in < 12) return 0;
  kts_lane *lane = lane_of(s, rd32(p + 8), &index);
  if (!lane || lane->payload_type != (p[1] & 0x7f) || lane->epoch != epoch_of(s->epoch, lane->cell) || !lane->srtp->open) return 0;
  int header = kts_rtp_header_length(p, (size_t)in);
  if (header < 0 || s->touched_count + lane->target_count > KTS_TOUCHED || !targets_ready(lane, (size_t)(in - header))) return 0;
  /* Refused packets are left as they came (unprotect does not touch them): JS refuses and counts them. */
  int plain = kts_unprotect_rtp(&lane->srtp->srtp, p, (size_t)in);
  if (plain < 0) return 0;
  int32_t *offsets = s->lane_offset + (size_t)slot * KTS_LANE_TARGETS, *lengths = s->lane_length + (size_t)slot * KTS_LANE_TARGETS;
  const uint8_t *payload = p + header;
  size_t payload_length = plain > header ? (size_t)(plain - header) : 0;
  uint16_t seq = rd16(p + 2);
  uint32_t timestamp = rd32(p + 4);
  for (int k = 0; k < lane->target_count; k++) {
    kts_lane_target *t = &lane->targets[k];
    Sock *ts = t->sock;
    offsets[k] = lengths[k] = -1;
    if (plain < header) continue; /* malformed once decrypted: JS's bookkeeping drops it as its path would */
    int j = *ts->tx_pending;
    size_t at = (size_t)(ts->batch + j) * (size_t)ts->stride;
    uint8_t *o = ts->slab + at;
    memcpy(o, t->header, (size_t)t->header_length);
    o[0] = t->first_byte | (p[0] & 0x20);
    o[1] = (p[1] & 0x80) | t->payload_type;
    wr16(o + 2, (uint16_t)(seq + t->seq_offset));
    wr32(o + 4, timestamp + t->timestamp_offset);
    memcpy(o + t->header_length, payload, payload_length);
    int out = kts_protect_rtp(&t->srtp->srtp, o, (size_t)t->header_length + payload_length, (size_t)ts->stride);
    if (out < 0) continue;
    ts->tx_offset[j] = (int32_t)at;
    ts->tx_length[j] = out;
    ts->tx_peer[j] = t->peer;
    *ts->tx_pending = j + 1;
    offsets[k] = (int32_t)at;
    lengths[k] = out;
    touch(s, ts);
  }
  s->rx_lane[slot] = index;
  lane->packets++;
  s->lane_packets++;
  *length = plain;
  if (!lane->books || lane->books->off) return KIND_LANE;
  uint8_t *outs[KTS_LANE_TARGETS];
  for (int k = 0; k < lane->target_count; k++) outs[k] = lengths[k] >= 0 ? lane->targets[k].sock->slab + offsets[k] : NULL;
  return kts_books_book(lane->books, p, plain, header, outs, lengths) ? KIND_BOOKED : KIND_LANE;
}

void kts_lane_flush_touched(Sock *s) {
  for (int i = 0; i < s->touched_count; i++) {
    Sock *t = s->touched[i];
    int pending = *t->tx_pending;
    *t->tx_pending = 0;
    if (pending > 0 && !t->closing) kts_sock_flush(t, pending);
  }
  s->touched_count = 0;
}

/* ---------- arming and dropping lanes ---------- */

static void lane_free(napi_env env, kts_lane *lane, int release_refs) {
  if (!lane) return;
  if (release_refs) {
    napi_delete_reference(env, lane->srtp_ref);
    for (int k = 0; k < lane->target_count; k++) {
      napi_delete_reference(env, lane->targets[k].sock_ref);
      napi_delete_reference(env, lane->targets[k].srtp_ref);
    }
  }
  kts_books_free(env, lane->books, release_refs);
  free(lane);
}

void kts_lanes_free(Sock *s, int release_refs) {
  for (int i = 0; i < KTS_LANES; i++) {
    lane_free(s->env, s->lanes[i], release_refs);
    s->lanes[i] = NULL;
  }
  s->lane_count = 0;
}

/* The native object behind `value` when it carries `tag` (and is open), else NULL and a TypeError. */
static void *tagged(napi_env env, napi_value value, const napi_type_tag *tag, const char *what) {
  bool is = false;
  void *data = NULL;
  if (napi_check_object_type_tag(env, value, tag, &is) != napi_ok || !is || napi_unwrap(env, value, &data) != napi_ok || !data) {
    char message[96];
    snprintf(message, sizeof message, "expected %s", what);
    napi_throw_type_error(env, NULL, message);
    return NULL;
  }
  return data;
}

static int element(napi_env env, napi_value array, uint32_t i, napi_value *out) {
  if (napi_get_element(env, array, i, out) != napi_ok) {
    kts_throw_last(env, "lane target");
    return 0;
  }
  return 1;
}

/* One target: [socket, peer, srtp, header, payloadType, seqOffset, timestampOffset]. */
static int read_target(napi_env env, napi_value value, kts_lane_target *t) {
  bool is_array = false;
  uint32_t count = 0;
  if (napi_is_array(env, value, &is_array) != napi_ok || !is_array || napi_get_array_length(env, value, &count) != napi_ok || count != 7) {
    napi_throw_type_error(env, NULL, "a lane target is [socket, peer, srtp, header, payloadType, seqOffset, timestampOffset]");
    return 0;
  }
  napi_value v[7];
  for (uint32_t i = 0; i < 7; i++)
    if (!element(env, value, i, &v[i])) return 0;
  Sock *ts = tagged(env, v[0], &KTS_SOCKET_TAG, "a UdpSocket");
  if (!ts) return 0;
  kts_session *srtp = tagged(env, v[2], &KTS_SESSION_TAG, "an SrtpSession");
  if (!srtp) return 0;
  int64_t peer, pt, seq_offset, ts_offset;
  uint8_t *header;
  size_t header_length;
  if (!kts_int(env, v[1], 0, MAX_PEERS - 1, "peer", &peer) || !kts_bytes(env, v[3], &header, &header_length) || !kts_int(env, v[4], 0, 127, "payloadType", &pt) ||
      !kts_int(env, v[5], 0, 65535, "seqOffset", &seq_offset) || !kts_int(env, v[6], 0, 4294967295LL, "timestampOffset", &ts_offset))
    return 0;
  if (ts->closing || !srtp->open || !ts->peer_used[peer]) {
    napi_throw_error(env, NULL, "a lane target's socket, peer or SRTP session is closed");
    return 0;
  }
  if (header_length < 12 || header_length > KTS_LANE_HEADER || header[0] >> 6 != 2 || kts_rtp_header_length(header, header_length) != (int)header_length) {
    napi_throw_range_error(env, NULL, "a lane's header template must be one whole RTP header of 12 to 64 bytes");
    return 0;
  }
  t->sock = ts;
  t->srtp = srtp;
  t->peer = (int)peer;
  memcpy(t->header, header, header_length);
  t->header_length = (int)header_length;
  t->first_byte = header[0] & 0xdf;
  t->payload_type = (uint8_t)pt;
  t->seq_offset = (uint16_t)seq_offset;
  t->timestamp_offset = (uint32_t)ts_offset;
  return 1;
}

static Sock *open_sock(napi_env env, napi_callback_info info, size_t *argc, napi_value *argv) {
  napi_value self;
  if (napi_get_cb_info(env, info, argc, argv, &self, NULL) != napi_ok) return NULL;
  Sock *s = tagged(env, self, &KTS_SOCKET_TAG, "a UdpSocket");
  if (s && s->closing) {
    napi_throw_error(env, NULL, "UdpSocket closed");
    return NULL;
  }
  return s;
}

/* setLane(ssrc, payloadType, srtpIn, targets[, cell[, books]]) -> lane id: replaces the SSRC's lane, at the current epoch of its cell. */
napi_value kts_sock_set_lane(napi_env env, napi_callback_info info) {
  size_t argc = 6;
  napi_value argv[6];
  Sock *s = open_sock(env, info, &argc, argv);
  if (!s) return NULL;
  int64_t ssrc, pt;
  bool is_array = false;
  uint32_t count = 0;
  int64_t cell = 0;
  if (argc < 4 || !kts_int(env, argv[0], 0, 4294967295LL, "ssrc", &ssrc) || !kts_int(env, argv[1], 0, 127, "payloadType", &pt)) return NULL;
  if (argc > 4 && !kts_int(env, argv[4], 0, KTS_LANE_CELLS - 1, "cell", &cell)) return NULL;
  kts_session *srtp = tagged(env, argv[2], &KTS_SESSION_TAG, "an SrtpSession");
  if (!srtp) return NULL;
  if (!srtp->open) {
    napi_throw_error(env, NULL, "SrtpSession closed");
    return NULL;
  }
  if (napi_is_array(env, argv[3], &is_array) != napi_ok || !is_array || napi_get_array_length(env, argv[3], &count) != napi_ok || count < 1 || count > KTS_LANE_TARGETS) {
    napi_throw_range_error(env, NULL, "a lane has 1 to 32 targets");
    return NULL;
  }
  kts_lane *lane = calloc(1, sizeof *lane + count * sizeof(kts_lane_target));
  if (!lane) {
    napi_throw_error(env, NULL, "out of memory");
    return NULL;
  }
  for (uint32_t k = 0; k < count; k++) {
    napi_value target;
    if (!element(env, argv[3], k, &target) || !read_target(env, target, &lane->targets[k])) {
      free(lane);
      return NULL;
    }
  }
  if (argc > 5 && !kts_books_read(env, argv[5], (int)count, &lane->books)) {
    free(lane);
    return NULL;
  }
  /* References last, so that a bad argument leaves nothing to release (the books release theirs). */
  for (uint32_t k = 0; k < count; k++) {
    napi_value target, v;
    napi_get_element(env, argv[3], k, &target);
    napi_get_element(env, target, 0, &v);
    napi_create_reference(env, v, 1, &lane->targets[k].sock_ref);
    napi_get_element(env, target, 2, &v);
    napi_create_reference(env, v, 1, &lane->targets[k].srtp_ref);
  }
  napi_create_reference(env, argv[2], 1, &lane->srtp_ref);
  lane->ssrc = (uint32_t)ssrc;
  lane->payload_type = (uint8_t)pt;
  lane->srtp = srtp;
  lane->target_count = (int)count;
  lane->cell = (uint32_t)cell;
  lane->epoch = epoch_of(s->epoch, lane->cell);
  int index = -1;
  kts_lane *old = lane_of(s, lane->ssrc, &index);
  if (old) {
    lane_free(env, old, 1);
  } else {
    for (int i = 0; i < KTS_LANES && index < 0; i++)
      if (!s->lanes[i]) index = i;
    if (index < 0) {
      lane_free(env, lane, 1);
      napi_throw_range_error(env, NULL, "too many lanes on one socket (16)");
      return NULL;
    }
    s->lane_count++;
  }
  s->lanes[index] = lane;
  return kts_number(env, index);
}

/* clearLanes(): drops every lane of the socket (and the references they hold). */
napi_value kts_sock_clear_lanes(napi_env env, napi_callback_info info) {
  size_t argc = 0;
  Sock *s = open_sock(env, info, &argc, NULL);
  if (!s) return NULL;
  kts_lanes_free(s, 1);
  return NULL;
}
