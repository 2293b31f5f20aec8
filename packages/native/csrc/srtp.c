/* SRTP/SRTCP in place on Node's exported OpenSSL. Every rule here mirrors
 * packages/media-server/src/rtp/SrtpContext.ts (index estimation, replay window, SSRC table
 * cleared when full) so that both paths accept, refuse and produce the same bytes; the tests
 * check it both ways and against RFC 3711 / RFC 7714 vectors. */
#define OPENSSL_SUPPRESS_DEPRECATED /* HMAC_CTX: the one keyed-once HMAC that 3.0 exports cheaply */
#include "srtp.h"

#include <stdlib.h>
#include <string.h>
#include <openssl/crypto.h>

#define RTP_FIXED 12
#define RTCP_HEADER 8
#define SRTCP_TRAILER 4
#define GCM_TAG 16
#define E_FLAG 0x80000000u

static inline uint32_t rd32(const uint8_t *p) { return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3]; }
static inline uint16_t rd16(const uint8_t *p) { return (uint16_t)(p[0] << 8 | p[1]); }
static inline void wr32(uint8_t *p, uint32_t v) { p[0] = v >> 24; p[1] = v >> 16; p[2] = v >> 8; p[3] = v; }
static inline void wr16(uint8_t *p, uint16_t v) { p[0] = v >> 8; p[1] = v; }

int kts_profile_lengths(kts_profile profile, size_t *key_length, size_t *salt_length, size_t *rtp_tag, size_t *rtcp_tag) {
  size_t k, s, t, c;
  switch (profile) {
    case KTS_AES_CM_128_HMAC_SHA1_80: k = 16, s = 14, t = 10, c = 10; break;
    case KTS_AES_CM_128_HMAC_SHA1_32: k = 16, s = 14, t = 4, c = 10; break; /* SRTCP keeps 80 bits (RFC 5764 §4.1.2) */
    case KTS_AES_256_CM_HMAC_SHA1_80: k = 32, s = 14, t = 10, c = 10; break;
    case KTS_AES_256_CM_HMAC_SHA1_32: k = 32, s = 14, t = 4, c = 10; break;
    case KTS_AEAD_AES_128_GCM: k = 16, s = 12, t = 16, c = 16; break;
    case KTS_AEAD_AES_256_GCM: k = 32, s = 12, t = 16, c = 16; break;
    default: return 0;
  }
  if (key_length) *key_length = k;
  if (salt_length) *salt_length = s;
  if (rtp_tag) *rtp_tag = t;
  if (rtcp_tag) *rtcp_tag = c;
  return 1;
}

int kts_rtp_header_length(const uint8_t *packet, size_t end) {
  if (end < RTP_FIXED || packet[0] >> 6 != 2) return -1;
  size_t length = RTP_FIXED + (size_t)(packet[0] & 0x0f) * 4;
  if (packet[0] & 0x10) {
    if (length + 4 > end) return -1;
    length += 4 + (size_t)rd16(packet + length + 2) * 4;
  }
  return length <= end ? (int)length : -1;
}

/* ---------- SSRC table and replay window ---------- */

static int table_init(kts_ssrc_table *t, uint32_t max) {
  uint32_t capacity = 4;
  while (capacity < max * 2) capacity <<= 1;
  t->slots = calloc(capacity, sizeof *t->slots);
  t->capacity = capacity;
  t->count = 0;
  t->max = max;
  return t->slots ? 0 : -1;
}

static inline uint32_t slot_of(const kts_ssrc_table *t, uint32_t ssrc) { return (ssrc * 2654435761u) & (t->capacity - 1); }

static kts_ssrc_state *table_find(kts_ssrc_table *t, uint32_t ssrc) {
  for (uint32_t i = slot_of(t, ssrc);; i = (i + 1) & (t->capacity - 1)) {
    kts_ssrc_state *s = &t->slots[i];
    if (!s->used) return NULL;
    if (s->ssrc == ssrc) return s;
  }
}

