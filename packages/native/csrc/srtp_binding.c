/* N-API class SrtpSession over srtp.c: one context per direction of a transport, keyed once.
 * Per-packet methods take (bytes, offset, length) so that JS passes the receive slab itself. */
#include "internal.h"

#include <stdlib.h>
#include <string.h>

typedef kts_session Session;

static void session_finalize(napi_env env, void *data, void *hint) {
  (void)env;
  (void)hint;
  Session *s = data;
  if (s->open) kts_srtp_free(&s->srtp);
  free(s);
}

/* new SrtpSession(profileId, key, salt, deriveKeys, maxSsrcs) */
static napi_value session_new(napi_env env, napi_callback_info info) {
  size_t argc = 5;
  napi_value argv[5], self;
  NAPI_OK(env, napi_get_cb_info(env, info, &argc, argv, &self, NULL));
  if (argc < 5) {
    napi_throw_type_error(env, NULL, "SrtpSession(profile, key, salt, deriveKeys, maxSsrcs)");
    return NULL;
  }
  int64_t profile, max_ssrcs;
  uint8_t *key, *salt;
  size_t key_length, salt_length, want_key, want_salt;
  bool derive;
  if (!kts_int(env, argv[0], 0, 1000, "profile", &profile) || !kts_bytes(env, argv[1], &key, &key_length) || !kts_bytes(env, argv[2], &salt, &salt_length)) return NULL;
  NAPI_OK(env, napi_get_value_bool(env, argv[3], &derive));
  if (!kts_int(env, argv[4], 1, 65536, "maxSsrcs", &max_ssrcs)) return NULL;
  if (!kts_profile_lengths((kts_profile)profile, &want_key, &want_salt, NULL, NULL)) {
    napi_throw_range_error(env, NULL, "unknown SRTP profile");
    return NULL;
  }
  if (key_length != want_key || salt_length != want_salt) {
    napi_throw_range_error(env, NULL, want_key == 32 ? (want_salt == 12 ? "this profile takes a 32-byte key and a 12-byte salt" : "this profile takes a 32-byte key and a 14-byte salt")
                                                     : (want_salt == 12 ? "this profile takes a 16-byte key and a 12-byte salt" : "this profile takes a 16-byte key and a 14-byte salt"));
    return NULL;
  }
  Session *s = calloc(1, sizeof *s);
  if (!s) {
    napi_throw_error(env, NULL, "out of memory");
    return NULL;
  }
  const char *error = NULL;
  if (kts_srtp_init(&s->srtp, (kts_profile)profile, key, salt, derive, (uint32_t)max_ssrcs, &error) != 0) {
    free(s);
    napi_throw_error(env, NULL, error);
    return NULL;
  }
  s->open = 1;
  if (napi_wrap(env, self, s, session_finalize, NULL, NULL) != napi_ok) {
    kts_srtp_free(&s->srtp);
    free(s);
    kts_throw_last(env, "napi_wrap");
    return NULL;
  }
  NAPI_OK(env, napi_type_tag_object(env, self, &KTS_SESSION_TAG));
  return self;
}

/* The session and the packet (bytes + offset, length, room after offset) of a per-packet call. */
static Session *packet_args(napi_env env, napi_callback_info info, uint8_t **packet, size_t *length, size_t *room) {
  size_t argc = 3;
  napi_value argv[3], self;
  void *data = NULL;
  if (napi_get_cb_info(env, info, &argc, argv, &self, NULL) != napi_ok || napi_unwrap(env, self, &data) != napi_ok) {
    napi_throw_type_error(env, NULL, "not an SrtpSession");
    return NULL;
  }
  Session *s = data;
  if (!s->open) {
    napi_throw_error(env, NULL, "SrtpSession closed");
    return NULL;
  }
  uint8_t *bytes;
  size_t size;
  int32_t offset, len;
  if (argc < 3 || !kts_bytes(env, argv[0], &bytes, &size)) return NULL;
  if (napi_get_value_int32(env, argv[1], &offset) != napi_ok || napi_get_value_int32(env, argv[2], &len) != napi_ok || offset < 0 || len < 0 || (size_t)offset + (size_t)len > size) {
    napi_throw_range_error(env, NULL, "offset and length must lie within the buffer");
    return NULL;
  }
  *packet = bytes + offset;
  *length = (size_t)len;
  *room = size - (size_t)offset;
  return s;
}

