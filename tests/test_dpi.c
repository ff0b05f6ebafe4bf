/* test_dpi.c — nDPI flow classification (src/dpi.c).
 *
 * Two kinds of checks:
 *  - packets built here (always run): DNS query/answer, the packet budget,
 *    give-up at flow end, risk and encrypted-DNS label helpers;
 *  - nDPI's own test captures (corpus): our loop (source → decode → flow →
 *    dpi) labels every flow, ndpiReader 4.2 (Debian libndpi-bin) labels the
 *    same file, and the labels are compared flow by flow on the 5-tuple. Every
 *    difference that remains is listed in a table with its reason.
 */
#include <glib.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "addr.h"
#include "decode.h"
#include "dpi.h"
#include "flow.h"
#include "audit.h"
#include "sink.h"
#include "source.h"
#include "testutil.h"

enum { LINKTYPE_RAW = 101, PROTO_TCP = 6, PROTO_UDP = 17, PROTO_ESP = 50 };
#define NS_PER_S 1000000000ull

/* ---- packets built by hand (raw IPv4, checksums left zero: nDPI ignores them) ---- */

static size_t build_ipv4_udp(uint8_t *buf, size_t cap, const uint8_t src[4], uint16_t sport, const uint8_t dst[4],
                             uint16_t dport, const uint8_t *payload, size_t plen)
{
    size_t total = 20 + 8 + plen;
    g_assert_cmpuint(total, <=, cap);
    memset(buf, 0, 28);
    buf[0] = 0x45;
    buf[2] = (uint8_t)(total >> 8);
    buf[3] = (uint8_t)total;
    buf[8] = 64;
    buf[9] = PROTO_UDP;
    memcpy(buf + 12, src, 4);
    memcpy(buf + 16, dst, 4);
    buf[20] = (uint8_t)(sport >> 8);
    buf[21] = (uint8_t)sport;
    buf[22] = (uint8_t)(dport >> 8);
    buf[23] = (uint8_t)dport;
    buf[24] = (uint8_t)((8 + plen) >> 8);
    buf[25] = (uint8_t)(8 + plen);
    memcpy(buf + 28, payload, plen);
    return total;
}

/* Decodes buf as a raw-IP frame, finds its flow and feeds nDPI. */
static struct flow *feed(struct dpi *d, struct flow_table *t, const uint8_t *buf, size_t len, uint64_t ts_ns)
{
    struct frame f = { .number = 1, .ts_ns = ts_ns, .linktype = LINKTYPE_RAW, .caplen = (uint32_t)len,
                       .wirelen = (uint32_t)len, .data = buf };
    struct packet p;
    g_assert_cmpint(decode_frame(&f, &p), ==, DECODE_OK);
    int dir;
    struct flow *fl = flow_lookup(t, &p, ts_ns, true, &dir);
    g_assert_nonnull(fl);
    dpi_packet(d, fl, &p);
    return fl;
}

static void on_evict_end(struct flow *fl, void *user)
{
    dpi_flow_end(user, fl);
}

static const uint8_t host_a[4] = { 192, 168, 1, 10 }, resolver[4] = { 192, 168, 1, 1 };

/* A query for example.com A, and its answer 93.184.216.34. */
static const uint8_t dns_query[] = {
    0x12, 0x34, 0x01, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    7, 'e', 'x', 'a', 'm', 'p', 'l', 'e', 3, 'c', 'o', 'm', 0, 0x00, 0x01, 0x00, 0x01,
};
static const uint8_t dns_answer[] = {
    0x12, 0x34, 0x81, 0x80, 0x00, 0x01, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00,
    7, 'e', 'x', 'a', 'm', 'p', 'l', 'e', 3, 'c', 'o', 'm', 0, 0x00, 0x01, 0x00, 0x01,
    0xc0, 0x0c, 0x00, 0x01, 0x00, 0x01, 0x00, 0x00, 0x0e, 0x10, 0x00, 0x04, 93, 184, 216, 34,
};

static void test_dns_query_then_answer(void)
{
    GError *err = NULL;
    struct dpi *d = dpi_new(&err);
    g_assert_no_error(err);
    struct flow_table *t = flow_table_new(64, 60 * NS_PER_S);
    flow_table_set_evict(t, on_evict_end, d);
    uint8_t buf[256];
    size_t n = build_ipv4_udp(buf, sizeof buf, host_a, 40000, resolver, 53, dns_query, sizeof dns_query);
    struct flow *fl = feed(d, t, buf, n, 1 * NS_PER_S);
    /* Known at once, but nDPI waits for the answer (extra dissection): state kept. */
    g_assert_cmpstr(fl->app, ==, "DNS");
    g_assert_false(fl->dpi_done);
    g_assert_nonnull(fl->dpi);
    g_assert_cmpuint(dpi_stats(d).active, ==, 1);
    n = build_ipv4_udp(buf, sizeof buf, resolver, 53, host_a, 40000, dns_answer, sizeof dns_answer);
    struct flow *same = feed(d, t, buf, n, 1 * NS_PER_S + 1000000);
    g_assert_true(same == fl);
    /* The answer ends it: state freed right away, label kept. */
    g_assert_true(fl->dpi_done);
    g_assert_null(fl->dpi);
    g_assert_cmpstr(fl->app, ==, "DNS");
    g_assert_false(fl->dpi_guessed);
    g_assert_null(fl->vpn_proto);
    g_assert_cmpstr(dpi_flow_category(d, fl), ==, "Network");
    GString *risks = g_string_new(NULL);
    g_assert_false(dpi_flow_risks(fl, risks));
    g_assert_cmpuint(risks->len, ==, 0);
    g_string_free(risks, TRUE);
    struct dpi_stats st = dpi_stats(d);
    g_assert_cmpuint(st.active, ==, 0);
    g_assert_cmpuint(st.peak_active, ==, 1);
    g_assert_cmpuint(st.flows_detected, ==, 1);
    g_assert_cmpuint(st.packets, ==, 2);
    /* Done flows ignore further packets. */
    feed(d, t, buf, n, 2 * NS_PER_S);
    g_assert_cmpuint(dpi_stats(d).packets, ==, 2);
    flow_table_free(t);
    dpi_free(d);
}

/* Random-looking UDP on unassigned ports: nDPI never knows; after
 * DPI_UNKNOWN_UDP packets (then one more, as ndpiReader counts its budget)
 * the state is gone and the flow is Unknown, not guessed. */
static void test_budget_gives_up(void)
{
    struct dpi *d = dpi_new(NULL);
    struct flow_table *t = flow_table_new(64, 60 * NS_PER_S);
    flow_table_set_evict(t, on_evict_end, d);
    uint8_t payload[100], buf[256];
    struct flow *fl = NULL;
    for (unsigned i = 0; i < DPI_UNKNOWN_UDP + 1; i++) {
        for (size_t k = 0; k < sizeof payload; k++)
            payload[k] = (uint8_t)(k * 37u + i * 101u + 0x5a);
        size_t n = build_ipv4_udp(buf, sizeof buf, host_a, 41234, resolver, 47111, payload, sizeof payload);
        fl = feed(d, t, buf, n, (10 + i) * NS_PER_S / 10);
        if (i < DPI_UNKNOWN_UDP) {
            g_assert_false(fl->dpi_done);
            g_assert_nonnull(fl->dpi);
        }
    }
    g_assert_true(fl->dpi_done);
    g_assert_null(fl->dpi);
    g_assert_null(fl->app);
    g_assert_false(fl->dpi_guessed);
    g_assert_null(dpi_flow_category(d, fl));
    struct dpi_stats st = dpi_stats(d);
    g_assert_cmpuint(st.flows_budget, ==, 1);
    g_assert_cmpuint(st.flows_unknown_early, ==, 1);
    g_assert_cmpuint(st.flows_unknown, ==, 1);
    g_assert_cmpuint(st.packets, ==, DPI_UNKNOWN_UDP + 1);
    g_assert_cmpuint(st.active, ==, 0);
    flow_table_free(t);
    dpi_free(d);
}

