/* Shared N-API helpers of the addon's bindings. */
#ifndef KTS_ADDON_H
#define KTS_ADDON_H

#define NAPI_VERSION 8
#include <node_api.h>
#include <stddef.h>
#include <stdint.h>

/* Throws and returns NULL from the calling binding when an N-API call fails. */
#define NAPI_OK(env, call)                                               \
  do {                                                                   \
    if ((call) != napi_ok) {                                             \
      kts_throw_last(env, #call);                                        \
      return NULL;                                                       \
    }                                                                    \
  } while (0)

void kts_throw_last(napi_env env, const char *what);
/* Bytes of a Uint8Array (a Buffer included) and their count; 0 and a TypeError when not one. */
int kts_bytes(napi_env env, napi_value value, uint8_t **data, size_t *length);
/* A whole number argument in [min, max]; 0 and a RangeError naming `name` when not. */
int kts_int(napi_env env, napi_value value, int64_t min, int64_t max, const char *name, int64_t *out);
napi_value kts_number(napi_env env, double value);
void kts_set_number(napi_env env, napi_value object, const char *name, double value);

napi_value kts_init_srtp(napi_env env, napi_value exports);
napi_value kts_init_socket(napi_env env, napi_value exports);

#endif
