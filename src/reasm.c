/* reasm.c — see reasm.h. One direction of a TCP connection as a bounded
 * in-order byte stream: no reordering queue, no allocation. Loss, reordering
 * or a message larger than the buffer drops what is held and restarts at the
 * next segment; the caller's parser then finds its footing again (or resets).
 */
#include "reasm.h"

#include <string.h>

/* How far behind next_seq a segment may start and still be taken for a
 * retransmission (its new tail, if any, is kept). Anything further back is a
 * new sequence space: the connection was reused or we joined mid-way. */
enum { RETRANSMIT_WINDOW = 1u << 24 };

void tcp_stream_init(struct tcp_stream *s)
{
    memset(s, 0, offsetof(struct tcp_stream, buf));
}

void tcp_stream_reset(struct tcp_stream *s)
{
    s->used = 0;
}

/* True when seq lies at or before next_seq, within the window. */
static bool already_seen(const struct tcp_stream *s, uint32_t seq, uint32_t *behind)
{
    *behind = s->next_seq - seq; /* modulo 2^32, like the sequence space */
    return *behind <= RETRANSMIT_WINDOW;
}

void tcp_stream_add(struct tcp_stream *s, uint32_t seq, bool syn, struct cursor payload)
{
    uint32_t behind;
    if (syn) {
        /* The SYN occupies one sequence number; data in it (TCP Fast Open)
         * starts after. A repeated SYN of the same connection changes nothing. */
        seq += 1;
        if (!s->synced || !already_seen(s, seq, &behind)) {
            s->next_seq = seq;
            s->synced = true;
            s->used = 0;
        }
    }
    size_t len = cursor_left(&payload);
    if (len == 0)
        return;
    if (!s->synced) { /* joined mid-stream: start here */
        s->next_seq = seq;
        s->synced = true;
    }
    if (seq != s->next_seq) {
        if (already_seen(s, seq, &behind)) {
            if (behind >= len)
                return; /* nothing new */
            cursor_skip(&payload, behind);
            len -= behind;
            seq = s->next_seq;
        } else {
            s->gaps++; /* a hole (lost or reordered segment): what we hold is cut */
            s->used = 0;
        }
    }
    s->next_seq = seq + (uint32_t)len;
    if (len > (size_t)(TCP_STREAM_CAP - s->used)) {
        s->overflows++;
        s->used = 0;
        if (len > TCP_STREAM_CAP)
            return; /* even alone it does not fit: skip it, resume after */
    }
    cursor_copy(&payload, s->buf + s->used, len);
    s->used = (uint16_t)(s->used + len);
}

struct cursor tcp_stream_data(const struct tcp_stream *s)
{
    return cursor_make(s->buf, s->used);
}

void tcp_stream_consume(struct tcp_stream *s, uint16_t n)
{
    if (n >= s->used) {
        s->used = 0;
        return;
    }
    memmove(s->buf, s->buf + n, (size_t)(s->used - n));
    s->used = (uint16_t)(s->used - n);
}