/* ---- TLS: a 1.2 server's certificate may still come, a 1.3 one's never does ---- */

enum { TCP_PSH_ACK = 0x18, TCP_SYN_ACK = 0x12 };

static size_t build_ipv4_tcp(uint8_t *buf, size_t cap, const uint8_t src[4], uint16_t sport, const uint8_t dst[4],
                             uint16_t dport, uint32_t seq, uint32_t ack, uint8_t flags, const uint8_t *payload,
                             size_t plen)
{
    size_t total = 20 + 20 + plen;
    g_assert_cmpuint(total, <=, cap);
    memset(buf, 0, 40);
    buf[0] = 0x45;
    buf[2] = (uint8_t)(total >> 8);
    buf[3] = (uint8_t)total;
    buf[8] = 64;
    buf[9] = PROTO_TCP;
    memcpy(buf + 12, src, 4);
    memcpy(buf + 16, dst, 4);
    uint8_t *tcp = buf + 20;
    tcp[0] = (uint8_t)(sport >> 8);
    tcp[1] = (uint8_t)sport;
    tcp[2] = (uint8_t)(dport >> 8);
    tcp[3] = (uint8_t)dport;
    for (int i = 0; i < 4; i++) {
        tcp[4 + i] = (uint8_t)(seq >> (24 - 8 * i));
        tcp[8 + i] = (uint8_t)(ack >> (24 - 8 * i));
    }
    tcp[12] = 5 << 4;
    tcp[13] = flags;
    tcp[14] = 0xfa;
    if (plen)
        memcpy(tcp + 20, payload, plen);
    return total;
}

/* Appends a TLS handshake record of type hs_type: version, 32 random bytes,
 * a session id, the cipher list (ClientHello) or cipher (ServerHello),
 * compression, then the extensions given. Returns the record's length. */
static size_t tls_hello(uint8_t *out, uint8_t hs_type, const uint8_t *ext, size_t ext_len)
{
    uint8_t *p = out;
    *p++ = 22;
    *p++ = 3;
    *p++ = hs_type == 1 ? 1 : 3;
    uint8_t *rec_len = p;
    p += 2;
    uint8_t *hs = p;
    p += 4;
    *p++ = 3;
    *p++ = 3;
    for (int i = 0; i < 32; i++)
        *p++ = (uint8_t)(i * 7 + hs_type);
    *p++ = 0; /* no session id */
    if (hs_type == 1) {
        static const uint8_t ciphers[] = { 0, 4, 0x13, 0x01, 0xc0, 0x2b, 1, 0 };
        memcpy(p, ciphers, sizeof ciphers);
        p += sizeof ciphers;
    } else {
        static const uint8_t cipher[] = { 0x13, 0x01, 0 };
        memcpy(p, cipher, sizeof cipher);
        p += sizeof cipher;
    }
    *p++ = (uint8_t)(ext_len >> 8);
    *p++ = (uint8_t)ext_len;
    if (ext_len)
        memcpy(p, ext, ext_len);
    p += ext_len;
    size_t body = (size_t)(p - hs - 4);
    hs[0] = hs_type;
    hs[1] = 0;
    hs[2] = (uint8_t)(body >> 8);
    hs[3] = (uint8_t)body;
    size_t rec = (size_t)(p - rec_len - 2);
    rec_len[0] = (uint8_t)(rec >> 8);
    rec_len[1] = (uint8_t)rec;
    return (size_t)(p - out);
}

/* A TLS session to 443: handshake, a ClientHello naming example.org, the
 * server's hello for version (0x0303 or 0x0304, with supported_versions for
 * 1.3), then application data both ways, `data_packets` packets. Returns the
 * flow after the last packet. */
static struct flow *feed_tls_session(struct dpi *d, struct flow_table *t, uint16_t version, unsigned data_packets,
                                     unsigned *packets_fed_at_done)
{
    static const uint8_t server[4] = { 203, 0, 113, 7 };
    static const uint8_t client_ext[] = {
        0x00, 0x00, 0x00, 0x10, 0x00, 0x0e, 0x00, 0x00, 0x0b, 'e', 'x', 'a', 'm', 'p', 'l', 'e', '.', 'o', 'r', 'g',
        0x00, 0x2b, 0x00, 0x05, 0x04, 0x03, 0x04, 0x03, 0x03, /* supported_versions: 1.3, 1.2 */
    };
    static const uint8_t server_ext13[] = { 0x00, 0x2b, 0x00, 0x02, 0x03, 0x04 };
    uint8_t buf[1600], payload[1200];
    uint32_t cseq = 1000, sseq = 5000;
    uint64_t ts = 1 * NS_PER_S;
    unsigned fed = 0;
    *packets_fed_at_done = 0;
    struct flow *fl;
#define FEED(n)                                                                                      \
    do {                                                                                             \
        fl = feed(d, t, buf, (n), ts += NS_PER_S / 100);                                             \
        fed++;                                                                                       \
        if (fl->dpi_done && !*packets_fed_at_done)                                                   \
            *packets_fed_at_done = fed;                                                              \
    } while (0)
    FEED(build_ipv4_tcp(buf, sizeof buf, host_a, 50123, server, 443, cseq++, 0, TCP_SYN, NULL, 0));
    FEED(build_ipv4_tcp(buf, sizeof buf, server, 443, host_a, 50123, sseq++, cseq, TCP_SYN_ACK, NULL, 0));
    FEED(build_ipv4_tcp(buf, sizeof buf, host_a, 50123, server, 443, cseq, sseq, TCP_ACK, NULL, 0));
    size_t n = tls_hello(payload, 1, client_ext, sizeof client_ext);
    FEED(build_ipv4_tcp(buf, sizeof buf, host_a, 50123, server, 443, cseq, sseq, TCP_PSH_ACK, payload, n));
    cseq += (uint32_t)n;
    n = version >= 0x0304 ? tls_hello(payload, 2, server_ext13, sizeof server_ext13) : tls_hello(payload, 2, NULL, 0);
    FEED(build_ipv4_tcp(buf, sizeof buf, server, 443, host_a, 50123, sseq, cseq, TCP_PSH_ACK, payload, n));
    sseq += (uint32_t)n;
    for (unsigned i = 0; i < data_packets; i++) {
        /* Application data records (content type 23), 200 bytes each. */
        payload[0] = 23;
        payload[1] = 3;
        payload[2] = 3;
        payload[3] = 0;
        payload[4] = 195;
        for (int k = 5; k < 200; k++)
            payload[k] = (uint8_t)(k * 13 + i);
        bool from_server = i % 2 == 0;
        if (from_server) {
            FEED(build_ipv4_tcp(buf, sizeof buf, server, 443, host_a, 50123, sseq, cseq, TCP_PSH_ACK, payload, 200));
            sseq += 200;
        } else {
            FEED(build_ipv4_tcp(buf, sizeof buf, host_a, 50123, server, 443, cseq, sseq, TCP_PSH_ACK, payload, 200));
            cseq += 200;
        }
    }
#undef FEED
    return fl;
}