/* A new state for `ssrc`; the whole table is forgotten first when it holds `max` already. */
static kts_ssrc_state *table_add(kts_ssrc_table *t, uint32_t ssrc) {
  if (t->count >= t->max) {
    memset(t->slots, 0, t->capacity * sizeof *t->slots);
    t->count = 0;
  }
  uint32_t i = slot_of(t, ssrc);
  while (t->slots[i].used) i = (i + 1) & (t->capacity - 1);
  kts_ssrc_state *s = &t->slots[i];
  memset(s, 0, sizeof *s);
  s->used = 1;
  s->ssrc = ssrc;
  s->highest = -1;
  t->count++;
  return s;
}

static inline kts_ssrc_state *table_get(kts_ssrc_table *t, uint32_t ssrc) {
  kts_ssrc_state *s = table_find(t, ssrc);
  return s ? s : table_add(t, ssrc);
}

/* RFC 3711 §3.3.1: the index of `seq` relative to the highest index seen. */
static inline int64_t estimate_index(int64_t highest, uint32_t seq) {
  if (highest < 0) return seq;
  int64_t roc = highest >> 16, last = highest & 0xffff, v = roc;
  if (last < 0x8000) {
    if ((int64_t)seq - last > 0x8000) v = roc - 1;
  } else if (last - 0x8000 > (int64_t)seq) {
    v = roc + 1;
  }
  return v * 0x10000 + seq;
}

static inline int replayed(const kts_ssrc_state *s, int64_t index) {
  if (!s) return 0;
  if (index < 0 || index <= s->highest - KTS_REPLAY_WINDOW) return 1;
  int64_t d = s->highest - index;
  return d >= 0 && (s->window[d >> 6] >> (d & 63) & 1);
}

static void mark_seen(kts_ssrc_state *s, int64_t index) {
  if (index > s->highest) {
    int64_t shift = s->highest < 0 ? KTS_REPLAY_WINDOW : index - s->highest;
    if (shift >= KTS_REPLAY_WINDOW) {
      memset(s->window, 0, sizeof s->window);
    } else {
      int words = (int)(shift >> 6), bits = (int)(shift & 63);
      for (int w = KTS_WINDOW_WORDS - 1; w >= 0; w--) {
        uint64_t hi = w - words >= 0 ? s->window[w - words] : 0;
        uint64_t lo = w - words - 1 >= 0 ? s->window[w - words - 1] : 0;
        s->window[w] = bits ? (hi << bits | lo >> (64 - bits)) : hi;
      }
    }
    s->highest = index;
  }
  int64_t d = s->highest - index;
  s->window[d >> 6] |= 1ull << (d & 63);
}

/* ---------- keys ---------- */

/* RFC 3711 §4.3.1 (key_derivation_rate 0), AES-128 or AES-256 as the PRF (RFC 6188 §3). */
static int derive(const uint8_t *master_key, size_t key_length, const uint8_t *master_salt, size_t salt_length, uint8_t label, uint8_t *out, size_t length) {
  uint8_t input[64], block[64];
  size_t blocks = (length + 15) / 16;
  if (blocks * 16 > sizeof input) return -1;
  memset(input, 0, sizeof input);
  for (size_t b = 0; b < blocks; b++) {
    memcpy(input + b * 16, master_salt, salt_length < 14 ? salt_length : 14);
    input[b * 16 + 7] ^= label;
    wr16(input + b * 16 + 14, (uint16_t)b);
  }
  EVP_CIPHER_CTX *ecb = EVP_CIPHER_CTX_new();
  int outl = 0, ok = ecb && EVP_EncryptInit_ex(ecb, key_length == 32 ? EVP_aes_256_ecb() : EVP_aes_128_ecb(), NULL, master_key, NULL) == 1 &&
                     EVP_CIPHER_CTX_set_padding(ecb, 0) == 1 && EVP_EncryptUpdate(ecb, block, &outl, input, (int)(blocks * 16)) == 1;
  EVP_CIPHER_CTX_free(ecb);
  if (ok) memcpy(out, block, length);
  OPENSSL_cleanse(block, sizeof block);
  return ok ? 0 : -1;
}

