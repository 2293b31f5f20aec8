/* N-API class UdpSocket: a UDP socket owned by native code on the calling thread's libuv loop.
 * uv_poll wakes us; recvmmsg fills the receive part of one slab that JS sees; one JS call per
 * batch with each datagram's length, RFC 7983 kind and known-peer id in an Int32Array; sendmmsg
 * sends descriptors (offset in the slab, length, peer id) that JS wrote, a destination each.
 *
 * Lifetime: while open, the socket holds strong references to its JS object, the slab, the meta
 * array and the callback, so nothing it points at can be collected under it (the probe
 * segfaulted without them). close() stops the poll; the references go in uv_close's callback.
 * An async cleanup hook closes it when the environment (main thread or worker) goes away. */
#include "internal.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <unistd.h>


static int parse_address(const char *text, int port, struct sockaddr_storage *out, socklen_t *length) {
  memset(out, 0, sizeof *out);
  struct sockaddr_in *v4 = (struct sockaddr_in *)out;
  struct sockaddr_in6 *v6 = (struct sockaddr_in6 *)out;
  if (inet_pton(AF_INET, text, &v4->sin_addr) == 1) {
    v4->sin_family = AF_INET;
    v4->sin_port = htons((uint16_t)port);
    *length = sizeof *v4;
    return AF_INET;
  }
  if (inet_pton(AF_INET6, text, &v6->sin6_addr) == 1) {
    v6->sin6_family = AF_INET6;
    v6->sin6_port = htons((uint16_t)port);
    *length = sizeof *v6;
    return AF_INET6;
  }
  return 0;
}

static int same_address(const struct sockaddr_storage *a, const struct sockaddr_storage *b) {
  if (a->ss_family != b->ss_family) return 0;
  if (a->ss_family == AF_INET) {
    const struct sockaddr_in *x = (const void *)a, *y = (const void *)b;
    return x->sin_port == y->sin_port && x->sin_addr.s_addr == y->sin_addr.s_addr;
  }
  const struct sockaddr_in6 *x = (const void *)a, *y = (const void *)b;
  return x->sin6_port == y->sin6_port && memcmp(&x->sin6_addr, &y->sin6_addr, 16) == 0;
}

static inline int kind_of(const uint8_t *p, int length) {
  if (length < 1) return KIND_OTHER;
  uint8_t b = p[0];
  if (b <= 3) return KIND_STUN;
  if (b >= 20 && b <= 63) return KIND_DTLS;
  if (b >= 128 && b <= 191) return length >= 2 && p[1] >= 192 && p[1] <= 223 ? KIND_RTCP : KIND_RTP;
  return KIND_OTHER;
}

static void sock_free(Sock *s) {
  kts_lanes_free(s, 0);
  free(s->rx_msgs);
  free(s->tx_msgs);
  free(s->rx_iov);
  free(s->tx_iov);
  free(s->rx_from);
  free(s);
}

static void on_closed(uv_handle_t *handle) {
  Sock *s = handle->data;
  napi_env env = s->env;
  if (s->fd >= 0) close(s->fd);
  s->fd = -1;
  s->closed = 1;
  s->slab = NULL;
  if (!s->finalized) {
    kts_lanes_free(s, 1);
    napi_delete_reference(env, s->on_batch);
    napi_delete_reference(env, s->slab_ref);
    napi_delete_reference(env, s->meta_ref);
    napi_delete_reference(env, s->self);
    napi_async_destroy(env, s->async_context);
  }
  napi_async_cleanup_hook_handle cleanup = s->cleanup;
  s->cleanup = NULL;
  if (s->finalized) sock_free(s);
  if (cleanup) napi_remove_async_cleanup_hook(cleanup);
}

static void start_close(Sock *s) {
  if (s->closing) return;
  s->closing = 1;
  if (s->polling) uv_poll_stop(&s->poll);
  uv_close((uv_handle_t *)&s->poll, on_closed);
}

static void on_env_cleanup(napi_async_cleanup_hook_handle handle, void *arg) {
  (void)handle;
  start_close(arg);
}

/* One JS call for the batch now in the slab; its return value is how many tx descriptors to send. */
static int call_js(Sock *s, int count);

static void arm_receive(Sock *s) {
  for (int i = 0; i < s->batch; i++) {
    s->rx_iov[i].iov_base = s->slab + (size_t)i * s->stride;
    s->rx_iov[i].iov_len = (size_t)s->stride;
    s->rx_msgs[i].msg_hdr = (struct msghdr){.msg_name = &s->rx_from[i], .msg_namelen = sizeof s->rx_from[i], .msg_iov = &s->rx_iov[i], .msg_iovlen = 1};
    s->rx_msgs[i].msg_len = 0;
  }
}

