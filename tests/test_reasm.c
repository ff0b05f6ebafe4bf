/* test_reasm.c — the bounded in-order TCP byte stream (reasm.c): in order,
 * a message split over segments, two messages in one segment, retransmissions,
 * gaps, overflow, sequence wrap-around and connection reuse. */
#include <glib.h>
#include <string.h>

#include "reasm.h"

static void add(struct tcp_stream *s, uint32_t seq, bool syn, const char *text)
{
    tcp_stream_add(s, seq, syn, cursor_make(text, strlen(text)));
}

/* String literals with their length (they hold NUL bytes). */
#define ADD(s, seq, syn, lit) tcp_stream_add((s), (seq), (syn), cursor_make((lit), sizeof(lit) - 1))
#define ASSERT_HELD(s, lit) assert_held((s), (lit), sizeof(lit) - 1)

static void assert_held(const struct tcp_stream *s, const char *want, size_t want_len)
{
    struct cursor c = tcp_stream_data(s);
    size_t n = cursor_left(&c);
    const void *p = n ? (const void *)cursor_view(&c, n) : (const void *)"";
    g_assert_cmpmem(p, n, want, want_len);
}

static void test_in_order(void)
{
    struct tcp_stream s;
    tcp_stream_init(&s);
    ADD(&s, 1000, true, "");
    ADD(&s, 1001, false, "abc");
    ADD(&s, 1004, false, "def");
    ASSERT_HELD(&s, "abcdef");
    g_assert_cmpuint(s.next_seq, ==, 1007);
    g_assert_cmpuint(s.gaps, ==, 0);
    g_assert_cmpuint(s.overflows, ==, 0);
}

/* A 2-byte length prefix and a message cut over three segments (DNS over TCP). */
static void test_split_message(void)
{
    struct tcp_stream s;
    tcp_stream_init(&s);
    ADD(&s, 5000, true, "");
    ADD(&s, 5001, false, "\x00");
    ADD(&s, 5002, false, "\x05he");
    struct cursor c = tcp_stream_data(&s);
    g_assert_cmpuint(cursor_u16be(&c), ==, 5);
    g_assert_cmpuint(cursor_left(&c), <, 5); /* not complete yet */
    ADD(&s, 5005, false, "llo");
    c = tcp_stream_data(&s);
    uint16_t len = cursor_u16be(&c);
    g_assert_cmpuint(cursor_left(&c), ==, len);
    g_assert_cmpmem(cursor_view(&c, len), len, "hello", 5);
    tcp_stream_consume(&s, 2 + len);
    ASSERT_HELD(&s, "");
}

static void test_two_messages_one_segment(void)
{
    struct tcp_stream s;
    tcp_stream_init(&s);
    ADD(&s, 1, false, "\x00\x02hi\x00\x03you");
    tcp_stream_consume(&s, 4);
    ASSERT_HELD(&s, "\x00\x03you");
    tcp_stream_consume(&s, 5);
    ASSERT_HELD(&s, "");
    ADD(&s, 10, false, "next");
    ASSERT_HELD(&s, "next");
    tcp_stream_consume(&s, 100); /* more than held */
    ASSERT_HELD(&s, "");
}

static void test_retransmission(void)
{
    struct tcp_stream s;
    tcp_stream_init(&s);
    ADD(&s, 100, true, "");
    ADD(&s, 101, false, "abcd");
    ADD(&s, 101, false, "abcd"); /* the same segment again */
    ASSERT_HELD(&s, "abcd");
    tcp_stream_consume(&s, 4);
    ADD(&s, 101, false, "abcd"); /* again, after it was consumed */
    ASSERT_HELD(&s, "");
    ADD(&s, 103, false, "cdef"); /* overlaps: only "ef" is new */
    ASSERT_HELD(&s, "ef");
    g_assert_cmpuint(s.next_seq, ==, 107);
    ADD(&s, 100, true, ""); /* the SYN repeated changes nothing */
    ASSERT_HELD(&s, "ef");
    g_assert_cmpuint(s.gaps, ==, 0);
}

