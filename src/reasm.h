/* reasm.h — a small bounded in-order byte stream per TCP direction, enough to
 * cut DNS-over-TCP and STUN-over-TCP messages that span or share segments.
 *
 * Owns: sequence tracking and a fixed-size buffer. Out-of-order or overflowing
 * data resynchronises (drops what it holds) and is counted; never grows.
 * Knows nothing of protocols.
 */
#ifndef LEAKAUDIT_REASM_H
#define LEAKAUDIT_REASM_H

#include <stdbool.h>
#include <stdint.h>

#include "cursor.h"

enum { TCP_STREAM_CAP = 4096 };

struct tcp_stream {
    uint32_t next_seq;      /* sequence number of the byte after buf's last */
    bool synced;            /* next_seq is meaningful */
    uint16_t used;          /* bytes held in buf */
    uint32_t gaps;          /* resyncs after loss / reordering */
    uint32_t overflows;     /* resyncs because a message outgrew the buffer */
    uint8_t buf[TCP_STREAM_CAP];
};

void tcp_stream_init(struct tcp_stream *s);
/* Appends a segment's payload. A SYN sets the initial sequence. A segment that
 * is not the next one in order drops the held bytes and restarts at it.
 * Retransmissions of bytes already consumed are ignored. */
void tcp_stream_add(struct tcp_stream *s, uint32_t seq, bool syn, struct cursor payload);
/* The bytes held, as a cursor. */
struct cursor tcp_stream_data(const struct tcp_stream *s);
/* Drops n bytes from the front (a message was consumed). */
void tcp_stream_consume(struct tcp_stream *s, uint16_t n);
/* Drops everything held (unparseable data). */
void tcp_stream_reset(struct tcp_stream *s);

#endif