static int peer_of(const Sock *s, const struct sockaddr_storage *from) {
  for (int id = 0; id < s->peer_top; id++)
    if (s->peer_used[id] && same_address(&s->peers[id], from)) return id;
  return -1;
}

static void on_readable(uv_poll_t *handle, int status, int events) {
  (void)events;
  Sock *s = handle->data;
  if (status < 0 || s->closing) return;
  s->wakeups++;
  for (int round = 0; round < ROUNDS_PER_WAKEUP && !s->closing; round++) {
    arm_receive(s);
    int n = recvmmsg(s->fd, s->rx_msgs, (unsigned)s->batch, MSG_DONTWAIT, NULL);
    if (n <= 0) break;
    int wanted = 0;
    for (int i = 0; i < n; i++) {
      int length = (int)s->rx_msgs[i].msg_len;
      int peer = peer_of(s, &s->rx_from[i]);
      int kind = kind_of(s->slab + (size_t)i * s->stride, length);
      if (s->rx_msgs[i].msg_hdr.msg_flags & MSG_TRUNC) {
        kind = KIND_DROPPED;
        s->truncated++;
      } else if (peer < 0 && kind != KIND_STUN && s->peers_only) {
        kind = KIND_DROPPED; /* only STUN from strangers: the rest waits for ICE to vouch for them */
        s->dropped++;
      }
      if (kind == KIND_RTP && peer >= 0 && s->lane_count > 0) {
        int laned = kts_lane_forward(s, i, &length);
        if (laned) kind = laned;
      }
      s->rx_length[i] = length;
      s->rx_kind[i] = kind;
      s->rx_peer[i] = peer;
      s->packets_in++;
      s->bytes_in += length;
      wanted |= kind != KIND_DROPPED && kind != KIND_BOOKED;
    }
    /* A batch lanes forwarded and booked whole needs no JS call at all. */
    int send = 0;
    if (wanted) {
      s->batches++;
      send = call_js(s, n);
    }
    /* What JS returned, or queued through txPending (lanes queue there too), leaves now. */
    if (*s->tx_pending > send) send = *s->tx_pending;
    *s->tx_pending = 0;
    if (send > 0 && !s->closing) kts_sock_flush(s, send);
    kts_lane_flush_touched(s);
    if (n < s->batch) break;
  }
}

static int call_js(Sock *s, int count) {
  napi_env env = s->env;
  napi_handle_scope scope;
  if (napi_open_handle_scope(env, &scope) != napi_ok) return 0;
  napi_value self, cb, arg, result = NULL;
  int32_t send = 0;
  if (napi_get_reference_value(env, s->self, &self) == napi_ok && napi_get_reference_value(env, s->on_batch, &cb) == napi_ok && napi_create_int32(env, count, &arg) == napi_ok) {
    napi_status status = napi_make_callback(env, s->async_context, self, cb, 1, &arg, &result);
    if (status == napi_pending_exception) {
      napi_value error;
      napi_get_and_clear_last_exception(env, &error);
      napi_fatal_exception(env, error); /* as a throw in any event callback: 'uncaughtException' */
    } else if (status == napi_ok && result) {
      napi_valuetype type;
      if (napi_typeof(env, result, &type) == napi_ok && type == napi_number) napi_get_value_int32(env, result, &send);
    }
  }
  napi_close_handle_scope(env, scope);
  return send;
}

/* sendmmsg descriptors [0, count): a datagram the kernel refuses is counted and skipped. */
int kts_sock_flush(Sock *s, int count) {
  if (count > s->tx_capacity) count = s->tx_capacity;
  int queued = 0;
  for (int i = 0; i < count; i++) {
    int32_t offset = s->tx_offset[i], length = s->tx_length[i], peer = s->tx_peer[i];
    if (offset < 0 || length < 0 || (size_t)offset + (size_t)length > s->slab_size || peer < 0 || peer >= MAX_PEERS || !s->peer_used[peer]) {
      s->send_errors++;
      continue;
    }
    s->tx_iov[queued].iov_base = s->slab + offset;
    s->tx_iov[queued].iov_len = (size_t)length;
    s->tx_msgs[queued].msg_hdr = (struct msghdr){.msg_name = &s->peers[peer], .msg_namelen = s->peer_length[peer], .msg_iov = &s->tx_iov[queued], .msg_iovlen = 1};
    queued++;
  }
  int done = 0, sent = 0;
  while (done < queued) {
    int r = sendmmsg(s->fd, s->tx_msgs + done, (unsigned)(queued - done), MSG_DONTWAIT);
    if (r > 0) {
      for (int i = done; i < done + r; i++) s->bytes_out += s->tx_msgs[i].msg_len;
      s->packets_out += r;
      sent += r;
      done += r;
    } else if (r < 0 && errno == EINTR) {
      continue;
    } else {
      s->send_errors++; /* EAGAIN (buffer full) or an error of this datagram: drop it, as UDP may */
      done++;
    }
  }
  return sent;
}