static int keys_init(kts_keys *k, const kts_srtp *s, const uint8_t *key, const uint8_t *auth, const uint8_t *salt) {
  const EVP_CIPHER *cipher = s->gcm ? (s->key_length == 32 ? EVP_aes_256_gcm() : EVP_aes_128_gcm()) : (s->key_length == 32 ? EVP_aes_256_ctr() : EVP_aes_128_ctr());
  k->cipher = EVP_CIPHER_CTX_new();
  if (!k->cipher || EVP_CipherInit_ex(k->cipher, cipher, NULL, key, NULL, 1) != 1) return -1;
  memcpy(k->salt, salt, s->salt_length);
  if (!s->gcm) {
    k->hmac = HMAC_CTX_new();
    if (!k->hmac || HMAC_Init_ex(k->hmac, auth, 20, EVP_sha1(), NULL) != 1) return -1;
  }
  return 0;
}

static void keys_free(kts_keys *k) {
  EVP_CIPHER_CTX_free(k->cipher);
  HMAC_CTX_free(k->hmac);
  k->cipher = NULL;
  k->hmac = NULL;
}

int kts_srtp_init(kts_srtp *s, kts_profile profile, const uint8_t *key, const uint8_t *salt, int derive_keys, uint32_t max_ssrcs, const char **error) {
  memset(s, 0, sizeof *s);
  if (!kts_profile_lengths(profile, &s->key_length, &s->salt_length, &s->rtp_tag, &s->rtcp_tag)) {
    *error = "unknown SRTP profile";
    return -1;
  }
  s->profile = profile;
  s->gcm = profile == KTS_AEAD_AES_128_GCM || profile == KTS_AEAD_AES_256_GCM;
  if (max_ssrcs < 1 || max_ssrcs > 65536 || table_init(&s->rtp_states, max_ssrcs) || table_init(&s->rtcp_states, max_ssrcs)) {
    *error = max_ssrcs < 1 || max_ssrcs > 65536 ? "maxSsrcs must be 1 to 65536" : "out of memory";
    kts_srtp_free(s);
    return -1;
  }
  uint8_t rtp_key[32], rtp_auth[20], rtp_salt[14], rtcp_key[32], rtcp_auth[20], rtcp_salt[14];
  int failed = 0;
  if (derive_keys) {
    failed = derive(key, s->key_length, salt, s->salt_length, 0, rtp_key, s->key_length) || derive(key, s->key_length, salt, s->salt_length, 1, rtp_auth, 20) ||
             derive(key, s->key_length, salt, s->salt_length, 2, rtp_salt, s->salt_length) || derive(key, s->key_length, salt, s->salt_length, 3, rtcp_key, s->key_length) ||
             derive(key, s->key_length, salt, s->salt_length, 4, rtcp_auth, 20) || derive(key, s->key_length, salt, s->salt_length, 5, rtcp_salt, s->salt_length);
  } else {
    memcpy(rtp_key, key, s->key_length);
    memcpy(rtcp_key, key, s->key_length);
    memcpy(rtp_salt, salt, s->salt_length);
    memcpy(rtcp_salt, salt, s->salt_length);
    memset(rtp_auth, 0, sizeof rtp_auth); /* session-key mode is for the AEAD vectors; CM would need an auth key */
    memset(rtcp_auth, 0, sizeof rtcp_auth);
  }
  failed = failed || keys_init(&s->rtp, s, rtp_key, rtp_auth, rtp_salt) || keys_init(&s->rtcp, s, rtcp_key, rtcp_auth, rtcp_salt);
  OPENSSL_cleanse(rtp_key, sizeof rtp_key);
  OPENSSL_cleanse(rtp_auth, sizeof rtp_auth);
  OPENSSL_cleanse(rtcp_key, sizeof rtcp_key);
  OPENSSL_cleanse(rtcp_auth, sizeof rtcp_auth);
  if (failed) {
    *error = "OpenSSL refused the SRTP keys";
    kts_srtp_free(s);
    return -1;
  }
  return 0;
}

