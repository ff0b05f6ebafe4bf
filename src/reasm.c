/* reasm.c — see reasm.h. */
#include "reasm.h"

#include <string.h>

void tcp_stream_init(struct tcp_stream *s)
{
    memset(s, 0, sizeof *s);
}

void tcp_stream_reset(struct tcp_stream *s)
{
    s->used = 0;
}

void tcp_stream_add(struct tcp_stream *s, uint32_t seq, bool syn, struct cursor payload)
{
    if (syn) {
        s->next_seq = seq + 1;
        s->synced = true;
        s->used = 0;
        seq += 1;
    }
    size_t len = cursor_left(&payload);
    if (len == 0)
        return;
    if (s->synced) {
        int32_t delta = (int32_t)(seq - s->next_seq);
        if (delta < 0) { /* (partly) a retransmission of bytes already taken */
            if ((size_t)-delta >= len)
                return;
            cursor_skip(&payload, (size_t)-delta);
            len -= (size_t)-delta;
            seq = s->next_seq;
        } else if (delta > 0) {
            s->gaps++;
            s->used = 0;
        }
    }
    s->synced = true;
    if (s->used + len > TCP_STREAM_CAP) {
        s->overflows++;
        s->used = 0;
        if (len > TCP_STREAM_CAP) {
            s->next_seq = seq + (uint32_t)len;
            return;
        }
    }
    cursor_copy(&payload, s->buf + s->used, len);
    s->used = (uint16_t)(s->used + len);
    s->next_seq = seq + (uint32_t)len;
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
    memmove(s->buf, s->buf + n, s->used - n);
    s->used = (uint16_t)(s->used - n);
}