static Sock *this_sock(napi_env env, napi_callback_info info, size_t *argc, napi_value *argv) {
  napi_value self;
  void *data = NULL;
  if (napi_get_cb_info(env, info, argc, argv, &self, NULL) != napi_ok || napi_unwrap(env, self, &data) != napi_ok) {
    napi_throw_type_error(env, NULL, "not a UdpSocket");
    return NULL;
  }
  Sock *s = data;
  if (s->closing) {
    napi_throw_error(env, NULL, "UdpSocket closed");
    return NULL;
  }
  return s;
}

static void sock_finalize(napi_env env, void *data, void *hint) {
  (void)env;
  (void)hint;
  Sock *s = data;
  s->finalized = 1;
  if (s->closed) {
    sock_free(s);
  } else if (s->fd >= 0 && !s->polling && !s->closing) {
    close(s->fd); /* never got as far as polling */
    sock_free(s);
  } else {
    start_close(s); /* frees itself in on_closed */
  }
}

static int read_string(napi_env env, napi_value value, char *out, size_t size) {
  size_t length = 0;
  if (napi_get_value_string_utf8(env, value, out, size, &length) != napi_ok || length >= size - 1) {
    napi_throw_type_error(env, NULL, "expected an IP address string");
    return 0;
  }
  return 1;
}