static void test_tls13_stops_after_server_hello(void)
{
    struct dpi *d = dpi_new(NULL);
    struct flow_table *t = flow_table_new(64, 60 * NS_PER_S);
    flow_table_set_evict(t, on_evict_end, d);
    unsigned done_at = 0;
    struct flow *fl = feed_tls_session(d, t, 0x0304, 10, &done_at);
    g_assert_true(fl->dpi_done);
    g_assert_cmpuint(done_at, ==, 5); /* SYN, SYN+ACK, ACK, ClientHello, ServerHello */
    g_assert_nonnull(fl->app);
    g_assert_nonnull(strstr(fl->app, "TLS"));
    g_assert_false(fl->dpi_guessed);
    struct dpi_stats st = dpi_stats(d);
    g_assert_cmpuint(st.flows_tls13, ==, 1);
    g_assert_cmpuint(st.packets, ==, 5);
    flow_table_free(t);
    dpi_free(d);
}

/* TLS 1.2: the certificate could still come, so a labelled flow keeps the
 * whole TCP budget, past the limit for unknown flows. */
static void test_tls12_keeps_budget(void)
{
    struct dpi *d = dpi_new(NULL);
    struct flow_table *t = flow_table_new(64, 60 * NS_PER_S);
    flow_table_set_evict(t, on_evict_end, d);
    unsigned done_at = 0;
    struct flow *fl = feed_tls_session(d, t, 0x0303, DPI_BUDGET_TCP, &done_at);
    g_assert_true(fl->dpi_done);
    g_assert_cmpuint(done_at, ==, DPI_BUDGET_TCP + 1);
    g_assert_cmpuint(done_at, >, DPI_UNKNOWN_TCP + 1);
    g_assert_nonnull(strstr(fl->app, "TLS"));
    struct dpi_stats st = dpi_stats(d);
    g_assert_cmpuint(st.flows_tls13, ==, 0);
    g_assert_cmpuint(st.flows_unknown_early, ==, 0);
    g_assert_cmpuint(st.flows_budget, ==, 1);
    flow_table_free(t);
    dpi_free(d);
}

/* One packet of a UDP flow nDPI does not know (random-looking payload on
 * unassigned ports), told apart by its source port. */
static struct flow *feed_unknown_udp(struct dpi *d, struct flow_table *t, uint16_t sport, uint64_t ts_ns)
{
    uint8_t payload[64], buf[128];
    uint32_t x = 0x9e3779b9u ^ sport; /* xorshift32: bytes with no pattern a dissector could take */
    for (size_t k = 0; k < sizeof payload; k++) {
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        payload[k] = (uint8_t)(x >> 24);
    }
    size_t n = build_ipv4_udp(buf, sizeof buf, host_a, sport, resolver, 47111, payload, sizeof payload);
    return feed(d, t, buf, n, ts_ns);
}

/* Few flows under classification: a quiet one keeps its nDPI state (and so
 * its chance of a label) until the flow table retires it, as in ndpiReader. */
static void test_quiet_kept_without_pressure(void)
{
    struct dpi *d = dpi_new(NULL);
    struct flow_table *t = flow_table_new(64, 1000 * NS_PER_S);
    flow_table_set_evict(t, on_evict_end, d);
    struct flow *first = feed_unknown_udp(d, t, 30000, 1 * NS_PER_S);
    for (uint16_t i = 1; i < 10; i++)
        feed_unknown_udp(d, t, (uint16_t)(30000 + i), 1 * NS_PER_S);
    feed_unknown_udp(d, t, 31000, 1 * NS_PER_S + 5 * DPI_QUIET_NS);
    struct dpi_stats st = dpi_stats(d);
    g_assert_cmpuint(st.active, ==, 11);
    g_assert_cmpuint(st.flows_quiet, ==, 0);
    g_assert_nonnull(first->dpi);
    g_assert_false(first->dpi_done);
    flow_table_free(t);
    dpi_free(d);
}

/* Many flows under classification: the quiet unknown ones give up (oldest
 * first) until DPI_QUIET_KEEP remain, not the recent ones; one that sends
 * again is classified afresh, and still counts as one flow. */
static void test_quiet_given_up_under_pressure(void)
{
    enum { EXTRA = 50 };
    struct dpi *d = dpi_new(NULL);
    struct flow_table *t = flow_table_new(2 * DPI_QUIET_KEEP, 1000 * NS_PER_S);
    flow_table_set_evict(t, on_evict_end, d);
    /* Now and then a random payload means something to nDPI: such a flow is
     * classified at once; only the ones still under classification count. */
    uint16_t port = 10000, oldest_port = 0;
    struct flow *oldest = NULL, *recent = NULL;
    while (dpi_stats(d).active < EXTRA) {
        struct flow *fl = feed_unknown_udp(d, t, port, 1 * NS_PER_S);
        if (fl->dpi && !oldest) {
            oldest = fl;
            oldest_port = port;
        }
        port++;
    }
    /* The rest arrive later: quiet for less than DPI_QUIET_NS below. */
    while (dpi_stats(d).active < DPI_QUIET_KEEP + EXTRA) {
        struct flow *fl = feed_unknown_udp(d, t, port++, 1 * NS_PER_S + DPI_QUIET_NS / 2);
        if (fl->dpi)
            recent = fl;
    }
    g_assert_nonnull(oldest);
    g_assert_nonnull(recent);
    struct dpi_stats st = dpi_stats(d);
    g_assert_cmpuint(st.flows_quiet, ==, 0);
    uint64_t finished_before = st.flows_detected + st.flows_guessed + st.flows_unknown;
    g_assert_cmpuint(finished_before + st.active, ==, st.flows_started);

    uint64_t later = 1 * NS_PER_S + DPI_QUIET_NS + NS_PER_S;
    struct flow *fresh = feed_unknown_udp(d, t, 9000, later); /* the first EXTRA have been quiet long enough */
    st = dpi_stats(d);
    g_assert_cmpuint(st.flows_quiet, ==, EXTRA);
    g_assert_cmpuint(st.active, ==, DPI_QUIET_KEEP + (fresh->dpi ? 1 : 0));
    g_assert_true(oldest->dpi_done);
    g_assert_null(oldest->dpi);
    g_assert_nonnull(recent->dpi);
    g_assert_false(recent->dpi_done);
    g_assert_cmpuint(st.flows_detected + st.flows_guessed + st.flows_unknown, ==,
                     finished_before + EXTRA + (fresh->dpi ? 0 : 1));

    uint64_t started = st.flows_started;
    feed_unknown_udp(d, t, oldest_port, later + NS_PER_S); /* the oldest sends again */
    st = dpi_stats(d);
    g_assert_cmpuint(st.flows_resumed, ==, 1);
    g_assert_nonnull(oldest->dpi); /* the same payload as before: unknown again */
    g_assert_false(oldest->dpi_done);
    g_assert_cmpuint(st.flows_started, ==, started); /* still one flow */

    flow_table_free(t); /* every flow ends: each counted once */
    st = dpi_stats(d);
    g_assert_cmpuint(st.active, ==, 0);
    g_assert_cmpuint(st.flows_detected + st.flows_guessed + st.flows_unknown, ==, st.flows_started);
    dpi_free(d);
}

/* A single STUN packet nDPI cannot confirm: at flow end (eviction) it
 * gives up and guesses from the port; the state is freed by the callback. */