void kts_srtp_free(kts_srtp *s) {
  keys_free(&s->rtp);
  keys_free(&s->rtcp);
  OPENSSL_cleanse(s->rtp.salt, sizeof s->rtp.salt);
  OPENSSL_cleanse(s->rtcp.salt, sizeof s->rtcp.salt);
  free(s->rtp_states.slots);
  free(s->rtcp_states.slots);
  s->rtp_states.slots = s->rtcp_states.slots = NULL;
}

/* ---------- per packet ---------- */

/* RFC 7714 §8.1 (RTP: roc_or_zero = ROC, low = SEQ) and §9.1 (RTCP: 0, SRTCP index). */
static inline void gcm_iv(uint8_t iv[12], const uint8_t *salt, uint32_t ssrc, uint32_t mid, uint32_t low, int rtcp) {
  memset(iv, 0, 12);
  wr32(iv + 2, ssrc);
  if (rtcp) {
    wr32(iv + 8, low);
  } else {
    wr32(iv + 6, mid);
    wr16(iv + 10, (uint16_t)low);
  }
  for (int i = 0; i < 12; i++) iv[i] ^= salt[i];
}

/* RFC 3711 §4.1.1: (salt · 2^16) XOR (SSRC · 2^64) XOR (index · 2^16). */
static inline void ctr_iv(uint8_t iv[16], const uint8_t *salt, uint32_t ssrc, uint64_t index) {
  memset(iv, 0, 16);
  wr32(iv + 4, ssrc);
  wr32(iv + 8, (uint32_t)(index >> 16));
  wr16(iv + 12, (uint16_t)index);
  for (int i = 0; i < 14; i++) iv[i] ^= salt[i];
}

/* AES-GCM over data[0, length) in place after `aad`; the tag is written to or checked at `tag`. */
static int gcm_run(EVP_CIPHER_CTX *c, const uint8_t iv[12], int encrypt, const uint8_t *aad, size_t aad_length, const uint8_t *aad2, size_t aad2_length, uint8_t *data,
                   size_t length, uint8_t *tag) {
  int outl;
  if (EVP_CipherInit_ex(c, NULL, NULL, NULL, iv, encrypt) != 1) return 0;
  if (EVP_CipherUpdate(c, NULL, &outl, aad, (int)aad_length) != 1) return 0;
  if (aad2_length && EVP_CipherUpdate(c, NULL, &outl, aad2, (int)aad2_length) != 1) return 0;
  if (length && EVP_CipherUpdate(c, data, &outl, data, (int)length) != 1) return 0;
  if (encrypt) {
    uint8_t none[16];
    return EVP_CipherFinal_ex(c, none, &outl) == 1 && EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_GCM_GET_TAG, GCM_TAG, tag) == 1;
  }
  uint8_t none[16];
  if (EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_GCM_SET_TAG, GCM_TAG, tag) != 1) return 0;
  if (EVP_CipherFinal_ex(c, none, &outl) > 0) return 1;
  /* A forged packet: the bytes were decrypted in place; put the ciphertext back (same keystream). */
  if (length && EVP_CipherInit_ex(c, NULL, NULL, NULL, iv, 1) == 1) EVP_CipherUpdate(c, data, &outl, data, (int)length);
  return 0;
}

static inline int ctr_run(EVP_CIPHER_CTX *c, const uint8_t iv[16], uint8_t *data, size_t length) {
  int outl;
  return EVP_CipherInit_ex(c, NULL, NULL, NULL, iv, 1) == 1 && (!length || EVP_CipherUpdate(c, data, &outl, data, (int)length) == 1);
}

/* HMAC-SHA1 of data[0, length) (then `roc`, 4 bytes, when given) into mac[20]. */
static inline int hmac_run(HMAC_CTX *h, const uint8_t *data, size_t length, const uint8_t *roc, uint8_t mac[20]) {
  unsigned int maclen = 20;
  return HMAC_Init_ex(h, NULL, 0, NULL, NULL) == 1 && HMAC_Update(h, data, length) == 1 && (!roc || HMAC_Update(h, roc, 4) == 1) && HMAC_Final(h, mac, &maclen) == 1;
}