/* new UdpSocket(address, portMin, portMax, batch, txCapacity, stride, peersOnly, onBatch) */
static napi_value sock_new(napi_env env, napi_callback_info info) {
  size_t argc = 8;
  napi_value argv[8], self;
  NAPI_OK(env, napi_get_cb_info(env, info, &argc, argv, &self, NULL));
  if (argc < 8) {
    napi_throw_type_error(env, NULL, "UdpSocket(address, portMin, portMax, batch, txCapacity, stride, peersOnly, onBatch)");
    return NULL;
  }
  char address[64];
  int64_t port_min, port_max, batch, tx_capacity, stride;
  bool peers_only;
  napi_valuetype cb_type;
  if (!read_string(env, argv[0], address, sizeof address) || !kts_int(env, argv[1], 0, 65535, "port", &port_min) || !kts_int(env, argv[2], port_min, 65535, "maximum port", &port_max) ||
      !kts_int(env, argv[3], 1, MAX_BATCH, "batch", &batch) || !kts_int(env, argv[4], 1, MAX_BATCH, "txCapacity", &tx_capacity) || !kts_int(env, argv[5], 64, 65536, "stride", &stride))
    return NULL;
  NAPI_OK(env, napi_get_value_bool(env, argv[6], &peers_only));
  NAPI_OK(env, napi_typeof(env, argv[7], &cb_type));
  if (cb_type != napi_function) {
    napi_throw_type_error(env, NULL, "onBatch must be a function");
    return NULL;
  }
  struct sockaddr_storage local;
  socklen_t local_length;
  int family = parse_address(address, 0, &local, &local_length);
  if (!family) {
    napi_throw_type_error(env, NULL, "address must be an IPv4 or IPv6 literal");
    return NULL;
  }
  int fd = socket(family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) {
    napi_throw_error(env, NULL, strerror(errno));
    return NULL;
  }
  int size = 1 << 20;
  setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, sizeof size);
  setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &size, sizeof size);
  if (family == AF_INET6) {
    int only = 1;
    setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &only, sizeof only);
  }
  /* A port range is tried from a random place in it, as werift and libnice do. */
  int span = (int)(port_max - port_min + 1), start = port_min == 0 ? 0 : (int)((unsigned)(uv_hrtime() ^ (uint64_t)getpid() * 2654435761u) % (unsigned)span), bound = 0, error = 0;
  for (int i = 0; i < (port_min == 0 ? 1 : span) && !bound; i++) {
    int port = port_min == 0 ? 0 : (int)port_min + (start + i) % span;
    parse_address(address, port, &local, &local_length);
    if (bind(fd, (struct sockaddr *)&local, local_length) == 0) bound = 1;
    else error = errno;
  }
  if (!bound) {
    close(fd);
    char message[200];
    snprintf(message, sizeof message, "cannot bind %s %lld-%lld: %s", address, (long long)port_min, (long long)port_max, strerror(error));
    napi_throw_error(env, error == EADDRINUSE ? "EADDRINUSE" : NULL, message);
    return NULL;
  }
  struct sockaddr_storage actual;
  socklen_t actual_length = sizeof actual;
  getsockname(fd, (struct sockaddr *)&actual, &actual_length);
  int port = ntohs(family == AF_INET ? ((struct sockaddr_in *)&actual)->sin_port : ((struct sockaddr_in6 *)&actual)->sin6_port);

  Sock *s = calloc(1, sizeof *s);
  if (!s) {
    close(fd);
    napi_throw_error(env, NULL, "out of memory");
    return NULL;
  }
  s->env = env;
  s->fd = fd;
  s->family = family;
  s->batch = (int)batch;
  s->tx_capacity = (int)tx_capacity;
  s->stride = (int)stride;
  s->peers_only = peers_only;
  s->rx_msgs = calloc((size_t)batch, sizeof *s->rx_msgs);
  s->rx_iov = calloc((size_t)batch, sizeof *s->rx_iov);
  s->rx_from = calloc((size_t)batch, sizeof *s->rx_from);
  s->tx_msgs = calloc((size_t)tx_capacity, sizeof *s->tx_msgs);
  s->tx_iov = calloc((size_t)tx_capacity, sizeof *s->tx_iov);
  if (!s->rx_msgs || !s->rx_iov || !s->rx_from || !s->tx_msgs || !s->tx_iov) {
    close(fd);
    sock_free(s);
    napi_throw_error(env, NULL, "out of memory");
    return NULL;
  }
  /* From here on the finalizer owns `s` (and closes fd if we fail before polling). */
  if (napi_wrap(env, self, s, sock_finalize, NULL, NULL) != napi_ok) {
    close(fd);
    sock_free(s);
    kts_throw_last(env, "napi_wrap");
    return NULL;
  }
  NAPI_OK(env, napi_type_tag_object(env, self, &KTS_SOCKET_TAG));
  napi_value slab, meta_buffer, meta, name, value;
  void *p;
  s->slab_size = (size_t)(batch + tx_capacity) * (size_t)stride;
  NAPI_OK(env, napi_create_buffer(env, s->slab_size, &p, &slab));
  s->slab = p;
  /* rx length, kind, peer; tx offset, length, peer; rx lane; lane offset and length per slot and target; tx pending. */
  size_t lane_records = (size_t)batch * KTS_LANE_TARGETS;
  size_t meta_count = (size_t)(4 * batch + 3 * tx_capacity) + 2 * lane_records + 1;
  NAPI_OK(env, napi_create_arraybuffer(env, meta_count * 4, &p, &meta_buffer));
  memset(p, 0, meta_count * 4);
  NAPI_OK(env, napi_create_typedarray(env, napi_int32_array, meta_count, meta_buffer, 0, &meta));
  int32_t *m = p;
  s->rx_length = m;
  s->rx_kind = m + batch;
  s->rx_peer = m + 2 * batch;
  s->tx_offset = m + 3 * batch;
  s->tx_length = s->tx_offset + tx_capacity;
  s->tx_peer = s->tx_length + tx_capacity;
  s->rx_lane = s->tx_peer + tx_capacity;
  s->lane_offset = s->rx_lane + batch;
  s->lane_length = s->lane_offset + lane_records;
  s->tx_pending = s->lane_length + lane_records;
  s->epoch = kts_lane_epoch(env);
  if (!s->epoch) return NULL;
  NAPI_OK(env, napi_set_named_property(env, self, "slab", slab));
  NAPI_OK(env, napi_set_named_property(env, self, "meta", meta));
  NAPI_OK(env, napi_create_int32(env, port, &value));
  NAPI_OK(env, napi_set_named_property(env, self, "port", value));
  NAPI_OK(env, napi_create_int32(env, family == AF_INET ? 4 : 6, &value));
  NAPI_OK(env, napi_set_named_property(env, self, "family", value));
  NAPI_OK(env, napi_create_reference(env, slab, 1, &s->slab_ref));
  NAPI_OK(env, napi_create_reference(env, meta, 1, &s->meta_ref));
  NAPI_OK(env, napi_create_reference(env, argv[7], 1, &s->on_batch));
  NAPI_OK(env, napi_create_string_utf8(env, "kurento-ts:UdpSocket", NAPI_AUTO_LENGTH, &name));
  NAPI_OK(env, napi_async_init(env, self, name, &s->async_context));
  uv_loop_t *loop;
  NAPI_OK(env, napi_get_uv_event_loop(env, &loop));
  if (uv_poll_init(loop, &s->poll, fd) != 0) {
    napi_throw_error(env, NULL, "uv_poll_init failed");
    return NULL;
  }
  s->poll.data = s;
  NAPI_OK(env, napi_create_reference(env, self, 1, &s->self));
  s->polling = 1;
  NAPI_OK(env, napi_add_async_cleanup_hook(env, on_env_cleanup, s, &s->cleanup));
  uv_poll_start(&s->poll, UV_READABLE, on_readable);
  return self;
}

