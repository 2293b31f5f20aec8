/* N-API classes DtlsContext and DtlsSession: the DTLS-SRTP handshake (RFC 5764) in Node's own
 * OpenSSL, without a socket. JS hands each DTLS datagram in and sends the datagrams each call
 * returns; a timer it sets from nextTimeoutMs() drives retransmissions. werift's handshake in
 * JavaScript costs several milliseconds of the event loop per call set up; this one a fraction.
 *
 * OpenSSL writes each record or flight through a BIO of ours that keeps datagram boundaries (a
 * memory BIO would run them together); it reads from a memory BIO that holds one datagram at a
 * time. The peer's certificate is accepted here and its fingerprint checked by the caller against
 * the SDP, as DTLS-SRTP prescribes. Every call leaves this thread's OpenSSL error queue empty:
 * Node's crypto shares it. */
#include "internal.h"

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

/* At most this many datagrams leave from one call (a flight is a handful). */
#define MAX_OUT 32
/* What we offer, strongest first (WebRTC peers take ECDHE with AES-GCM). */
#define CIPHERS "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-RSA-AES256-GCM-SHA384:ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305:ECDHE-ECDSA-AES128-SHA:ECDHE-RSA-AES128-SHA"
#define SRTP_LABEL "EXTRACTOR-dtls_srtp"

enum { STATE_HANDSHAKING = 0, STATE_CONNECTED = 1, STATE_CLOSED = 2, STATE_FAILED = 3 };

typedef struct {
  SSL_CTX *ctx;
} Context;

typedef struct {
  SSL *ssl;
  napi_ref context_ref; /* the DtlsContext stays alive while a session uses its SSL_CTX */
  int state;
  int out_count;
  uint8_t *out[MAX_OUT];
  int out_length[MAX_OUT];
  char error[200];
} Session;

static BIO_METHOD *datagram_method = NULL;

/* ---- the output BIO: one datagram per write ---- */

static int datagram_write(BIO *bio, const char *data, int length) {
  Session *s = BIO_get_data(bio);
  if (!s || length <= 0) return length;
  if (s->out_count == MAX_OUT) return length; /* dropped: the flight is retransmitted */
  uint8_t *copy = malloc((size_t)length);
  if (!copy) return -1;
  memcpy(copy, data, (size_t)length);
  s->out[s->out_count] = copy;
  s->out_length[s->out_count] = length;
  s->out_count++;
  return length;
}

static long datagram_ctrl(BIO *bio, int cmd, long num, void *ptr) {
  (void)bio;
  (void)num;
  (void)ptr;
  switch (cmd) {
  case BIO_CTRL_FLUSH:
    return 1;
  case BIO_CTRL_WPENDING:
  case BIO_CTRL_PENDING:
    return 0;
  default:
    return 0; /* no MTU query (SSL_OP_NO_QUERY_MTU), no peer address */
  }
}

static int datagram_create(BIO *bio) {
  BIO_set_init(bio, 1);
  return 1;
}

static void make_method(void) {
  BIO_METHOD *m = BIO_meth_new(BIO_get_new_index() | BIO_TYPE_SOURCE_SINK, "kurento-ts datagram");
  if (!m || !BIO_meth_set_write(m, datagram_write) || !BIO_meth_set_ctrl(m, datagram_ctrl) || !BIO_meth_set_create(m, datagram_create)) {
    if (m) BIO_meth_free(m);
    return;
  }
  datagram_method = m; /* one per process, never freed: shared by every thread's sessions */
}

/* Made once for the process, whichever thread (main or a media worker) asks first. */
static int ensure_method(void) {
  static pthread_once_t once = PTHREAD_ONCE_INIT;
  pthread_once(&once, make_method);
  return datagram_method != NULL;
}

/* The first OpenSSL error queued, as text, and the queue emptied. */
static void take_error(char *out, size_t size, const char *fallback) {
  unsigned long code = ERR_get_error();
  if (code) ERR_error_string_n(code, out, size);
  else snprintf(out, size, "%s", fallback);
  ERR_clear_error();
}

static void throw_openssl(napi_env env, const char *what) {
  char message[256], detail[200];
  take_error(detail, sizeof detail, "no detail");
  snprintf(message, sizeof message, "%s: %s", what, detail);
  napi_throw_error(env, NULL, message);
}

/* ---- DtlsContext(certificatePem, privateKeyPem, srtpProfiles) ---- */

static void context_finalize(napi_env env, void *data, void *hint) {
  (void)env;
  (void)hint;
  Context *c = data;
  SSL_CTX_free(c->ctx);
  free(c);
}