static void test_flow_end_guesses(void)
{
    struct dpi *d = dpi_new(NULL);
    struct flow_table *t = flow_table_new(64, 60 * NS_PER_S);
    flow_table_set_evict(t, on_evict_end, d);
    /* An empty STUN Binding Request (no attributes): nDPI 4.2 wants more STUN
     * packets than one before it says STUN (prior-art.md §0 item 1). */
    static const uint8_t junk[] = { 0x00, 0x01, 0x00, 0x00, 0x21, 0x12, 0xa4, 0x42, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12 };
    uint8_t buf[64];
    size_t n = build_ipv4_udp(buf, sizeof buf, host_a, 40001, resolver, 3478, junk, sizeof junk);
    struct flow *fl = feed(d, t, buf, n, NS_PER_S);
    g_assert_false(fl->dpi_done);
    g_assert_cmpuint(dpi_stats(d).active, ==, 1);
    dpi_flow_end(d, fl);
    g_assert_true(fl->dpi_done);
    g_assert_null(fl->dpi);
    g_assert_cmpstr(fl->app, ==, "STUN");
    g_assert_true(fl->dpi_guessed);
    g_assert_cmpuint(dpi_stats(d).flows_guessed, ==, 1);
    dpi_flow_end(d, fl); /* twice is harmless */
    g_assert_cmpuint(dpi_stats(d).active, ==, 0);
    /* A flow still under classification when the table goes: freed by the evict callback. */
    n = build_ipv4_udp(buf, sizeof buf, host_a, 40002, resolver, 3478, junk, sizeof junk);
    feed(d, t, buf, n, NS_PER_S);
    g_assert_cmpuint(dpi_stats(d).active, ==, 1);
    flow_table_free(t);
    g_assert_cmpuint(dpi_stats(d).active, ==, 0);
    dpi_free(d);
}

/* ESP (IP protocol 50) is IPsec by its protocol number: a VPN transport. */
static void test_esp_is_ipsec_transport(void)
{
    struct dpi *d = dpi_new(NULL);
    struct flow_table *t = flow_table_new(64, 60 * NS_PER_S);
    flow_table_set_evict(t, on_evict_end, d);
    uint8_t buf[20 + 24];
    memset(buf, 0, sizeof buf);
    buf[0] = 0x45;
    buf[3] = sizeof buf;
    buf[8] = 64;
    buf[9] = PROTO_ESP;
    memcpy(buf + 12, host_a, 4);
    memcpy(buf + 16, (const uint8_t[]){ 198, 51, 100, 7 }, 4);
    buf[23] = 0x42;                   /* SPI */
    buf[27] = 1;                      /* sequence number */
    struct flow *fl = feed(d, t, buf, sizeof buf, NS_PER_S);
    if (!fl->dpi_done)
        dpi_flow_end(d, fl);
    g_assert_cmpstr(fl->app, ==, "IPsec");
    g_assert_cmpstr(fl->vpn_proto, ==, "IPsec");
    g_assert_cmpstr(dpi_flow_category(d, fl), ==, "VPN");
    flow_table_free(t);
    dpi_free(d);
}

/* Broken captures carry absurd timestamps (pcapng-example.pcapng in
 * PcapPlusPlus's tests: 18446744073204 s). A packet at the very end of time
 * must not count as "end of input" and evict its own flow, which would leave
 * the nDPI state of a released flow behind. */
static void test_absurd_timestamps_keep_flow(void)
{
    struct dpi *d = dpi_new(NULL);
    struct flow_table *t = flow_table_new(64, 120 * NS_PER_S);
    flow_table_set_evict(t, on_evict_end, d);
    uint8_t buf[256];
    size_t n = build_ipv4_udp(buf, sizeof buf, host_a, 40000, resolver, 53, dns_query, sizeof dns_query);
    struct flow *fl = feed(d, t, buf, n, UINT64_MAX - 5);
    g_assert_nonnull(fl->dpi);
    struct flow *same = feed(d, t, buf, n, UINT64_MAX);
    g_assert_true(same == fl);
    g_assert_cmpuint(fl->packets, ==, 2);
    g_assert_cmpuint(flow_table_stats(t).active, ==, 1);
    g_assert_cmpuint(flow_table_stats(t).evicted_idle, ==, 0);
    g_assert_cmpuint(dpi_stats(d).flows_started, ==, 1);
    flow_table_free(t);
    g_assert_cmpuint(dpi_stats(d).active, ==, 0);
    dpi_free(d);
}

static void test_label_helpers(void)
{
    static const struct { const char *label; bool encrypted_dns; } cases[] = {
        { "DoH_DoT", true }, { "TLS.DoH_DoT", true }, { "QUIC.DoH_DoT", true }, { "DNScrypt", true },
        { "DNS", false }, { "TLS", false }, { "DoH_DoTx", false }, { "DoH", false }, { "TLS.Google", false },
        { "", false }, { ".", false },
    };
    for (size_t i = 0; i < G_N_ELEMENTS(cases); i++)
        if (dpi_label_is_encrypted_dns(cases[i].label) != cases[i].encrypted_dns)
            g_error("dpi_label_is_encrypted_dns(\"%s\") != %d", cases[i].label, cases[i].encrypted_dns);
    g_assert_false(dpi_label_is_encrypted_dns(NULL));

    struct flow fl;
    memset(&fl, 0, sizeof fl);
    GString *s = g_string_new("risks: ");
    g_assert_false(dpi_flow_risks(&fl, s));
    g_assert_cmpstr(s->str, ==, "risks: ");
    fl.dpi_risk = (1ull << 5) | (1ull << 24); /* NDPI_KNOWN_PROTOCOL_ON_NON_STANDARD_PORT, NDPI_TLS_MISSING_SNI */
    g_assert_true(dpi_flow_risks(&fl, s));
    g_assert_cmpstr(s->str, ==, "risks: Known Protocol on Non Standard Port,Missing SNI TLS Extension");
    g_string_free(s, TRUE);
}

/* ---- corpus: our labels against ndpiReader's ---- */

struct flow_label {
    bool matched;
    char *key;       /* canonical "PROTO lo_addr lo_port hi_addr hi_port" */
    char *loose_key; /* "PROTO v6 lo_port hi_port": ndpiReader 4.2 misprints some IPv6 addresses */
    char *label;     /* "Unknown" when none */
    bool dot_port;   /* either side is port 853 */
};

static void flow_label_free(gpointer p)
{
    struct flow_label *l = p;
    g_free(l->key);
    g_free(l->loose_key);
    g_free(l->label);
    g_free(l);
}

static const struct { const char *name; int number; } ip_protos[] = {
    { "TCP", 6 }, { "UDP", 17 }, { "ICMP", 1 }, { "ICMPV6", 58 }, { "IGMP", 2 }, { "ESP", 50 }, { "GRE", 47 },
    { "AH", 51 }, { "SCTP", 132 },
};

static const char *proto_name(int number, char *buf, size_t len)
{
    for (size_t i = 0; i < G_N_ELEMENTS(ip_protos); i++)
        if (ip_protos[i].number == number)
            return ip_protos[i].name;
    g_snprintf(buf, len, "%d", number);
    return buf;
}

static int proto_number(const char *name)
{
    for (size_t i = 0; i < G_N_ELEMENTS(ip_protos); i++)
        if (g_ascii_strcasecmp(ip_protos[i].name, name) == 0)
            return ip_protos[i].number;
    return atoi(name);
}

