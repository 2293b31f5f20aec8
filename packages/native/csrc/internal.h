/* What the addon's C files share beyond addon.h: the socket and SRTP session objects, and the
 * forwarding lanes (lane.c) that tie them together on the receive path. Not part of any API. */
#ifndef KTS_INTERNAL_H
#define KTS_INTERNAL_H

#define _GNU_SOURCE
#include "addon.h"
#include "srtp.h"

#include <netinet/in.h>
#include <sys/socket.h>
#include <uv.h>

#define MAX_BATCH 256
#define MAX_PEERS 64
/* recvmmsg rounds per wake-up before we give the loop back (level-triggered: it wakes us again). */
#define ROUNDS_PER_WAKEUP 4

/* RFC 7983 demultiplexing, as JS reads rxKind; KIND_LANE: RTP a forwarding lane already took (JS books it);
 * KIND_BOOKED: one it took and booked (nothing for JS). */
enum { KIND_DROPPED = 0, KIND_STUN = 1, KIND_DTLS = 2, KIND_RTP = 3, KIND_RTCP = 4, KIND_OTHER = 5, KIND_LANE = 6, KIND_BOOKED = 7 };

/* Lanes a socket holds (one per forwarded SSRC) and sinks one lane writes to. */
#define KTS_LANES 16
#define KTS_LANE_TARGETS 32
/* Longest outgoing header template: 12 fixed bytes, 4 of extension header, our extensions. */
#define KTS_LANE_HEADER 64
/* Sockets lanes may queue on during one batch (each flushed once after it). */
#define KTS_TOUCHED 64

/* An SrtpSession object's native side (srtp_binding.c). */
typedef struct {
  kts_srtp srtp;
  int open;
} kts_session;

struct kts_sock;

/* One sink of a lane: where the rewritten packet goes and how its header is made. */
typedef struct {
  struct kts_sock *sock;
  kts_session *srtp;
  napi_ref sock_ref, srtp_ref; /* strong: neither is collected while a lane points at it */
  int peer;
  uint8_t header[KTS_LANE_HEADER];
  int header_length;
  uint8_t first_byte; /* version and extension bit; the padding bit comes from the packet */
  uint8_t payload_type;
  uint16_t seq_offset;
  uint32_t timestamp_offset;
} kts_lane_target;

/* A forwarding lane: the steady state of one inbound SSRC whose every sink is a native socket. */
typedef struct {
  uint32_t ssrc;
  uint8_t payload_type;
  uint32_t cell;  /* its scope's cell of the epoch array (0: the thread-wide one only) */
  uint32_t epoch; /* valid while it equals cells[0] + cells[cell] (both only grow, so any bump changes the sum) */
  kts_session *srtp;
  napi_ref srtp_ref;
  double packets;
  struct kts_books *books; /* what C books for each packet (ledger.c); NULL: JS books them all */
  int target_count;
  kts_lane_target targets[];
} kts_lane;

typedef struct kts_sock {
  napi_env env;
  napi_ref self, on_batch, slab_ref, meta_ref;
  napi_async_context async_context;
  napi_async_cleanup_hook_handle cleanup;
  uv_poll_t poll;
  int fd, family, polling, closing, closed, finalized;
  int batch, tx_capacity, stride, peers_only;
  uint8_t *slab;
  size_t slab_size;
  int32_t *rx_length, *rx_kind, *rx_peer, *tx_offset, *tx_length, *tx_peer;
  /* Lane records of the batch (rx_lane: the lane of a KIND_LANE slot; per slot and target: where
   * the protected copy went, -1 when it did not) and the queued send descriptors' count. */
  int32_t *rx_lane, *lane_offset, *lane_length, *tx_pending;
  const int32_t *epoch;
  struct sockaddr_storage peers[MAX_PEERS];
  socklen_t peer_length[MAX_PEERS];
  uint8_t peer_used[MAX_PEERS];
  int peer_top; /* one past the highest id in use */
  struct mmsghdr *rx_msgs, *tx_msgs;
  struct iovec *rx_iov, *tx_iov;
  struct sockaddr_storage *rx_from;
  kts_lane *lanes[KTS_LANES];
  int lane_count;
  struct kts_sock *touched[KTS_TOUCHED];
  int touched_count;
  double packets_in, bytes_in, packets_out, bytes_out, wakeups, batches, dropped, truncated, send_errors, lane_packets;
} Sock;

/* Type tags: an object handed to native code is checked to be what it claims. */
extern const napi_type_tag KTS_SOCKET_TAG, KTS_SESSION_TAG;

/* The environment's lane epochs (a shared Int32Array of KTS_LANE_CELLS cells JS bumps on every
 * change of the graph: cell 0 stops every lane of the thread, cell c those of scope c). */
#define KTS_LANE_CELLS 4096
const int32_t *kts_lane_epoch(napi_env env);
napi_value kts_init_lanes(napi_env env, napi_value exports);
napi_value kts_init_dtls(napi_env env, napi_value exports);

/* lane.c, called by socket.c. Forward: KIND_LANE or KIND_BOOKED when a lane took the datagram in rx slot `slot` (its
 * plain length in *length), 0 to leave it to JS untouched. */
int kts_lane_forward(Sock *s, int slot, int *length);
/* Sends what lanes queued on other sockets during the batch. */
void kts_lane_flush_touched(Sock *s);
/* Drops every lane; release_refs only while the environment is alive. */
void kts_lanes_free(Sock *s, int release_refs);
int kts_sock_flush(Sock *s, int count);

napi_value kts_sock_set_lane(napi_env env, napi_callback_info info);
napi_value kts_sock_clear_lanes(napi_env env, napi_callback_info info);

#endif