int kts_protect_rtp(kts_srtp *s, uint8_t *packet, size_t length, size_t capacity) {
  int hl = kts_rtp_header_length(packet, length);
  if (hl < 0) return KTS_REJECT_MALFORMED;
  if (length + s->rtp_tag > capacity || length > 0x7fffff00) return KTS_REJECT_NO_ROOM;
  uint32_t ssrc = rd32(packet + 8), seq = rd16(packet + 2);
  kts_ssrc_state *state = table_get(&s->rtp_states, ssrc);
  int64_t index = estimate_index(state->highest, seq);
  if (index > state->highest) state->highest = index;
  uint32_t roc = (uint32_t)((index < 0 ? 0 : index) >> 16);
  if (s->gcm) {
    uint8_t iv[12];
    gcm_iv(iv, s->rtp.salt, ssrc, roc, seq, 0);
    if (!gcm_run(s->rtp.cipher, iv, 1, packet, (size_t)hl, NULL, 0, packet + hl, length - hl, packet + length)) return KTS_REJECT_INTERNAL;
  } else {
    uint8_t iv[16], mac[20], rocb[4];
    ctr_iv(iv, s->rtp.salt, ssrc, (uint64_t)roc << 16 | seq);
    wr32(rocb, roc);
    if (!ctr_run(s->rtp.cipher, iv, packet + hl, length - hl) || !hmac_run(s->rtp.hmac, packet, length, rocb, mac)) return KTS_REJECT_INTERNAL;
    memcpy(packet + length, mac, s->rtp_tag);
  }
  return (int)(length + s->rtp_tag);
}

int kts_unprotect_rtp(kts_srtp *s, uint8_t *packet, size_t length) {
  if (length < s->rtp_tag || length > 0x7fffff00) {
    s->rejected_malformed++;
    return KTS_REJECT_MALFORMED;
  }
  size_t end = length - s->rtp_tag;
  int hl = kts_rtp_header_length(packet, end);
  if (hl < 0) {
    s->rejected_malformed++;
    return KTS_REJECT_MALFORMED;
  }
  uint32_t ssrc = rd32(packet + 8), seq = rd16(packet + 2);
  kts_ssrc_state *state = table_find(&s->rtp_states, ssrc);
  int64_t index = estimate_index(state ? state->highest : -1, seq);
  if (replayed(state, index)) {
    s->rejected_replay++;
    return KTS_REJECT_REPLAY;
  }
  uint32_t roc = (uint32_t)(index >> 16);
  int ok;
  if (s->gcm) {
    uint8_t iv[12];
    gcm_iv(iv, s->rtp.salt, ssrc, roc, seq, 0);
    ok = gcm_run(s->rtp.cipher, iv, 0, packet, (size_t)hl, NULL, 0, packet + hl, end - hl, packet + end);
  } else {
    uint8_t iv[16], mac[20], rocb[4];
    wr32(rocb, roc);
    ok = hmac_run(s->rtp.hmac, packet, end, rocb, mac) && CRYPTO_memcmp(mac, packet + end, s->rtp_tag) == 0;
    if (ok) {
      ctr_iv(iv, s->rtp.salt, ssrc, (uint64_t)roc << 16 | seq);
      ok = ctr_run(s->rtp.cipher, iv, packet + hl, end - hl);
    }
  }
  if (!ok) {
    s->rejected_auth++;
    return KTS_REJECT_AUTH;
  }
  if (!state) state = table_add(&s->rtp_states, ssrc);
  mark_seen(state, index);
  return (int)end;
}