/* flush(count) -> datagrams the kernel took */
static napi_value sock_flush(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  Sock *s = this_sock(env, info, &argc, argv);
  int32_t count;
  if (!s) return NULL;
  if (argc < 1 || napi_get_value_int32(env, argv[0], &count) != napi_ok || count < 0) {
    napi_throw_range_error(env, NULL, "count must be a whole number");
    return NULL;
  }
  return kts_number(env, (double)kts_sock_flush(s, count));
}

/* addPeer(address, port) -> id: a destination for tx descriptors, and a source rx marks as known. */
static napi_value sock_add_peer(napi_env env, napi_callback_info info) {
  size_t argc = 2;
  napi_value argv[2];
  Sock *s = this_sock(env, info, &argc, argv);
  if (!s) return NULL;
  char address[64];
  int64_t port;
  if (argc < 2 || !read_string(env, argv[0], address, sizeof address) || !kts_int(env, argv[1], 1, 65535, "port", &port)) return NULL;
  struct sockaddr_storage a;
  socklen_t length = 0;
  if (parse_address(address, (int)port, &a, &length) != s->family) {
    napi_throw_type_error(env, NULL, s->family == AF_INET ? "peer must be an IPv4 address on an IPv4 socket" : "peer must be an IPv6 address on an IPv6 socket");
    return NULL;
  }
  int id = peer_of(s, &a);
  for (int i = 0; id < 0 && i < MAX_PEERS; i++) {
    if (s->peer_used[i]) continue;
    s->peers[i] = a;
    s->peer_length[i] = length;
    s->peer_used[i] = 1;
    if (i >= s->peer_top) s->peer_top = i + 1;
    id = i;
  }
  if (id < 0) {
    napi_throw_range_error(env, NULL, "too many peers on one socket (64)");
    return NULL;
  }
  return kts_number(env, id);
}

static napi_value sock_remove_peer(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  Sock *s = this_sock(env, info, &argc, argv);
  int64_t id;
  if (!s || argc < 1 || !kts_int(env, argv[0], 0, MAX_PEERS - 1, "peer id", &id)) return NULL;
  s->peer_used[id] = 0;
  while (s->peer_top > 0 && !s->peer_used[s->peer_top - 1]) s->peer_top--;
  return NULL;
}

static napi_value address_pair(napi_env env, const struct sockaddr_storage *a) {
  char text[INET6_ADDRSTRLEN] = "";
  int port;
  if (a->ss_family == AF_INET) {
    inet_ntop(AF_INET, &((const struct sockaddr_in *)a)->sin_addr, text, sizeof text);
    port = ntohs(((const struct sockaddr_in *)a)->sin_port);
  } else {
    inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)a)->sin6_addr, text, sizeof text);
    port = ntohs(((const struct sockaddr_in6 *)a)->sin6_port);
  }
  napi_value pair, v;
  if (napi_create_array_with_length(env, 2, &pair) != napi_ok) return NULL;
  napi_create_string_utf8(env, text, NAPI_AUTO_LENGTH, &v);
  napi_set_element(env, pair, 0, v);
  napi_create_int32(env, port, &v);
  napi_set_element(env, pair, 1, v);
  return pair;
}

/* source(i) -> [address, port] of rx slot i in the current batch (for STUN from new sources). */
static napi_value sock_source(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  Sock *s = this_sock(env, info, &argc, argv);
  int64_t i;
  if (!s || argc < 1 || !kts_int(env, argv[0], 0, s->batch - 1, "slot", &i)) return NULL;
  return address_pair(env, &s->rx_from[i]);
}