/* Keys in the same canonical order as the flow table (address bytes, then port). */
static void make_keys(int proto, const struct ip_addr *a, uint16_t pa, const struct ip_addr *b, uint16_t pb,
                      char **key, char **loose_key)
{
    int cmp = memcmp(a->bytes, b->bytes, sizeof a->bytes);
    if (cmp > 0 || (cmp == 0 && pa > pb)) {
        const struct ip_addr *t = a;
        a = b;
        b = t;
        uint16_t tp = pa;
        pa = pb;
        pb = tp;
    }
    char pbuf[8], abuf[ADDR_STRLEN], bbuf[ADDR_STRLEN];
    const char *pn = proto_name(proto, pbuf, sizeof pbuf);
    *key = g_strdup_printf("%s %s %u %s %u", pn, addr_format(a, abuf, sizeof abuf), pa,
                           addr_format(b, bbuf, sizeof bbuf), pb);
    uint16_t lo = pa < pb ? pa : pb, hi = pa < pb ? pb : pa;
    *loose_key = a->family == 6 ? g_strdup_printf("%s v6 %u %u", pn, lo, hi) : NULL;
}

/* The real pipeline (audit.c: decode → flow → nDPI → dissect → event → verdict)
 * on a capture, with a flow observer and an event-counting sink. No idle
 * expiry (corpus captures are spliced from years apart), no cap. */
struct pipeline_run {
    audit_flow_fn on_flow;
    void *user;
    unsigned encrypted_dns_events;
    unsigned labelled_events, events;
    GPtrArray *encrypted_dns_keys; /* flow keys of the encrypted-DNS events */
};

static void count_emit(void *self, const struct event *ev)
{
    struct pipeline_run *r = self;
    r->events++;
    r->labelled_events += ev->app != NULL;
    if (ev->kind != EVENT_ENCRYPTED_DNS)
        return;
    r->encrypted_dns_events++;
    /* Told from the client's side: the server port is the well-known one. */
    g_assert_cmpuint(ev->dport, <, ev->sport);
    if (r->encrypted_dns_keys) {
        char *key, *loose;
        make_keys(ev->transport, &ev->src, ev->sport, &ev->dst, ev->dport, &key, &loose);
        g_ptr_array_add(r->encrypted_dns_keys, key);
        g_free(loose);
    }
}

static const struct sink_ops count_ops = { .name = "count", .emit = count_emit };

static void run_pipeline(const char *path, struct pipeline_run *r)
{
    GError *err = NULL;
    struct capture_source *src = source_open_file(path, &err);
    g_assert_no_error(err);
    struct audit_config cfg;
    audit_config_defaults(&cfg);
    cfg.max_flows = 1u << 20;
    cfg.flow_idle_ns = 1000000000ull * NS_PER_S;
    struct audit *a = audit_new(&cfg, &err);
    g_assert_no_error(err);
    audit_set_flow_observer(a, r->on_flow, r->user);
    struct sink counter = { &count_ops, r };
    audit_add_sink(a, &counter);
    struct frame f;
    enum source_status st;
    while ((st = source_next(src, &f, &err)) == SOURCE_FRAME)
        audit_frame(a, &f, f.iface_name);
    g_assert_no_error(err);
    g_assert_cmpint(st, ==, SOURCE_EOF);
    audit_finish(a);
    struct dpi_stats ds;
    g_assert_true(audit_dpi_stats(a, &ds));
    g_assert_cmpuint(ds.active, ==, 0); /* every nDPI state freed */
    g_assert_cmpuint(ds.flows_started, ==, audit_counters(a)->flows_created);
    audit_free(a);
    source_close(src);
}

static void flow_keys(const struct flow *fl, char **key, char **loose)
{
    struct ip_addr a = { 0 }, b = { 0 };
    if (fl->key.family == 4) {
        addr_from_v4(&a, fl->key.addr_lo);
        addr_from_v4(&b, fl->key.addr_hi);
    } else {
        addr_from_v6(&a, fl->key.addr_lo);
        addr_from_v6(&b, fl->key.addr_hi);
    }
    make_keys(fl->key.proto, &a, fl->key.port_lo, &b, fl->key.port_hi, key, loose);
}

static void on_flow_collect(const struct flow *fl, void *user)
{
    GPtrArray *flows = user;
    g_assert_true(fl->dpi_done);
    g_assert_null(fl->dpi);
    struct flow_label *l = g_new0(struct flow_label, 1);
    flow_keys(fl, &l->key, &l->loose_key);
    l->label = g_strdup(fl->app ? fl->app : "Unknown");
    g_ptr_array_add(flows, l);
}

/* leakaudit's pipeline on a capture: every flow's final label. */
static GPtrArray *run_ours(const char *path, struct pipeline_run *r)
{
    GPtrArray *flows = g_ptr_array_new_with_free_func(flow_label_free);
    r->on_flow = on_flow_collect;
    r->user = flows;
    run_pipeline(path, r);
    return flows;
}

/* "192.168.1.1:443" or "[2001:db8::1]:443" */
static bool parse_endpoint(const char *text, struct ip_addr *a, uint16_t *port)
{
    const char *colon = strrchr(text, ':');
    if (!colon)
        return false;
    *port = (uint16_t)atoi(colon + 1);
    char *host = g_strndup(text, (gsize)(colon - text));
    if (host[0] == '[' && host[strlen(host) - 1] == ']') {
        memmove(host, host + 1, strlen(host));
        host[strlen(host) - 1] = 0;
    }
    bool ok = addr_parse(a, host);
    g_free(host);
    return ok;
}

/* ndpiReader -v 2: one line per flow,
 *   "\t3\tUDP 192.168.1.2:5000 <-> 1.2.3.4:3478 [VLAN: 7][proto: 78.201/STUN.GoogleHangoutDuo][…"
 * The addresses may be unparseable: 4.2 prints every zero group of an IPv6
 * address as "::" ("2600:1900:4160:5999::19::"); such flows get only the loose key. */
static GPtrArray *run_ndpireader(const char *ndpireader, const char *path)
{
    const char *argv[] = { ndpireader, "-i", path, "-v", "2", NULL };
    char *out = NULL, *errout = NULL;
    int status = 0;
    GError *err = NULL;
    g_assert_true(g_spawn_sync(NULL, (char **)argv, NULL, G_SPAWN_DEFAULT, NULL, NULL, &out, &errout, &status, &err));
    g_assert_no_error(err);
    g_assert_true(g_spawn_check_wait_status(status, NULL));
    GRegex *re = g_regex_new("^\\t\\d+\\t(\\S+) (\\S+) <?-> (\\S+) .*?\\[proto: (?:[A-Za-z0-9_]+:)?[0-9.]+/([^\\]]+)\\]",
                             G_REGEX_MULTILINE, 0, NULL);
    GPtrArray *flows = g_ptr_array_new_with_free_func(flow_label_free);
    GMatchInfo *mi = NULL;
    g_regex_match(re, out, 0, &mi);
    while (g_match_info_matches(mi)) {
        char *proto = g_match_info_fetch(mi, 1), *src = g_match_info_fetch(mi, 2), *dst = g_match_info_fetch(mi, 3),
             *label = g_match_info_fetch(mi, 4);
        struct ip_addr a = { 0 }, b = { 0 };
        uint16_t pa = 0, pb = 0;
        bool ok_a = parse_endpoint(src, &a, &pa), ok_b = parse_endpoint(dst, &b, &pb);
        struct flow_label *l = g_new0(struct flow_label, 1);
        if (ok_a && ok_b) {
            make_keys(proto_number(proto), &a, pa, &b, pb, &l->key, &l->loose_key);
        } else {
            uint16_t lo = pa < pb ? pa : pb, hi = pa < pb ? pb : pa;
            l->key = g_strdup_printf("unparsed %s %s %s", proto, src, dst);
            l->loose_key = g_strdup_printf("%s v6 %u %u", proto, lo, hi);
        }
        l->label = label;
        l->dot_port = pa == 853 || pb == 853;
        g_ptr_array_add(flows, l);
        g_free(proto);
        g_free(src);
        g_free(dst);
        g_match_info_next(mi, NULL);
    }
    g_match_info_free(mi);
    g_regex_unref(re);
    g_free(out);
    g_free(errout);
    return flows;
}