static int accept_any_certificate(int ok, X509_STORE_CTX *store) {
  (void)ok;
  (void)store;
  return 1; /* the fingerprint in the SDP is checked by the caller */
}

static napi_value context_new(napi_env env, napi_callback_info info) {
  size_t argc = 3;
  napi_value argv[3], self;
  NAPI_OK(env, napi_get_cb_info(env, info, &argc, argv, &self, NULL));
  uint8_t *cert_pem, *key_pem;
  size_t cert_length, key_length, profiles_length;
  /* OpenSSL's names, colon-separated, in order of preference; empty for no DTLS-SRTP. */
  char profiles[128];
  if (argc < 3 || !kts_bytes(env, argv[0], &cert_pem, &cert_length) || !kts_bytes(env, argv[1], &key_pem, &key_length)) return NULL;
  if (napi_get_value_string_utf8(env, argv[2], profiles, sizeof profiles, &profiles_length) != napi_ok || profiles_length >= sizeof profiles - 1) {
    napi_throw_type_error(env, NULL, "srtpProfiles must be a short string");
    return NULL;
  }
  if (!ensure_method()) {
    throw_openssl(env, "DtlsContext");
    return NULL;
  }
  ERR_clear_error();
  SSL_CTX *ctx = SSL_CTX_new(DTLS_method());
  BIO *cert_bio = BIO_new_mem_buf(cert_pem, (int)cert_length);
  BIO *key_bio = BIO_new_mem_buf(key_pem, (int)key_length);
  X509 *cert = cert_bio ? PEM_read_bio_X509(cert_bio, NULL, NULL, NULL) : NULL;
  EVP_PKEY *key = key_bio ? PEM_read_bio_PrivateKey(key_bio, NULL, NULL, NULL) : NULL;
  BIO_free(cert_bio);
  BIO_free(key_bio);
  const char *failed = NULL;
  if (!ctx) failed = "DtlsContext: no DTLS in this OpenSSL";
  else if (!cert) failed = "DtlsContext: the certificate is not PEM";
  else if (!key) failed = "DtlsContext: the private key is not PEM";
  else if (SSL_CTX_use_certificate(ctx, cert) != 1 || SSL_CTX_use_PrivateKey(ctx, key) != 1 || SSL_CTX_check_private_key(ctx) != 1) failed = "DtlsContext: the key does not match the certificate";
  else if (SSL_CTX_set_min_proto_version(ctx, DTLS1_2_VERSION) != 1 || SSL_CTX_set_cipher_list(ctx, CIPHERS) != 1 || SSL_CTX_set1_groups_list(ctx, "X25519:P-256:P-384") != 1) failed = "DtlsContext: cipher settings";
  else if (profiles_length > 0 && SSL_CTX_set_tlsext_use_srtp(ctx, profiles) != 0) failed = "DtlsContext: unknown SRTP profile";
  X509_free(cert);
  EVP_PKEY_free(key);
  if (failed) {
    SSL_CTX_free(ctx);
    throw_openssl(env, failed);
    return NULL;
  }
  SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT, accept_any_certificate);
  SSL_CTX_set_options(ctx, SSL_OP_NO_QUERY_MTU | SSL_OP_NO_TICKET);
  SSL_CTX_set_read_ahead(ctx, 1);
  Context *c = calloc(1, sizeof *c);
  if (!c) {
    SSL_CTX_free(ctx);
    napi_throw_error(env, NULL, "out of memory");
    return NULL;
  }
  c->ctx = ctx;
  if (napi_wrap(env, self, c, context_finalize, NULL, NULL) != napi_ok) {
    context_finalize(env, c, NULL);
    kts_throw_last(env, "napi_wrap");
    return NULL;
  }
  return self;
}

/* ---- DtlsSession(context, isServer, mtu) ---- */

static void session_free_output(Session *s) {
  for (int i = 0; i < s->out_count; i++) free(s->out[i]);
  s->out_count = 0;
}

static void session_release(napi_env env, Session *s) {
  if (s->ssl) {
    SSL_free(s->ssl); /* frees both BIOs */
    s->ssl = NULL;
  }
  session_free_output(s);
  if (s->context_ref) {
    napi_delete_reference(env, s->context_ref);
    s->context_ref = NULL;
  }
}

static void session_finalize(napi_env env, void *data, void *hint) {
  (void)hint;
  Session *s = data;
  session_release(env, s);
  free(s);
}