/* sendTo(bytes, offset, length, address, port) -> bool: one datagram now (control traffic). */
static napi_value sock_send_to(napi_env env, napi_callback_info info) {
  size_t argc = 5;
  napi_value argv[5];
  Sock *s = this_sock(env, info, &argc, argv);
  if (!s) return NULL;
  uint8_t *bytes;
  size_t size;
  int64_t offset, length, port;
  char address[64];
  if (argc < 5 || !kts_bytes(env, argv[0], &bytes, &size) || !kts_int(env, argv[1], 0, (int64_t)size, "offset", &offset) ||
      !kts_int(env, argv[2], 0, (int64_t)size - offset, "length", &length) || !read_string(env, argv[3], address, sizeof address) || !kts_int(env, argv[4], 1, 65535, "port", &port))
    return NULL;
  struct sockaddr_storage a;
  socklen_t alen = 0;
  if (parse_address(address, (int)port, &a, &alen) != s->family) {
    napi_throw_type_error(env, NULL, "destination address family differs from the socket's");
    return NULL;
  }
  ssize_t r;
  do r = sendto(s->fd, bytes + offset, (size_t)length, MSG_DONTWAIT, (struct sockaddr *)&a, alen);
  while (r < 0 && errno == EINTR);
  if (r < 0) s->send_errors++;
  else {
    s->packets_out++;
    s->bytes_out += (double)r;
  }
  napi_value ok;
  napi_get_boolean(env, r >= 0, &ok);
  return ok;
}

static napi_value sock_stats(napi_env env, napi_callback_info info) {
  size_t argc = 0;
  Sock *s = this_sock(env, info, &argc, NULL);
  if (!s) return NULL;
  napi_value o;
  NAPI_OK(env, napi_create_object(env, &o));
  kts_set_number(env, o, "packetsIn", s->packets_in);
  kts_set_number(env, o, "bytesIn", s->bytes_in);
  kts_set_number(env, o, "packetsOut", s->packets_out);
  kts_set_number(env, o, "bytesOut", s->bytes_out);
  kts_set_number(env, o, "wakeups", s->wakeups);
  kts_set_number(env, o, "batches", s->batches);
  kts_set_number(env, o, "droppedUnknownSource", s->dropped);
  kts_set_number(env, o, "truncated", s->truncated);
  kts_set_number(env, o, "sendErrors", s->send_errors);
  kts_set_number(env, o, "lanePackets", s->lane_packets);
  return o;
}

/* close(): idempotent; the descriptor is closed on the loop's next turn (uv_close). */
static napi_value sock_close(napi_env env, napi_callback_info info) {
  napi_value self;
  void *data = NULL;
  if (napi_get_cb_info(env, info, NULL, NULL, &self, NULL) != napi_ok || napi_unwrap(env, self, &data) != napi_ok) {
    napi_throw_type_error(env, NULL, "not a UdpSocket");
    return NULL;
  }
  start_close(data);
  return NULL;
}

napi_value kts_init_socket(napi_env env, napi_value exports) {
  napi_property_descriptor methods[] = {
      {"flush", NULL, sock_flush, NULL, NULL, NULL, napi_default, NULL},
      {"addPeer", NULL, sock_add_peer, NULL, NULL, NULL, napi_default, NULL},
      {"removePeer", NULL, sock_remove_peer, NULL, NULL, NULL, napi_default, NULL},
      {"source", NULL, sock_source, NULL, NULL, NULL, napi_default, NULL},
      {"sendTo", NULL, sock_send_to, NULL, NULL, NULL, napi_default, NULL},
      {"stats", NULL, sock_stats, NULL, NULL, NULL, napi_default, NULL},
      {"close", NULL, sock_close, NULL, NULL, NULL, napi_default, NULL},
      {"setLane", NULL, kts_sock_set_lane, NULL, NULL, NULL, napi_default, NULL},
      {"clearLanes", NULL, kts_sock_clear_lanes, NULL, NULL, NULL, napi_default, NULL},
  };
  napi_value cls;
  NAPI_OK(env, napi_define_class(env, "UdpSocket", NAPI_AUTO_LENGTH, sock_new, NULL, sizeof methods / sizeof methods[0], methods, &cls));
  NAPI_OK(env, napi_set_named_property(env, exports, "UdpSocket", cls));
  return exports;
}