struct comparison {
    unsigned ours, theirs;  /* flows each side saw */
    unsigned matched;       /* flows found on both sides */
    unsigned agree;         /* …with the same label */
    GString *differences;   /* "key: ours=X ndpiReader=Y" lines */
    GString *unmatched;
};

static void compare(GPtrArray *ours, GPtrArray *theirs, struct comparison *c)
{
    memset(c, 0, sizeof *c);
    c->ours = ours->len;
    c->theirs = theirs->len;
    c->differences = g_string_new(NULL);
    c->unmatched = g_string_new(NULL);
    GHashTable *by_key = g_hash_table_new(g_str_hash, g_str_equal);
    GHashTable *by_loose = g_hash_table_new(g_str_hash, g_str_equal);
    GHashTable *loose_count = g_hash_table_new(g_str_hash, g_str_equal);
    for (guint i = 0; i < ours->len; i++) {
        struct flow_label *l = g_ptr_array_index(ours, i);
        g_hash_table_insert(by_key, l->key, l);
        if (l->loose_key) {
            g_hash_table_insert(by_loose, l->loose_key, l);
            g_hash_table_insert(loose_count, l->loose_key,
                                GUINT_TO_POINTER(GPOINTER_TO_UINT(g_hash_table_lookup(loose_count, l->loose_key)) + 1));
        }
    }
    for (guint i = 0; i < theirs->len; i++) {
        struct flow_label *t = g_ptr_array_index(theirs, i);
        struct flow_label *o = g_hash_table_lookup(by_key, t->key);
        if (!o && t->loose_key && GPOINTER_TO_UINT(g_hash_table_lookup(loose_count, t->loose_key)) == 1)
            o = g_hash_table_lookup(by_loose, t->loose_key);
        if (!o) {
            g_string_append_printf(c->unmatched, "    only ndpiReader: %s [%s]\n", t->key, t->label);
            continue;
        }
        c->matched++;
        o->matched = true;
        if (strcmp(o->label, t->label) == 0)
            c->agree++;
        else
            g_string_append_printf(c->differences, "    %s: ours=%s ndpiReader=%s\n", o->key, o->label, t->label);
    }
    for (guint i = 0; i < ours->len; i++) {
        struct flow_label *o = g_ptr_array_index(ours, i);
        if (!o->matched)
            g_string_append_printf(c->unmatched, "    only ours: %s [%s]\n", o->key, o->label);
    }
    g_hash_table_destroy(by_key);
    g_hash_table_destroy(by_loose);
    g_hash_table_destroy(loose_count);
}

/* Our encrypted-DNS events (by flow key) against the flows ndpiReader labels
 * encrypted DNS, plus port-853 flows: the differences, one per line. */
static GString *compare_encrypted_dns(const struct pipeline_run *run, GPtrArray *theirs)
{
    GString *diff = g_string_new(NULL);
    GHashTable *ours = g_hash_table_new(g_str_hash, g_str_equal);
    for (guint i = 0; i < run->encrypted_dns_keys->len; i++) {
        char *k = g_ptr_array_index(run->encrypted_dns_keys, i);
        if (!g_hash_table_add(ours, k))
            g_string_append_printf(diff, "    two events for %s\n", k);
    }
    unsigned expected = 0;
    for (guint i = 0; i < theirs->len; i++) {
        const struct flow_label *t = g_ptr_array_index(theirs, i);
        if (!dpi_label_is_encrypted_dns(t->label) && !t->dot_port)
            continue;
        expected++;
        if (!g_hash_table_remove(ours, t->key))
            g_string_append_printf(diff, "    no event for %s [%s]\n", t->key, t->label);
    }
    GHashTableIter it;
    gpointer k;
    g_hash_table_iter_init(&it, ours);
    while (g_hash_table_iter_next(&it, &k, NULL))
        g_string_append_printf(diff, "    an event for %s, not encrypted DNS to ndpiReader\n", (char *)k);
    g_hash_table_destroy(ours);
    g_test_message("encrypted DNS: %u events, %u expected", run->encrypted_dns_events, expected);
    return diff;
}

#define NDPI_PCAP_DIR "nDPI/tests/cfgs/default/pcap"

/* Every capture in nDPI's test directory is compared; all agree exactly
 * except these, for the reasons given. differ: flows on both sides with
 * different labels; only_theirs / only_ours: flows one side has and the other
 * does not. */
static const struct corpus_exception {
    const char *file;
    unsigned differ, only_theirs, only_ours;
    const char *reason;
} corpus_exceptions[] = {
    { "fuzz-2006-06-26-2594.pcap", 0, 7, 5,
      "a fuzzed capture. only_theirs: ndpiReader 4.2 reads the bytes after an Ethernet header as IPv4 whatever the "
      "EtherType says (fuzzed 0x6d00, 0x7300, 0x0808, 0xa980, 0x5200 … frames 12, 317, 568, 574, 633), and makes a "
      "ports-0 TCP flow of a non-first IP fragment (frame 46); our decoder only takes EtherType 0x0800/0x86dd and "
      "counts non-first fragments without decoding them. only_ours: IPv4 packets whose total length is larger than "
      "what was captured (frames 62, 65, 83, 474, 517: 29440, 4169, 122, 21070, 129 bytes claimed); ndpiReader drops "
      "them before making a flow, we keep the flow (clipped to the captured bytes), nDPI rejects the packet, and the "
      "flow ends Unknown" },
    { "dtls.pcap", 0, 1, 1,
      "a DTLS flow inside GTP-U (UDP 2152): ndpiReader without -t labels the tunnel (GTP.GTP_U); our decoder "
      "audits the packet inside it, so the flow is 10.191.227.13:54162 <-> 157.240.16.128:3478, which nDPI labels "
      "DTLS.Facebook exactly as `ndpiReader -t` does" },
    { "zoom.pcap", 0, 1, 1,
      "one flow inside GTP-U (UDP 2152): ndpiReader without -t labels the tunnel (GTP.GTP_U); we audit the packet "
      "inside, 10.140.117.35:45634 <-> 193.122.35.237:8801, which stays Unknown, as it does for `ndpiReader -t`" },
};

static const struct corpus_exception *exception_for(const char *file)
{
    for (size_t i = 0; i < G_N_ELEMENTS(corpus_exceptions); i++)
        if (strcmp(corpus_exceptions[i].file, file) == 0)
            return &corpus_exceptions[i];
    return NULL;
}