static void test_gap_resync(void)
{
    struct tcp_stream s;
    tcp_stream_init(&s);
    ADD(&s, 100, true, "");
    ADD(&s, 101, false, "part");
    ADD(&s, 110, false, "later"); /* 105..109 lost */
    g_assert_cmpuint(s.gaps, ==, 1);
    ASSERT_HELD(&s, "later");
    ADD(&s, 115, false, "!");
    ASSERT_HELD(&s, "later!");
    /* far behind (beyond any window): a new sequence space, not a retransmission */
    ADD(&s, 116u - (1u << 30), false, "new");
    g_assert_cmpuint(s.gaps, ==, 2);
    ASSERT_HELD(&s, "new");
    /* a SYN with another ISN: a new connection on the same ports */
    ADD(&s, 900000, true, "");
    ASSERT_HELD(&s, "");
    ADD(&s, 900001, false, "fresh");
    ASSERT_HELD(&s, "fresh");
    g_assert_cmpuint(s.gaps, ==, 2);
}

static void test_overflow(void)
{
    struct tcp_stream s;
    tcp_stream_init(&s);
    static char chunk[1001];
    memset(chunk, 'x', 1000);
    uint32_t seq = 1;
    for (int i = 0; i < 4; i++, seq += 1000)
        add(&s, seq, false, chunk);
    g_assert_cmpuint(tcp_stream_data(&s).len, ==, 4000);
    add(&s, seq, false, chunk); /* 5000 > 4096: what was held goes */
    seq += 1000;
    g_assert_cmpuint(s.overflows, ==, 1);
    g_assert_cmpuint(tcp_stream_data(&s).len, ==, 1000);
    /* a single segment larger than the buffer: skipped, the stream goes on after it */
    static char big[TCP_STREAM_CAP + 2];
    memset(big, 'y', TCP_STREAM_CAP + 1);
    add(&s, seq, false, big);
    seq += TCP_STREAM_CAP + 1;
    g_assert_cmpuint(s.overflows, ==, 2);
    ASSERT_HELD(&s, "");
    ADD(&s, seq, false, "after");
    ASSERT_HELD(&s, "after");
    g_assert_cmpuint(s.gaps, ==, 0);
    /* exactly full is not an overflow */
    tcp_stream_reset(&s);
    seq += 5;
    static char fill[TCP_STREAM_CAP + 1];
    memset(fill, 'z', TCP_STREAM_CAP);
    add(&s, seq, false, fill);
    g_assert_cmpuint(tcp_stream_data(&s).len, ==, TCP_STREAM_CAP);
    g_assert_cmpuint(s.overflows, ==, 2);
}

static void test_wraparound_and_midstream(void)
{
    struct tcp_stream s;
    tcp_stream_init(&s);
    ADD(&s, 0xFFFFFFF0u, false, "0123456789"); /* joined mid-stream, no SYN */
    g_assert_true(s.synced);
    ADD(&s, 0xFFFFFFFAu, false, "abcdefghij"); /* crosses 2^32 */
    ASSERT_HELD(&s, "0123456789abcdefghij");
    g_assert_cmpuint(s.next_seq, ==, 4);
    ADD(&s, 0xFFFFFFFEu, false, "ef"); /* old bytes across the wrap */
    ASSERT_HELD(&s, "0123456789abcdefghij");
    ADD(&s, 4, false, "k");
    ASSERT_HELD(&s, "0123456789abcdefghijk");
    g_assert_cmpuint(s.gaps, ==, 0);
    tcp_stream_reset(&s);
    ASSERT_HELD(&s, "");
    g_assert_true(s.synced);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/reasm/in-order", test_in_order);
    g_test_add_func("/reasm/split-message", test_split_message);
    g_test_add_func("/reasm/two-messages-one-segment", test_two_messages_one_segment);
    g_test_add_func("/reasm/retransmission", test_retransmission);
    g_test_add_func("/reasm/gap-resync", test_gap_resync);
    g_test_add_func("/reasm/overflow", test_overflow);
    g_test_add_func("/reasm/wraparound-and-midstream", test_wraparound_and_midstream);
    return g_test_run();
}
