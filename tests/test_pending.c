/* test_pending.c — leaked STUN requests waiting for their replies
 * (src/audit.c, pending_*): a retransmission folds into the waiting request,
 * the oldest goes out early when the wait list is full, a reply releases its
 * request with the exposed address, the rest go out when their wait ends, in
 * the order they came; and many at once (slots grown and reused) each give
 * exactly one alert. Frames are built here: Ethernet, IPv4, UDP, STUN. */
#include <glib.h>
#include <string.h>

#include "audit.h"

enum { LINKTYPE_ETHERNET_ = 1, LINKTYPE_RAW_ = 101 };
#define SEC 1000000000ull

struct seen {
    uint8_t txid0;       /* first transaction id byte: which request */
    bool alert, exposed;
    enum verdict verdict;
    uint32_t repeats;
};

static GArray *seen_events; /* struct seen */

static void rec_emit(void *self, const struct event *ev)
{
    if (ev->kind != EVENT_STUN)
        return;
    struct seen s = { ev->stun->transaction_id[0], event_is_alert(ev), ev->has_exposed, ev->verdict, ev->repeats };
    g_array_append_val(seen_events, s);
}

static const struct sink_ops rec_ops = { .name = "recorder", .emit = rec_emit };

static const uint8_t host[4] = { 192, 168, 1, 10 }, server[4] = { 198, 51, 100, 7 };

/* One frame on eth0: a STUN Binding request (out) or success reply with
 * XOR-MAPPED-ADDRESS 203.0.113.5:40000 (in), transaction id (id, 0x5a…). */
static void send_stun(struct audit *a, uint64_t ts_ns, uint16_t id, bool reply)
{
    static uint64_t number;
    uint8_t b[14 + 20 + 8 + 20 + 12] = { 0 };
    size_t stun_len = reply ? 12 : 0, n = 14 + 20 + 8 + 20 + stun_len;
    b[12] = 0x08; /* IPv4 */
    uint8_t *ip = b + 14, *udp = ip + 20, *stun = udp + 8;
    ip[0] = 0x45;
    ip[2] = (uint8_t)((n - 14) >> 8);
    ip[3] = (uint8_t)(n - 14);
    ip[8] = 64;
    ip[9] = 17;
    memcpy(ip + 12, reply ? server : host, 4);
    memcpy(ip + 16, reply ? host : server, 4);
    uint16_t hport = (uint16_t)(40000 + id), sport = 3478;
    uint16_t from = reply ? sport : hport, to = reply ? hport : sport;
    udp[0] = (uint8_t)(from >> 8), udp[1] = (uint8_t)from, udp[2] = (uint8_t)(to >> 8), udp[3] = (uint8_t)to;
    udp[4] = (uint8_t)((8 + 20 + stun_len) >> 8), udp[5] = (uint8_t)(8 + 20 + stun_len);
    stun[0] = reply ? 0x01 : 0x00;
    stun[1] = 0x01;
    stun[3] = (uint8_t)stun_len;
    stun[4] = 0x21, stun[5] = 0x12, stun[6] = 0xa4, stun[7] = 0x42;
    stun[8] = (uint8_t)id;
    stun[9] = (uint8_t)(id >> 8);
    memset(stun + 10, 0x5a, 10);
    if (reply) {
        uint8_t *attr = stun + 20;
        attr[1] = 0x20; /* XOR-MAPPED-ADDRESS */
        attr[3] = 8;
        attr[5] = 0x01;
        uint16_t xport = 40000 ^ 0x2112;
        attr[6] = (uint8_t)(xport >> 8), attr[7] = (uint8_t)xport;
        static const uint8_t mapped[4] = { 203, 0, 113, 5 }, cookie[4] = { 0x21, 0x12, 0xa4, 0x42 };
        for (int i = 0; i < 4; i++)
            attr[8 + i] = mapped[i] ^ cookie[i];
    }
    struct frame f = { .number = ++number, .ts_ns = ts_ns, .linktype = LINKTYPE_ETHERNET_, .iface = 0,
                       .dir = reply ? DIR_IN : DIR_OUT, .caplen = (uint32_t)n, .wirelen = (uint32_t)n, .data = b };
    audit_frame(a, &f, "eth0");
}

static struct audit *audit_with_vpn(uint32_t max_pending, struct sink *sink)
{
    struct audit_config cfg;
    audit_config_defaults(&cfg);
    cfg.no_dpi = true;
    cfg.max_pending_stun = max_pending;
    cfg.dedup.window_ns = 0; /* every alert goes out: this is about the wait, not folding */
    GError *err = NULL;
    struct audit *a = audit_new(&cfg, &err);
    g_assert_no_error(err);
    audit_declare_iface(a, 0, "eth0", LINKTYPE_ETHERNET_);
    audit_declare_iface(a, 1, "wg0", LINKTYPE_RAW_); /* a VPN is up: STUN on eth0 leaks */
    sink->ops = &rec_ops;
    sink->self = NULL;
    audit_add_sink(a, sink);
    seen_events = g_array_new(FALSE, FALSE, sizeof(struct seen));
    return a;
}