static void test_corpus_against_ndpireader(gconstpointer data)
{
    const char *file = data;
    char *rel = g_build_filename(NDPI_PCAP_DIR, file, NULL);
    char *path = test_corpus_path(rel);
    g_free(rel);
    g_assert_nonnull(path); /* listed from the directory at start-up */
    char *ndpireader = g_find_program_in_path("ndpiReader");
    if (!ndpireader) {
        static bool noted;
        if (!noted)
            printf("# SKIP-NOTE ndpiReader not installed (Debian package libndpi-bin): nDPI cross-check skipped\n");
        noted = true;
        g_test_skip("ndpiReader (libndpi-bin) not installed");
        g_free(path);
        return;
    }
    struct pipeline_run run = { .encrypted_dns_keys = g_ptr_array_new_with_free_func(g_free) };
    GPtrArray *ours = run_ours(path, &run);
    GPtrArray *theirs = run_ndpireader(ndpireader, path);
    struct comparison c;
    compare(ours, theirs, &c);
    GString *edns = compare_encrypted_dns(&run, theirs);
    unsigned differ = c.matched - c.agree, only_theirs = c.theirs - c.matched;
    unsigned only_ours = 0;
    for (guint i = 0; i < ours->len; i++)
        only_ours += !((struct flow_label *)g_ptr_array_index(ours, i))->matched;
    g_test_message("%s: ours %u flows, ndpiReader %u, matched %u, same label %u (%.1f%%)", file, c.ours, c.theirs,
                   c.matched, c.agree, c.theirs ? 100.0 * c.agree / c.theirs : 100.0);
    if (g_getenv("DPI_TEST_VERBOSE"))
        printf("%s%s", c.differences->str, c.unmatched->str);
    /* Not vacuous: ndpiReader saw flows, and labels were compared. */
    g_assert_cmpuint(c.theirs, >, 0);
    g_assert_cmpuint(c.matched, >, 0);
    const struct corpus_exception *ex = exception_for(file);
    unsigned want_differ = ex ? ex->differ : 0, want_theirs = ex ? ex->only_theirs : 0,
             want_ours = ex ? ex->only_ours : 0;
    /* Encrypted DNS: one event per flow ndpiReader labels DoH/DoT/DoQ/DNSCrypt
     * or that uses port 853, and none for any other flow. */
    if (edns->len)
        g_error("%s: encrypted-DNS events differ from ndpiReader's encrypted-DNS flows:\n%s", file, edns->str);
    g_string_free(edns, TRUE);
    g_ptr_array_free(run.encrypted_dns_keys, TRUE);
    if (differ != want_differ || only_theirs != want_theirs || only_ours != want_ours)
        g_error("%s: %u labels differ (expected %u), %u flows only ndpiReader has (expected %u), %u only we have "
                "(expected %u)%s%s\n%s%s",
                file, differ, want_differ, only_theirs, want_theirs, only_ours, want_ours, ex ? "; known: " : "",
                ex ? ex->reason : "", c.differences->str, c.unmatched->str);
    g_string_free(c.differences, TRUE);
    g_string_free(c.unmatched, TRUE);
    g_ptr_array_free(ours, TRUE);
    g_ptr_array_free(theirs, TRUE);
    g_free(ndpireader);
    g_free(path);
}

/* What ndpiReader cannot check: our VPN-transport and encrypted-DNS reading of
 * the labels, on real flows (keys as the flow table orders them). */
static const struct spot_check {
    const char *file, *key;
    const char *label, *vpn_proto, *category;
    bool guessed, encrypted_dns;
} spot_checks[] = {
    { "wireguard.pcap", "UDP 10.9.0.1 43462 10.9.0.2 51820", "WireGuard", "WireGuard", "VPN", false, false },
    /* found by inspection on a port that says SIP */
    { "mullvad_wireguard.pcap", "UDP 192.168.122.11 22595 198.54.131.98 5060", "WireGuard", "WireGuard", "VPN",
      false, false },
    { "openvpn.pcap", "UDP 139.59.151.137 13680 192.168.43.18 13680", "OpenVPN", "OpenVPN", "VPN", false, false },
    /* only guessed from port 1194 at give-up: not taken as evidence of a tunnel */
    { "openvpn.pcap", "UDP 3.111.166.78 51146 85.134.13.165 1194", "OpenVPN", NULL, "VPN", true, false },
    { "anyconnect-vpn.pcap", "UDP 8.37.102.91 443 10.0.0.227 54107", "CiscoVPN", "CiscoVPN", "VPN", false, false },
    /* nDPI 4.2 knows neither Tailscale nor WARP's WireGuard; WARP only by Cloudflare's address */
    { "tailscale.pcap", "UDP 18.196.71.179 41641 192.168.88.3 41641", "Unknown", NULL, NULL, false, false },
    { "cloudflare-warp.pcap", "UDP 162.159.192.7 2408 192.168.1.84 60555", "Cloudflare", NULL, "Web", true, false },
    { "dns_dot.pcap", "TCP 8.8.8.8 853 192.168.1.185 58290", "TLS.DoH_DoT", NULL, "Network", false, true },
    { "doq.pcapng", "UDP ::1 784 ::1 47826", "QUIC.DoH_DoT", NULL, "Network", false, true },
    { "stun.pcap", "UDP 74.125.247.128 3478 192.168.12.169 43016", "STUN.GoogleHangoutDuo", NULL, "VoIP", false,
      false },
    /* IPv6 STUN: nDPI 4.2 excludes it from inspection, the port guess is all there is */
    { "stun.pcap", "UDP 2001:b07:a3d:c112:48a1:1094:1227:281e 48094 2600:1900:4160:5999:0:19:: 3478", "STUN", NULL,
      "Network", true, false },
    { "teams.pcap", "UDP 52.114.250.123 3478 192.168.1.6 50016", "STUN.Teams", NULL, "VoIP", false, false },
    { "whatsapp_voice_and_message.pcap", "UDP 10.8.0.1 53620 31.13.84.48 3478", "STUN.WhatsAppCall", NULL, "VoIP",
      false, false },
    { "zoom.pcap", "UDP 162.255.37.14 3478 192.168.1.117 23903", "STUN.Zoom", NULL, "Video", false, false },
};

struct spot_run {
    const struct spot_check *check;
    unsigned found;
};

static void on_flow_spot(const struct flow *fl, void *user)
{
    struct spot_run *r = user;
    char *key, *loose;
    flow_keys(fl, &key, &loose);
    const struct spot_check *sc = r->check;
    if (strcmp(key, sc->key) == 0) {
        r->found++;
        g_assert_cmpstr(fl->app ? fl->app : "Unknown", ==, sc->label);
        g_assert_cmpstr(fl->vpn_proto, ==, sc->vpn_proto);
        g_assert_cmpstr(fl->app_category, ==, sc->category);
        g_assert_cmpint(fl->dpi_guessed, ==, sc->guessed);
        g_assert_cmpint(dpi_label_is_encrypted_dns(fl->app), ==, sc->encrypted_dns);
    }
    g_free(key);
    g_free(loose);
}

static void test_corpus_spot_checks(void)
{
    for (size_t i = 0; i < G_N_ELEMENTS(spot_checks); i++) {
        const struct spot_check *sc = &spot_checks[i];
        char *rel = g_build_filename(NDPI_PCAP_DIR, sc->file, NULL);
        char *path = test_corpus_path(rel);
        g_free(rel);
        if (!path) {
            printf("# SKIP-NOTE corpus not found (../shared/corpus): corpus tests skipped\n");
            g_test_skip("corpus file not found");
            return;
        }
        struct spot_run r = { sc, 0 };
        struct pipeline_run run = { .on_flow = on_flow_spot, .user = &r };
        run_pipeline(path, &run);
        if (r.found != 1)
            g_error("%s: flow %s seen %u times", sc->file, sc->key, r.found);
        g_free(path);
    }
}

