/* SRTP and SRTCP (RFC 3711, RFC 6188, RFC 7714) in place, on Node's own OpenSSL (EVP_*): each
 * context keys its ciphers once and only re-IVs them per packet. No N-API here (addon.c binds it). */
#ifndef KTS_SRTP_H
#define KTS_SRTP_H

#include <stddef.h>
#include <stdint.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

typedef enum {
  KTS_AES_CM_128_HMAC_SHA1_80 = 1,
  KTS_AES_CM_128_HMAC_SHA1_32 = 2,
  KTS_AEAD_AES_128_GCM = 7,
  KTS_AEAD_AES_256_GCM = 8,
  KTS_AES_256_CM_HMAC_SHA1_80 = 101,
  KTS_AES_256_CM_HMAC_SHA1_32 = 102,
} kts_profile;

/* Why unprotect refused a packet (a negative return). */
enum { KTS_REJECT_AUTH = -1, KTS_REJECT_REPLAY = -2, KTS_REJECT_MALFORMED = -3, KTS_REJECT_NO_ROOM = -4, KTS_REJECT_INTERNAL = -5 };

/* Packets the replay windows remember behind the highest index (as src/rtp/SrtpContext.ts). */
#define KTS_REPLAY_WINDOW 1024
#define KTS_WINDOW_WORDS (KTS_REPLAY_WINDOW / 64)

/* Rollover counter (RTP) or SRTCP index (RTCP) and the replay window of one SSRC, one direction. */
typedef struct {
  uint32_t ssrc;
  uint8_t used;
  int64_t highest;                    /* highest index accepted or sent, -1 before the first */
  uint64_t window[KTS_WINDOW_WORDS];  /* bit d: index (highest - d) was accepted */
} kts_ssrc_state;

/* One table of SSRC states: open addressing, cleared whole when full (as the TypeScript context). */
typedef struct {
  kts_ssrc_state *slots;
  uint32_t capacity; /* a power of two, twice max */
  uint32_t count, max;
} kts_ssrc_table;

/* Keys and ciphers of one kind of packet (RTP or RTCP) in one direction. */
typedef struct {
  EVP_CIPHER_CTX *cipher; /* AES-GCM or AES-CTR, keyed once */
  HMAC_CTX *hmac;         /* AES-CM profiles: HMAC-SHA1 keyed once */
  uint8_t salt[14];
} kts_keys;

typedef struct {
  kts_profile profile;
  int gcm;
  size_t key_length, salt_length;
  size_t rtp_tag, rtcp_tag;
  kts_keys rtp, rtcp;
  kts_ssrc_table rtp_states, rtcp_states;
  uint64_t rejected_auth, rejected_replay, rejected_malformed;
} kts_srtp;

/* Key and salt lengths of a profile; 0 when unknown. */
int kts_profile_lengths(kts_profile profile, size_t *key_length, size_t *salt_length, size_t *rtp_tag, size_t *rtcp_tag);

/* Sets a context up from the master key and salt (derive != 0) or from session keys given as
 * they are (derive == 0, for RFC 7714's published vectors: then RTP and RTCP share them).
 * Returns 0, or -1 with *error set. */
int kts_srtp_init(kts_srtp *s, kts_profile profile, const uint8_t *key, const uint8_t *salt, int derive, uint32_t max_ssrcs, const char **error);
void kts_srtp_free(kts_srtp *s);

/* In place. protect: plain packet of `length` bytes in a buffer of `capacity`; returns the new
 * length. unprotect: returns the plain length. A negative result is a KTS_REJECT_* code. */
int kts_protect_rtp(kts_srtp *s, uint8_t *packet, size_t length, size_t capacity);
int kts_unprotect_rtp(kts_srtp *s, uint8_t *packet, size_t length);
int kts_protect_rtcp(kts_srtp *s, uint8_t *packet, size_t length, size_t capacity);
int kts_unprotect_rtcp(kts_srtp *s, uint8_t *packet, size_t length);

/* Length of the RTP header (CSRCs and extension block included) in packet[0, end), or -1. */
int kts_rtp_header_length(const uint8_t *packet, size_t end);

#endif
