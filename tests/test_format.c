/* test_format.c — the hand-written text formatters on the alert path
 * (addresses, address:port, timestamps) against libc's own answers:
 * inet_ntop, snprintf and gmtime_r, over edge cases and many generated
 * values. They replaced those calls for speed (bench/run.sh), so they must
 * agree with them byte for byte. */
#include <arpa/inet.h>
#include <glib.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "addr.h"
#include "strbuf.h"
#include "timefmt.h"

static uint64_t rng = 0x2545f4914f6cdd1dull;
static uint32_t next_random(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return (uint32_t)(rng >> 16);
}

static void check_v6(const uint8_t b[16])
{
    struct ip_addr a;
    addr_from_v6(&a, b);
    char want[INET6_ADDRSTRLEN], got[ADDR_STRLEN];
    g_assert_nonnull(inet_ntop(AF_INET6, b, want, sizeof want));
    addr_format(&a, got, sizeof got);
    g_assert_cmpstr(got, ==, want);

    uint16_t port = (uint16_t)next_random();
    char want_port[ADDR_PORT_STRLEN], got_port[ADDR_PORT_STRLEN];
    snprintf(want_port, sizeof want_port, "[%s]:%u", want, port);
    addr_port_format(&a, port, got_port, sizeof got_port);
    g_assert_cmpstr(got_port, ==, want_port);
}

static void test_v6_like_inet_ntop(void)
{
    static const char *const edge[] = {
        "::", "::1", "1::", "2001:db8::1", "2001:db8:0:0:1:0:0:1", "2001:0:0:1::1", "::ffff:192.0.2.1",
        "::192.0.2.1", "::ffff:0:192.0.2.1", "64:ff9b::192.0.2.33", "fe80::1:2:3:4", "1:2:3:4:5:6:7:8",
        "1:0:2:0:3:0:4:0", "0:1:0:0:0:1:0:0", "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", "::ffff:0.0.0.0",
        "::2:3:4:5:6:7:8", "1:2:3:4:5:6:7::", "abcd:ef01::",
    };
    for (size_t i = 0; i < G_N_ELEMENTS(edge); i++) {
        uint8_t b[16];
        g_assert_cmpint(inet_pton(AF_INET6, edge[i], b), ==, 1);
        check_v6(b);
    }
    /* Every pattern of zero and non-zero groups, with group values of every width. */
    for (unsigned mask = 0; mask < 256; mask++) {
        for (int round = 0; round < 40; round++) {
            uint8_t b[16] = { 0 };
            for (int g = 0; g < 8; g++) {
                if (!(mask & (1u << g)))
                    continue;
                uint32_t r = next_random();
                unsigned v = (unsigned)(r & (0xfu << (4 * (r >> 28 & 3)))) | 1u << (4 * (round & 3));
                b[2 * g] = (uint8_t)(v >> 8);
                b[2 * g + 1] = (uint8_t)v;
            }
            check_v6(b);
        }
    }
}

static void test_v4_like_inet_ntop(void)
{
    for (int i = 0; i < 20000; i++) {
        uint32_t r = next_random();
        uint8_t b[4] = { (uint8_t)r, (uint8_t)(r >> 8), (uint8_t)(r >> 16), (uint8_t)(r >> 24) };
        if (i < 256) /* every single-digit, two-digit and three-digit octet in each place */
            b[0] = b[1] = b[2] = b[3] = (uint8_t)i;
        struct ip_addr a;
        addr_from_v4(&a, b);
        char want[INET_ADDRSTRLEN], got[ADDR_STRLEN];
        g_assert_nonnull(inet_ntop(AF_INET, b, want, sizeof want));
        addr_format(&a, got, sizeof got);
        g_assert_cmpstr(got, ==, want);
        uint16_t port = i < 256 ? (uint16_t)(i * 257) : (uint16_t)(r >> 7);
        char want_port[ADDR_PORT_STRLEN], got_port[ADDR_PORT_STRLEN];
        snprintf(want_port, sizeof want_port, "%s:%u", want, port);
        addr_port_format(&a, port, got_port, sizeof got_port);
        g_assert_cmpstr(got_port, ==, want_port);
    }
}

static void test_small_buffers_truncate(void)
{
    struct ip_addr a;
    g_assert_true(addr_parse(&a, "203.0.113.200"));
    char buf[8];
    addr_port_format(&a, 65535, buf, sizeof buf);
    g_assert_cmpstr(buf, ==, "203.0.1"); /* what snprintf leaves */
    char tiny[4];
    addr_format(&a, tiny, sizeof tiny);
    g_assert_cmpuint(strlen(tiny), <, sizeof tiny);
}

/* addr_port_put (writes in place, returns the end) against addr_port_format,
 * and "-:port" for an address of no family, as before. */