static const struct seen *seen_at(guint i)
{
    g_assert_cmpuint(i, <, seen_events->len);
    return &g_array_index(seen_events, struct seen, i);
}

static void test_wait_list(void)
{
    struct sink sink;
    struct audit *a = audit_with_vpn(3, &sink);
    send_stun(a, 1 * SEC, 'A', false);
    send_stun(a, 1 * SEC + SEC / 10, 'B', false);
    send_stun(a, 1 * SEC + 2 * SEC / 10, 'C', false);
    send_stun(a, 1 * SEC + 3 * SEC / 10, 'A', false); /* a retransmission */
    g_assert_cmpuint(seen_events->len, ==, 0);
    send_stun(a, 1 * SEC + 4 * SEC / 10, 'D', false); /* full: A goes out first */
    g_assert_cmpuint(seen_events->len, ==, 1);
    g_assert_cmpuint(seen_at(0)->txid0, ==, 'A');
    g_assert_true(seen_at(0)->alert);
    g_assert_false(seen_at(0)->exposed);
    g_assert_cmpuint(seen_at(0)->repeats, ==, 1);
    g_assert_cmpuint(audit_counters(a)->pending_released_early, ==, 1);
    send_stun(a, 1 * SEC + 5 * SEC / 10, 'C', true); /* C's reply: C with what it exposed, then the reply */
    g_assert_cmpuint(seen_events->len, ==, 3);
    g_assert_cmpuint(seen_at(1)->txid0, ==, 'C');
    g_assert_true(seen_at(1)->alert && seen_at(1)->exposed);
    g_assert_cmpuint(seen_at(2)->txid0, ==, 'C');
    g_assert_false(seen_at(2)->alert);
    g_assert_cmpint(seen_at(2)->verdict, ==, VERDICT_RESPONSE);
    send_stun(a, 1 * SEC + 6 * SEC / 10, 'Z', true); /* a reply nobody waits for: an exposure of its own */
    g_assert_cmpuint(seen_events->len, ==, 4);
    g_assert_cmpuint(seen_at(3)->txid0, ==, 'Z');
    g_assert_cmpint(seen_at(3)->verdict, ==, VERDICT_EXPOSURE);
    send_stun(a, 4 * SEC, 'E', false); /* B's and D's waits have ended: out in order, before E waits */
    g_assert_cmpuint(seen_events->len, ==, 6);
    g_assert_cmpuint(seen_at(4)->txid0, ==, 'B');
    g_assert_cmpuint(seen_at(5)->txid0, ==, 'D');
    g_assert_true(seen_at(4)->alert && !seen_at(4)->exposed);
    audit_finish(a); /* the end of input releases E */
    g_assert_cmpuint(seen_events->len, ==, 7);
    g_assert_cmpuint(seen_at(6)->txid0, ==, 'E');
    g_assert_cmpuint(audit_counters(a)->alerts, ==, 6);
    g_assert_cmpuint(audit_counters(a)->exposures, ==, 2);
    g_array_free(seen_events, TRUE);
    audit_free(a);
}

/* More waiting at once than the first slots hold, replies in another order,
 * slots freed and taken again: one alert per request, exposed when answered. */
static void test_many_waiting(void)
{
    struct sink sink;
    struct audit *a = audit_with_vpn(4096, &sink);
    enum { N = 300 };
    for (int round = 0; round < 2; round++) {
        uint64_t t0 = (uint64_t)(10 + round * 10) * SEC;
        for (uint16_t i = 0; i < N; i++)
            send_stun(a, t0 + i, (uint16_t)(i + round * N), false);
        for (int i = N - 1; i >= 0; i -= 3)
            send_stun(a, t0 + SEC, (uint16_t)(i + round * N), true);
    }
    audit_finish(a);
    unsigned alerts = 0, exposed = 0;
    for (guint i = 0; i < seen_events->len; i++) {
        const struct seen *s = seen_at(i);
        alerts += s->alert;
        exposed += s->alert && s->exposed;
    }
    g_assert_cmpuint(alerts, ==, 2 * N);
    g_assert_cmpuint(exposed, ==, 2 * 100);
    g_assert_cmpuint(audit_counters(a)->pending_released_early, ==, 0);
    g_array_free(seen_events, TRUE);
    audit_free(a);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/pending/wait-list", test_wait_list);
    g_test_add_func("/pending/many-waiting", test_many_waiting);
    return g_test_run();
}