/* ---- the pipeline's events carry the labels (in-repo sample, always runs) ---- */

struct seen_event {
    enum event_kind kind;
    bool alert;
    const char *app, *category, *risks; /* interned or nDPI's static names: outlive the run */
    bool guessed;
};

static void collect_emit(void *self, const struct event *ev)
{
    struct seen_event e = { ev->kind, event_is_alert(ev), ev->app, ev->app_category, ev->app_risks,
                            ev->app_guessed };
    g_array_append_val((GArray *)self, e);
}

static const struct sink_ops collect_ops = { .name = "collect", .emit = collect_emit };

static GArray *sample_events(const char *rel, bool no_dpi)
{
    char *path = test_repo_path(rel);
    GError *err = NULL;
    struct capture_source *src = source_open_file(path, &err);
    g_assert_no_error(err);
    struct audit_config cfg;
    audit_config_defaults(&cfg);
    cfg.no_dpi = no_dpi;
    struct audit *a = audit_new(&cfg, &err);
    g_assert_no_error(err);
    GArray *events = g_array_new(FALSE, TRUE, sizeof(struct seen_event));
    struct sink collector = { &collect_ops, events };
    audit_add_sink(a, &collector);
    struct frame f;
    unsigned declared = 0;
    while (source_next(src, &f, &err) == SOURCE_FRAME) {
        for (; declared < source_iface_count(src); declared++) {
            const struct source_iface *si = source_iface_get(src, (int)declared);
            if (si)
                audit_declare_iface(a, si->id, si->name, si->linktype);
        }
        audit_frame(a, &f, f.iface_name);
    }
    g_assert_no_error(err);
    audit_finish(a);
    struct dpi_stats ds;
    g_assert_cmpint(audit_dpi_stats(a, &ds), ==, !no_dpi);
    audit_free(a);
    source_close(src);
    g_free(path);
    return events;
}

/* samples/webrtc-leak.pcapng: the DTLS handshake alerts say what nDPI found
 * (DTLS, category Web, the risks of a WebRTC certificate); the STUN alerts
 * carry the port guess nDPI has while the flow is too short to confirm. With
 * --no-dpi the same alerts come, unlabelled. */
static void test_sample_event_labels(void)
{
    GArray *with = sample_events("samples/webrtc-leak.pcapng", false);
    GArray *without = sample_events("samples/webrtc-leak.pcapng", true);
    g_assert_cmpuint(with->len, ==, without->len);
    unsigned alerts = 0, dtls_alerts = 0, stun_alerts = 0;
    for (guint i = 0; i < with->len; i++) {
        const struct seen_event *e = &g_array_index(with, struct seen_event, i);
        const struct seen_event *o = &g_array_index(without, struct seen_event, i);
        g_assert_cmpint(e->kind, ==, o->kind);
        g_assert_cmpint(e->alert, ==, o->alert);
        g_assert_null(o->app);
        g_assert_null(o->category);
        g_assert_null(o->risks);
        if (!e->alert)
            continue;
        alerts++;
        g_assert_nonnull(e->app); /* every alert is labelled */
        if (e->kind == EVENT_DTLS) {
            dtls_alerts++;
            g_assert_cmpstr(e->app, ==, "DTLS");
            g_assert_cmpstr(e->category, ==, "Web");
            g_assert_cmpstr(e->risks, ==, "TLS (probably) Not Carrying HTTPS,Missing SNI TLS Extension");
            g_assert_false(e->guessed);
        } else if (e->kind == EVENT_STUN) {
            stun_alerts++;
            g_assert_cmpstr(e->app, ==, "STUN");
            g_assert_true(e->guessed);
        }
    }
    /* the two ClientHellos of one DTLS handshake (before and after its
     * HelloVerifyRequest) are one alert: dedup folds the repeat */
    g_assert_cmpuint(alerts, ==, 3);
    g_assert_cmpuint(dtls_alerts, ==, 1);
    g_assert_cmpuint(stun_alerts, ==, 2);
    g_array_free(with, TRUE);
    g_array_free(without, TRUE);
}

static void test_corpus_missing(void)
{
    printf("# SKIP-NOTE corpus not found (../shared/corpus): corpus tests skipped\n");
    g_test_skip("corpus directory not found: " NDPI_PCAP_DIR);
}

/* Every exception names a capture that is there (a stale entry would hide nothing). */
static void test_exceptions_exist(void)
{
    for (size_t i = 0; i < G_N_ELEMENTS(corpus_exceptions); i++) {
        char *rel = g_build_filename(NDPI_PCAP_DIR, corpus_exceptions[i].file, NULL);
        char *path = test_corpus_path(rel);
        if (!path)
            g_error("exception for a capture that is not in the corpus: %s", rel);
        g_free(path);
        g_free(rel);
    }
}

static gint compare_names(gconstpointer a, gconstpointer b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The captures to compare: every .pcap/.pcapng in nDPI's test directory. */
static GPtrArray *list_ndpi_captures(void)
{
    char *dir = test_corpus_path(NDPI_PCAP_DIR);
    if (!dir)
        return NULL;
    GPtrArray *files = g_ptr_array_new_with_free_func(g_free);
    GDir *d = g_dir_open(dir, 0, NULL);
    const char *name;
    while (d && (name = g_dir_read_name(d)))
        if (g_str_has_suffix(name, ".pcap") || g_str_has_suffix(name, ".pcapng"))
            g_ptr_array_add(files, g_strdup(name));
    if (d)
        g_dir_close(d);
    g_ptr_array_sort(files, compare_names);
    g_free(dir);
    return files;
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/dpi/dns-query-then-answer", test_dns_query_then_answer);
    g_test_add_func("/dpi/budget-gives-up", test_budget_gives_up);
    g_test_add_func("/dpi/tls13-stops-after-server-hello", test_tls13_stops_after_server_hello);
    g_test_add_func("/dpi/tls12-keeps-budget", test_tls12_keeps_budget);
    g_test_add_func("/dpi/quiet-kept-without-pressure", test_quiet_kept_without_pressure);
    g_test_add_func("/dpi/quiet-given-up-under-pressure", test_quiet_given_up_under_pressure);
    g_test_add_func("/dpi/flow-end-guesses", test_flow_end_guesses);
    g_test_add_func("/dpi/esp-is-ipsec", test_esp_is_ipsec_transport);
    g_test_add_func("/dpi/label-helpers", test_label_helpers);
    g_test_add_func("/dpi/absurd-timestamps-keep-flow", test_absurd_timestamps_keep_flow);
    g_test_add_func("/dpi/sample-event-labels", test_sample_event_labels);
    GPtrArray *captures = list_ndpi_captures();
    if (captures && captures->len) {
        g_test_add_func("/dpi/corpus/spot-checks", test_corpus_spot_checks);
        g_test_add_func("/dpi/corpus/exceptions-exist", test_exceptions_exist);
        for (guint i = 0; i < captures->len; i++) {
            const char *file = g_ptr_array_index(captures, i);
            char *name = g_strdup_printf("/dpi/ndpireader/%s", file);
            g_test_add_data_func(name, file, test_corpus_against_ndpireader);
            g_free(name);
        }
    } else {
        g_test_add_func("/dpi/corpus/missing", test_corpus_missing);
    }
    int rc = g_test_run();
    if (captures)
        g_ptr_array_free(captures, TRUE);
    return rc;
}
