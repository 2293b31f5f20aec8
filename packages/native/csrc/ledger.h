/* Ledgers (src/ledgers.ts): the per-packet state a forwarding lane books in C, in Float64Arrays
 * the TypeScript classes owning it read and write as their fields. Cell indices must match
 * ledgers.ts; `ledgerLayout` exports them and a test compares. */
#ifndef KTS_LEDGER_H
#define KTS_LEDGER_H

#include "addon.h"

#include <stdint.h>

enum { STATS_RECEIVED, STATS_BASE_SEQ, STATS_MAX_EXTENDED, STATS_JITTER16, STATS_LAST_TRANSIT, STATS_CLOCK_RATE, STATS_SIZE };
enum { NACK_HIGHEST, NACK_QUIET, NACK_SIZE };
enum { TWCC_HIGHEST, TWCC_NEXT_BASE, TWCC_COUNT, TWCC_CAPACITY, TWCC_GENERATION, TWCC_SIZE };
enum { FLOW_PACKETS, FLOW_BYTES, FLOW_FLOWING, FLOW_SIZE };
enum { WIRE_PACKETS_RECEIVED, WIRE_BYTES_RECEIVED, WIRE_PACKETS_SENT, WIRE_BYTES_SENT, WIRE_SIZE };
enum { FAST_RECEIVED, FAST_LANED, FAST_SIZE };
enum {
  OUT_LAST_SEQ,
  OUT_LAST_TIMESTAMP,
  OUT_LAST_SENT_MS,
  OUT_PACKET_COUNT,
  OUT_OCTET_COUNT,
  OUT_PICTURE_LAST,
  OUT_PICTURE_OFFSET,
  OUT_PICTURE_LAST_TL0,
  OUT_PICTURE_TL0_OFFSET,
  OUT_PICTURE_FRESH,
  OUT_SIZE
};
enum { RING_SLOTS, RING_MAX_AGE_MS, RING_MAX_PACKET_BYTES, RING_MAX_BYTES, RING_CAPACITY, RING_WRITTEN, RING_QUEUE_HEAD, RING_QUEUE_LENGTH, RING_GENERATION, RING_SIZE };

/* A retransmission ring as rtp/RetransmissionRing.ts keeps it. */
typedef struct {
  double *cells;
  double *starts, *sent_ms, *queue_starts;
  int32_t *seqs, *queue_seqs;
  uint16_t *lengths;
  uint32_t mask;
  uint8_t *slab;
  size_t slab_length;
  double generation; /* the slab's, when armed */
} kts_ring;

/* What one sink books. */
typedef struct {
  double *outbound, *wire, *flow;
  int vp8, has_ring;
  kts_ring ring;
} kts_sink_books;

/* What a lane books, and the references that keep every array alive. */
typedef struct kts_books {
  double clock_ms;      /* performance.now() at arming ... */
  uint64_t clock_hr;    /* ... and uv_hrtime() then */
  int off;              /* declined once: JS books the rest until the lane is armed again */
  double *fast, *wire, *stats, *nack, *twcc, *twcc_records, *flow;
  double twcc_generation;
  int twcc_extension;
  int ref_count;
  napi_ref refs[96];
  int sink_count;
  kts_sink_books sinks[];
} kts_books;

struct kts_lane_s;

/* Reads setLane's books for `sinks` targets; 1 with *out (NULL for undefined/null), 0 with an exception pending. */
int kts_books_read(napi_env env, napi_value value, int sinks, kts_books **out);
void kts_books_free(napi_env env, kts_books *books, int release_refs);
/* Books one forwarded packet (plain in `plain`, header `header` bytes; each sink's protected copy
 * at `outs[k]`, `out_lengths[k]` bytes, NULL when not sent) exactly as the TypeScript path would:
 * 1, or 0 having changed nothing (and turned the books off). */
int kts_books_book(kts_books *books, const uint8_t *plain, int plain_length, int header, uint8_t *const *outs, const int32_t *out_lengths);
napi_value kts_ledger_layout(napi_env env);

#endif