static napi_value session_new(napi_env env, napi_callback_info info) {
  size_t argc = 3;
  napi_value argv[3], self;
  NAPI_OK(env, napi_get_cb_info(env, info, &argc, argv, &self, NULL));
  Context *c = NULL;
  bool is_server;
  int64_t mtu;
  if (argc < 3 || napi_unwrap(env, argv[0], (void **)&c) != napi_ok || !c) {
    napi_throw_type_error(env, NULL, "DtlsSession(context, isServer, mtu)");
    return NULL;
  }
  NAPI_OK(env, napi_get_value_bool(env, argv[1], &is_server));
  if (!kts_int(env, argv[2], 256, 65535, "mtu", &mtu)) return NULL;
  Session *s = calloc(1, sizeof *s);
  if (!s) {
    napi_throw_error(env, NULL, "out of memory");
    return NULL;
  }
  ERR_clear_error();
  s->ssl = SSL_new(c->ctx);
  BIO *in = BIO_new(BIO_s_mem());
  BIO *out = BIO_new(datagram_method);
  if (!s->ssl || !in || !out) {
    BIO_free(in);
    BIO_free(out);
    session_finalize(env, s, NULL);
    throw_openssl(env, "DtlsSession");
    return NULL;
  }
  BIO_set_mem_eof_return(in, -1); /* empty means "wait for the next datagram", not end of file */
  BIO_set_data(out, s);
  SSL_set_bio(s->ssl, in, out);
  SSL_set_mtu(s->ssl, (long)mtu);
  if (is_server) SSL_set_accept_state(s->ssl);
  else SSL_set_connect_state(s->ssl);
  if (napi_create_reference(env, argv[0], 1, &s->context_ref) != napi_ok || napi_wrap(env, self, s, session_finalize, NULL, NULL) != napi_ok) {
    session_finalize(env, s, NULL);
    kts_throw_last(env, "DtlsSession");
    return NULL;
  }
  return self;
}

static Session *session_of(napi_env env, napi_callback_info info, size_t *argc, napi_value *argv) {
  napi_value self;
  Session *s = NULL;
  if (napi_get_cb_info(env, info, argc, argv, &self, NULL) != napi_ok || napi_unwrap(env, self, (void **)&s) != napi_ok || !s) {
    napi_throw_error(env, NULL, "not a DtlsSession");
    return NULL;
  }
  return s;
}

/* Advances the handshake, or reads application data once it is done, into `data`. */
static void session_step(napi_env env, Session *s, napi_value data) {
  if (s->state == STATE_HANDSHAKING) {
    int r = SSL_do_handshake(s->ssl);
    if (r == 1) s->state = STATE_CONNECTED;
    else {
      int e = SSL_get_error(s->ssl, r);
      if (e != SSL_ERROR_WANT_READ && e != SSL_ERROR_WANT_WRITE) {
        s->state = STATE_FAILED;
        take_error(s->error, sizeof s->error, e == SSL_ERROR_ZERO_RETURN ? "the peer closed during the handshake" : "handshake failed");
        return;
      }
    }
  }
  if (s->state != STATE_CONNECTED) return;
  uint8_t buffer[16384];
  uint32_t count = 0;
  for (;;) {
    int n = SSL_read(s->ssl, buffer, sizeof buffer);
    if (n > 0) {
      napi_value chunk;
      void *p;
      if (napi_create_buffer_copy(env, (size_t)n, buffer, &p, &chunk) == napi_ok) napi_set_element(env, data, count++, chunk);
      continue;
    }
    int e = SSL_get_error(s->ssl, n);
    if (e == SSL_ERROR_ZERO_RETURN) s->state = STATE_CLOSED;
    else if (e != SSL_ERROR_WANT_READ && e != SSL_ERROR_WANT_WRITE) {
      /* A record that does not authenticate is dropped by OpenSSL itself; anything else ends it. */
      s->state = STATE_FAILED;
      take_error(s->error, sizeof s->error, "read failed");
    }
    break;
  }
}

/* [datagramsToSend[], applicationData[], state, error]; the queue of OpenSSL errors left empty. */
static napi_value session_result(napi_env env, Session *s, napi_value data) {
  napi_value result, out, state, error;
  ERR_clear_error();
  if (napi_create_array_with_length(env, (size_t)s->out_count, &out) != napi_ok) return NULL;
  for (int i = 0; i < s->out_count; i++) {
    napi_value datagram;
    void *p;
    if (napi_create_buffer_copy(env, (size_t)s->out_length[i], s->out[i], &p, &datagram) != napi_ok) break;
    napi_set_element(env, out, (uint32_t)i, datagram);
  }
  session_free_output(s);
  if (!data) napi_create_array(env, &data);
  napi_create_int32(env, s->state, &state);
  if (s->state == STATE_FAILED) napi_create_string_utf8(env, s->error, NAPI_AUTO_LENGTH, &error);
  else napi_get_undefined(env, &error);
  napi_create_array_with_length(env, 4, &result);
  napi_set_element(env, result, 0, out);
  napi_set_element(env, result, 1, data);
  napi_set_element(env, result, 2, state);
  napi_set_element(env, result, 3, error);
  return result;
}