static void test_addr_port_put(void)
{
    static const char *const addrs[] = { "0.0.0.0", "9.99.199.255", "203.0.113.200", "::", "::ffff:192.0.2.1",
                                         "2001:db8::1", "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff" };
    static const uint16_t ports[] = { 0, 9, 53, 3478, 65535 };
    for (size_t i = 0; i < G_N_ELEMENTS(addrs); i++) {
        for (size_t k = 0; k < G_N_ELEMENTS(ports); k++) {
            struct ip_addr a;
            g_assert_true(addr_parse(&a, addrs[i]));
            char want[ADDR_PORT_STRLEN], got[ADDR_PORT_STRLEN + 4];
            memset(got, 'x', sizeof got);
            addr_port_format(&a, ports[k], want, sizeof want);
            char *end = addr_port_put(&a, ports[k], got);
            g_assert_cmpstr(got, ==, want);
            g_assert_true(end == got + strlen(want));
            g_assert_cmpint(got[ADDR_PORT_STRLEN], ==, 'x');
        }
    }
    struct ip_addr none = { 0, { 1, 2, 3, 4 } };
    char buf[ADDR_PORT_STRLEN];
    g_assert_cmpstr(addr_port_format(&none, 53, buf, sizeof buf), ==, "-:53");
    addr_port_put(&none, 5353, buf);
    g_assert_cmpstr(buf, ==, "-:5353");
}

/* The in-place appends of src/strbuf.h against GLib's own, growing the
 * string past its first allocation on the way. */
static void test_strbuf_like_glib(void)
{
    GString *want = g_string_sized_new(4), *got = g_string_sized_new(4);
    static const char *const words[] = { "", "a", "leak", "encrypted-dns", "0123456789abcdef0123456789" };
    for (int round = 0; round < 200; round++) {
        const char *w = words[round % G_N_ELEMENTS(words)];
        unsigned v = round * 2654435761u >> (round % 32);
        size_t width = (size_t)(round % 20);
        g_string_append(want, w);
        str_puts(got, w);
        g_string_append_c(want, ' ');
        str_putc(got, ' ');
        g_string_append_printf(want, "%-*s|%u|", (int)width, w, v);
        str_put_padded(got, w, width);
        str_putc(got, '|');
        str_put_uint(got, v);
        str_putc(got, '|');
        /* reserve, copy in place, commit */
        g_string_append_printf(want, "%-*s.%s", (int)width, w, w);
        char *p = str_reserve(got, width + 2 * strlen(w) + 1);
        p = str_cpy_padded(p, w, width, 64);
        *p++ = '.';
        p = str_cpy(p, w);
        str_commit(got, p);
        g_assert_cmpuint(got->len, ==, want->len);
        g_assert_cmpstr(got->str, ==, want->str);
    }
    g_string_free(want, TRUE);
    g_string_free(got, TRUE);
}

static void expect_time(uint64_t ts_ns)
{
    time_t secs = (time_t)(ts_ns / 1000000000ull);
    struct tm tm;
    g_assert_nonnull(gmtime_r(&secs, &tm));
    unsigned usec = (unsigned)(ts_ns % 1000000000ull / 1000);
    char want[64], got[64];
    snprintf(want, sizeof want, "%04d-%02d-%02d %02d:%02d:%02d.%06u", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
             tm.tm_hour, tm.tm_min, tm.tm_sec, usec);
    time_format_text(ts_ns, got, sizeof got);
    g_assert_cmpstr(got, ==, want);
    want[10] = 'T';
    strcat(want, "Z");
    time_format_iso(ts_ns, got, sizeof got);
    g_assert_cmpstr(got, ==, want);
}

static void test_time_like_gmtime(void)
{
    static const uint64_t edge_s[] = {
        0, 59, 60, 86399, 86400, 951782400 /* 2000-02-29 */, 951868799, 1709164800 /* 2024-02-29 */,
        2147483647, 2147483648ull, 4102444799ull /* 2099-12-31 23:59:59 */, 253402300799ull /* 9999-12-31 */,
    };
    for (size_t i = 0; i < G_N_ELEMENTS(edge_s); i++) {
        expect_time(edge_s[i] * 1000000000ull);
        expect_time(edge_s[i] * 1000000000ull + 999999999ull);
    }
    /* In time order (the cached second is reused) and at random (it is not). */
    uint64_t t = 1764000000ull * 1000000000ull;
    for (int i = 0; i < 20000; i++) {
        t += next_random() % 400000000u;
        expect_time(t);
        expect_time((uint64_t)next_random() * 1000000000ull + next_random() % 1000000000u);
    }
}

static void test_time_small_buffer(void)
{
    char buf[12];
    time_format_iso(1764000000ull * 1000000000ull, buf, sizeof buf);
    g_assert_cmpstr(buf, ==, "2025-11-24T"); /* what snprintf leaves */
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/format/ipv6-like-inet_ntop", test_v6_like_inet_ntop);
    g_test_add_func("/format/ipv4-like-inet_ntop", test_v4_like_inet_ntop);
    g_test_add_func("/format/small-buffers", test_small_buffers_truncate);
    g_test_add_func("/format/addr-port-put", test_addr_port_put);
    g_test_add_func("/format/strbuf-like-glib", test_strbuf_like_glib);
    g_test_add_func("/format/time-like-gmtime", test_time_like_gmtime);
    g_test_add_func("/format/time-small-buffer", test_time_small_buffer);
    return g_test_run();
}
