/* The addon's entry point: SrtpSession (srtp_binding.c), UdpSocket (socket.c), the lane epoch (lane.c) and DtlsContext/DtlsSession (dtls.c). */
#include "internal.h"

#include <stdio.h>

void kts_throw_last(napi_env env, const char *what) {
  bool pending = false;
  napi_is_exception_pending(env, &pending);
  if (pending) return;
  const napi_extended_error_info *info = NULL;
  napi_get_last_error_info(env, &info);
  char message[256];
  snprintf(message, sizeof message, "%s: %s", what, info && info->error_message ? info->error_message : "N-API call failed");
  napi_throw_error(env, NULL, message);
}

int kts_bytes(napi_env env, napi_value value, uint8_t **data, size_t *length) {
  bool is = false;
  napi_typedarray_type type;
  void *p = NULL;
  if (napi_is_typedarray(env, value, &is) != napi_ok || !is || napi_get_typedarray_info(env, value, &type, length, &p, NULL, NULL) != napi_ok || type != napi_uint8_array) {
    napi_throw_type_error(env, NULL, "expected a Buffer or Uint8Array");
    return 0;
  }
  *data = p;
  return 1;
}

int kts_int(napi_env env, napi_value value, int64_t min, int64_t max, const char *name, int64_t *out) {
  double d;
  if (napi_get_value_double(env, value, &d) != napi_ok || d != d || d < (double)min || d > (double)max || d != (double)(int64_t)d) {
    char message[160];
    snprintf(message, sizeof message, "%s must be a whole number from %lld to %lld", name, (long long)min, (long long)max);
    napi_throw_range_error(env, NULL, message);
    return 0;
  }
  *out = (int64_t)d;
  return 1;
}

napi_value kts_number(napi_env env, double value) {
  napi_value v = NULL;
  napi_create_double(env, value, &v);
  return v;
}

void kts_set_number(napi_env env, napi_value object, const char *name, double value) { napi_set_named_property(env, object, name, kts_number(env, value)); }

NAPI_MODULE_INIT() {
  if (!kts_init_srtp(env, exports) || !kts_init_socket(env, exports) || !kts_init_lanes(env, exports) || !kts_init_dtls(env, exports)) return NULL;
  return exports;
}