static int open_or_throw(napi_env env, Session *s) {
  if (s->ssl) return 1;
  napi_throw_error(env, NULL, "the DTLS session is closed");
  return 0;
}

static int connected_or_throw(napi_env env, Session *s) {
  if (s->state == STATE_CONNECTED) return 1;
  napi_throw_error(env, NULL, "the DTLS session is not connected");
  return 0;
}

/* The open session of a method whose one argument is bytes, or NULL with an error thrown. */
static Session *open_session_with_bytes(napi_env env, napi_callback_info info, uint8_t **bytes, size_t *length) {
  size_t argc = 1;
  napi_value argv[1];
  Session *s = session_of(env, info, &argc, argv);
  if (!s || !open_or_throw(env, s)) return NULL;
  if (argc < 1) {
    napi_throw_type_error(env, NULL, "expected a Buffer or Uint8Array");
    return NULL;
  }
  return kts_bytes(env, argv[0], bytes, length) ? s : NULL;
}

/* start(): the client's first flight (nothing for a server). */
static napi_value session_start(napi_env env, napi_callback_info info) {
  size_t argc = 0;
  Session *s = session_of(env, info, &argc, NULL);
  if (!s || !open_or_throw(env, s)) return NULL;
  ERR_clear_error();
  napi_value data;
  NAPI_OK(env, napi_create_array(env, &data));
  if (s->state == STATE_HANDSHAKING) session_step(env, s, data);
  return session_result(env, s, data);
}

/* receive(datagram): one DTLS datagram from the peer. */
static napi_value session_receive(napi_env env, napi_callback_info info) {
  uint8_t *bytes;
  size_t length;
  Session *s = open_session_with_bytes(env, info, &bytes, &length);
  if (!s) return NULL;
  ERR_clear_error();
  napi_value data;
  NAPI_OK(env, napi_create_array(env, &data));
  if (length > 0 && length <= 65535 && (s->state == STATE_HANDSHAKING || s->state == STATE_CONNECTED)) {
    BIO_write(SSL_get_rbio(s->ssl), bytes, (int)length);
    session_step(env, s, data);
    /* What OpenSSL did not take (a record it could not use) must not join the next datagram. */
    BIO_ctrl(SSL_get_rbio(s->ssl), BIO_CTRL_RESET, 0, NULL);
  }
  return session_result(env, s, data);
}

/* timeout(): the retransmission timer fired. */
static napi_value session_timeout(napi_env env, napi_callback_info info) {
  size_t argc = 0;
  Session *s = session_of(env, info, &argc, NULL);
  if (!s || !open_or_throw(env, s)) return NULL;
  ERR_clear_error();
  if (s->state == STATE_HANDSHAKING && DTLSv1_handle_timeout(s->ssl) < 0) {
    s->state = STATE_FAILED;
    take_error(s->error, sizeof s->error, "the handshake timed out");
  }
  return session_result(env, s, NULL);
}

/* nextTimeoutMs(): when timeout() is due, or -1. */
static napi_value session_next_timeout(napi_env env, napi_callback_info info) {
  size_t argc = 0;
  Session *s = session_of(env, info, &argc, NULL);
  if (!s) return NULL;
  struct timeval tv = {0, 0};
  double ms = -1;
  if (s->ssl && s->state == STATE_HANDSHAKING && DTLSv1_get_timeout(s->ssl, &tv) == 1) ms = (double)tv.tv_sec * 1000 + (double)tv.tv_usec / 1000;
  ERR_clear_error();
  return kts_number(env, ms);
}

/* write(bytes): application data (SCTP) once connected. */
static napi_value session_write(napi_env env, napi_callback_info info) {
  uint8_t *bytes;
  size_t length;
  Session *s = open_session_with_bytes(env, info, &bytes, &length);
  if (!s || !connected_or_throw(env, s)) return NULL;
  ERR_clear_error();
  if (length > 0 && SSL_write(s->ssl, bytes, (int)length) <= 0) {
    char detail[200];
    take_error(detail, sizeof detail, "write failed");
    session_free_output(s);
    napi_throw_error(env, NULL, detail);
    return NULL;
  }
  return session_result(env, s, NULL);
}