static napi_value int_result(napi_env env, int value) {
  napi_value v = NULL;
  napi_create_int32(env, value, &v);
  return v;
}

static napi_value protect_rtp(napi_env env, napi_callback_info info) {
  uint8_t *p;
  size_t length, room;
  Session *s = packet_args(env, info, &p, &length, &room);
  return s ? int_result(env, kts_protect_rtp(&s->srtp, p, length, room)) : NULL;
}
static napi_value unprotect_rtp(napi_env env, napi_callback_info info) {
  uint8_t *p;
  size_t length, room;
  Session *s = packet_args(env, info, &p, &length, &room);
  return s ? int_result(env, kts_unprotect_rtp(&s->srtp, p, length)) : NULL;
}
static napi_value protect_rtcp(napi_env env, napi_callback_info info) {
  uint8_t *p;
  size_t length, room;
  Session *s = packet_args(env, info, &p, &length, &room);
  return s ? int_result(env, kts_protect_rtcp(&s->srtp, p, length, room)) : NULL;
}
static napi_value unprotect_rtcp(napi_env env, napi_callback_info info) {
  uint8_t *p;
  size_t length, room;
  Session *s = packet_args(env, info, &p, &length, &room);
  return s ? int_result(env, kts_unprotect_rtcp(&s->srtp, p, length)) : NULL;
}

static Session *this_session(napi_env env, napi_callback_info info) {
  napi_value self;
  void *data = NULL;
  if (napi_get_cb_info(env, info, NULL, NULL, &self, NULL) != napi_ok || napi_unwrap(env, self, &data) != napi_ok) {
    napi_throw_type_error(env, NULL, "not an SrtpSession");
    return NULL;
  }
  return data;
}

/* stats() -> { rejectedAuth, rejectedReplay, rejectedMalformed } */
static napi_value session_stats(napi_env env, napi_callback_info info) {
  Session *s = this_session(env, info);
  if (!s) return NULL;
  napi_value o;
  NAPI_OK(env, napi_create_object(env, &o));
  kts_set_number(env, o, "rejectedAuth", (double)s->srtp.rejected_auth);
  kts_set_number(env, o, "rejectedReplay", (double)s->srtp.rejected_replay);
  kts_set_number(env, o, "rejectedMalformed", (double)s->srtp.rejected_malformed);
  return o;
}

/* close(): keys wiped and ciphers freed now rather than at GC; later calls throw. */
static napi_value session_close(napi_env env, napi_callback_info info) {
  Session *s = this_session(env, info);
  if (!s) return NULL;
  if (s->open) kts_srtp_free(&s->srtp);
  s->open = 0;
  return NULL;
}

napi_value kts_init_srtp(napi_env env, napi_value exports) {
  napi_property_descriptor methods[] = {
      {"protectRtp", NULL, protect_rtp, NULL, NULL, NULL, napi_default, NULL},
      {"unprotectRtp", NULL, unprotect_rtp, NULL, NULL, NULL, napi_default, NULL},
      {"protectRtcp", NULL, protect_rtcp, NULL, NULL, NULL, napi_default, NULL},
      {"unprotectRtcp", NULL, unprotect_rtcp, NULL, NULL, NULL, napi_default, NULL},
      {"stats", NULL, session_stats, NULL, NULL, NULL, napi_default, NULL},
      {"close", NULL, session_close, NULL, NULL, NULL, napi_default, NULL},
  };
  napi_value cls;
  NAPI_OK(env, napi_define_class(env, "SrtpSession", NAPI_AUTO_LENGTH, session_new, NULL, sizeof methods / sizeof methods[0], methods, &cls));
  NAPI_OK(env, napi_set_named_property(env, exports, "SrtpSession", cls));
  return exports;
}