int kts_protect_rtcp(kts_srtp *s, uint8_t *packet, size_t length, size_t capacity) {
  if (length < RTCP_HEADER || packet[0] >> 6 != 2) return KTS_REJECT_MALFORMED;
  if (length + s->rtcp_tag + SRTCP_TRAILER > capacity || length > 0x7fffff00) return KTS_REJECT_NO_ROOM;
  uint32_t ssrc = rd32(packet + 4);
  kts_ssrc_state *state = table_get(&s->rtcp_states, ssrc);
  /* One per packet from 1, as libsrtp and werift count (werift's own RTCP may share the space). */
  uint32_t index = (uint32_t)(state->highest < 1 ? 1 : (state->highest + 1) & 0x7fffffff);
  state->highest = index;
  uint8_t trailer[4];
  wr32(trailer, E_FLAG | index);
  if (s->gcm) {
    uint8_t iv[12];
    gcm_iv(iv, s->rtcp.salt, ssrc, 0, index, 1);
    if (!gcm_run(s->rtcp.cipher, iv, 1, packet, RTCP_HEADER, trailer, 4, packet + RTCP_HEADER, length - RTCP_HEADER, packet + length)) return KTS_REJECT_INTERNAL;
    memcpy(packet + length + GCM_TAG, trailer, 4);
  } else {
    uint8_t iv[16], mac[20];
    ctr_iv(iv, s->rtcp.salt, ssrc, index);
    if (!ctr_run(s->rtcp.cipher, iv, packet + RTCP_HEADER, length - RTCP_HEADER)) return KTS_REJECT_INTERNAL;
    memcpy(packet + length, trailer, 4);
    if (!hmac_run(s->rtcp.hmac, packet, length + 4, NULL, mac)) return KTS_REJECT_INTERNAL;
    memcpy(packet + length + 4, mac, s->rtcp_tag);
  }
  return (int)(length + s->rtcp_tag + SRTCP_TRAILER);
}

int kts_unprotect_rtcp(kts_srtp *s, uint8_t *packet, size_t length) {
  if (length < RTCP_HEADER + SRTCP_TRAILER + s->rtcp_tag || length > 0x7fffff00 || packet[0] >> 6 != 2) {
    s->rejected_malformed++;
    return KTS_REJECT_MALFORMED;
  }
  /* GCM: header | ciphertext | tag | E+index. CM: header | ciphertext | E+index | tag. */
  size_t trailer_at = s->gcm ? length - SRTCP_TRAILER : length - s->rtcp_tag - SRTCP_TRAILER;
  size_t end = length - s->rtcp_tag - SRTCP_TRAILER;
  uint32_t word = rd32(packet + trailer_at), index = word & 0x7fffffff, ssrc = rd32(packet + 4);
  int encrypted = (word & E_FLAG) != 0;
  kts_ssrc_state *state = table_find(&s->rtcp_states, ssrc);
  if (replayed(state, index)) {
    s->rejected_replay++;
    return KTS_REJECT_REPLAY;
  }
  int ok;
  if (s->gcm) {
    uint8_t iv[12];
    gcm_iv(iv, s->rtcp.salt, ssrc, 0, index, 1);
    ok = encrypted ? gcm_run(s->rtcp.cipher, iv, 0, packet, RTCP_HEADER, packet + trailer_at, 4, packet + RTCP_HEADER, end - RTCP_HEADER, packet + end)
                   : gcm_run(s->rtcp.cipher, iv, 0, packet, end, packet + trailer_at, 4, NULL, 0, packet + end);
  } else {
    uint8_t iv[16], mac[20];
    ok = hmac_run(s->rtcp.hmac, packet, length - s->rtcp_tag, NULL, mac) && CRYPTO_memcmp(mac, packet + length - s->rtcp_tag, s->rtcp_tag) == 0;
    if (ok && encrypted) {
      ctr_iv(iv, s->rtcp.salt, ssrc, index);
      ok = ctr_run(s->rtcp.cipher, iv, packet + RTCP_HEADER, end - RTCP_HEADER);
    }
  }
  if (!ok) {
    s->rejected_auth++;
    return KTS_REJECT_AUTH;
  }
  if (!state) state = table_add(&s->rtcp_states, ssrc);
  mark_seen(state, index);
  return (int)end;
}