/* info(): { srtpProfile, peerCertificate (DER), cipher, version } */
static napi_value session_info(napi_env env, napi_callback_info info) {
  size_t argc = 0;
  Session *s = session_of(env, info, &argc, NULL);
  if (!s || !open_or_throw(env, s)) return NULL;
  napi_value result, value;
  NAPI_OK(env, napi_create_object(env, &result));
  SRTP_PROTECTION_PROFILE *profile = SSL_get_selected_srtp_profile(s->ssl);
  kts_set_number(env, result, "srtpProfile", profile ? (double)profile->id : 0);
  X509 *peer = SSL_get1_peer_certificate(s->ssl);
  if (peer) {
    int length = i2d_X509(peer, NULL);
    void *p;
    if (length > 0 && napi_create_buffer(env, (size_t)length, &p, &value) == napi_ok) {
      unsigned char *cursor = p;
      i2d_X509(peer, &cursor);
      napi_set_named_property(env, result, "peerCertificate", value);
    }
    X509_free(peer);
  }
  const SSL_CIPHER *cipher = SSL_get_current_cipher(s->ssl);
  if (cipher && napi_create_string_utf8(env, SSL_CIPHER_get_name(cipher), NAPI_AUTO_LENGTH, &value) == napi_ok) napi_set_named_property(env, result, "cipher", value);
  if (napi_create_string_utf8(env, SSL_get_version(s->ssl), NAPI_AUTO_LENGTH, &value) == napi_ok) napi_set_named_property(env, result, "version", value);
  ERR_clear_error();
  return result;
}

/* exportKeyingMaterial(length): RFC 5705 with the DTLS-SRTP label (RFC 5764 §4.2). */
static napi_value session_export(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1], result;
  Session *s = session_of(env, info, &argc, argv);
  int64_t length;
  if (!s || !open_or_throw(env, s) || argc < 1 || !kts_int(env, argv[0], 1, 1024, "length", &length) || !connected_or_throw(env, s)) return NULL;
  void *p;
  NAPI_OK(env, napi_create_buffer(env, (size_t)length, &p, &result));
  if (SSL_export_keying_material(s->ssl, p, (size_t)length, SRTP_LABEL, strlen(SRTP_LABEL), NULL, 0, 0) != 1) {
    throw_openssl(env, "exportKeyingMaterial");
    return NULL;
  }
  return result;
}

/* close(): close_notify to send (when connected), then everything freed; idempotent. */
static napi_value session_close(napi_env env, napi_callback_info info) {
  size_t argc = 0;
  Session *s = session_of(env, info, &argc, NULL);
  if (!s) return NULL;
  if (!s->ssl) return session_result(env, s, NULL);
  ERR_clear_error();
  if (s->state == STATE_CONNECTED) SSL_shutdown(s->ssl);
  if (s->state != STATE_FAILED) s->state = STATE_CLOSED;
  napi_value out = session_result(env, s, NULL);
  session_release(env, s);
  return out;
}

napi_value kts_init_dtls(napi_env env, napi_value exports) {
  napi_value context_class, session_class;
  NAPI_OK(env, napi_define_class(env, "DtlsContext", NAPI_AUTO_LENGTH, context_new, NULL, 0, NULL, &context_class));
  napi_property_descriptor methods[] = {
      {"start", NULL, session_start, NULL, NULL, NULL, napi_default, NULL},
      {"receive", NULL, session_receive, NULL, NULL, NULL, napi_default, NULL},
      {"timeout", NULL, session_timeout, NULL, NULL, NULL, napi_default, NULL},
      {"nextTimeoutMs", NULL, session_next_timeout, NULL, NULL, NULL, napi_default, NULL},
      {"write", NULL, session_write, NULL, NULL, NULL, napi_default, NULL},
      {"info", NULL, session_info, NULL, NULL, NULL, napi_default, NULL},
      {"exportKeyingMaterial", NULL, session_export, NULL, NULL, NULL, napi_default, NULL},
      {"close", NULL, session_close, NULL, NULL, NULL, napi_default, NULL},
  };
  NAPI_OK(env, napi_define_class(env, "DtlsSession", NAPI_AUTO_LENGTH, session_new, NULL, sizeof methods / sizeof methods[0], methods, &session_class));
  NAPI_OK(env, napi_set_named_property(env, exports, "DtlsContext", context_class));
  NAPI_OK(env, napi_set_named_property(env, exports, "DtlsSession", session_class));
  return exports;
}
