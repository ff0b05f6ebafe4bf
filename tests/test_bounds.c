/* test_bounds.c — the memory bounds: flow table expiry at the edge of the
 * timestamp range, the cap's eviction, and the --max-memory budget split. */
#include <glib.h>
#include <string.h>

#include "audit.h"
#include "flow.h"
#include "memcap.h"

static struct packet udp_packet(uint32_t src, uint16_t sport)
{
    struct packet p;
    memset(&p, 0, sizeof p);
    p.ip_version = 4;
    p.l4_proto = 17;
    memcpy(p.src.bytes, &src, 4);
    p.dst.bytes[0] = 203;
    p.sport = sport;
    p.dport = 3478;
    return p;
}

/* Timestamps near 2^64 (a hostile pcapng can carry them): a lookup must
 * return a live flow, never one its own idle check just retired (found by
 * fuzz_capture: tests/data/regress/fuzz_capture/leak-82e3…). */
static void test_expiry_near_uint64_max(void)
{
    struct flow_table *t = flow_table_new(64, 120ull * 1000000000ull);
    struct packet p = udp_packet(0x0a000001, 40000);
    int dir;
    uint64_t late = UINT64_MAX - 1000;
    struct flow *f = flow_lookup(t, &p, late, true, &dir);
    g_assert_nonnull(f);
    struct flow *again = flow_lookup(t, &p, UINT64_MAX - 1, false, &dir);
    g_assert_true(again == f);
    struct flow_stats st = flow_table_stats(t);
    g_assert_cmpuint(st.active, ==, 1);
    g_assert_cmpuint(st.evicted_idle, ==, 0);
    g_assert_cmpuint(f->packets, ==, 2);
    /* a second flow at the very last timestamp keeps the first too */
    struct packet q = udp_packet(0x0a000002, 40001);
    g_assert_nonnull(flow_lookup(t, &q, UINT64_MAX - 1, true, &dir));
    g_assert_cmpuint(flow_table_stats(t).active, ==, 2);
    /* time really passing still retires idle flows */
    struct packet r = udp_packet(0x0a000003, 40002);
    flow_table_free(t);
    t = flow_table_new(64, 1000);
    flow_lookup(t, &p, 5000, true, &dir);
    flow_lookup(t, &r, 7000, true, &dir);
    st = flow_table_stats(t);
    g_assert_cmpuint(st.active, ==, 1);
    g_assert_cmpuint(st.evicted_idle, ==, 1);
    g_assert_null(flow_lookup(t, &p, 7000, false, &dir));
    flow_table_free(t);
}

/* Full table: the least recently used flow goes, and it is counted. */
static void test_cap_evicts_lru(void)
{
    struct flow_table *t = flow_table_new(16, 120ull * 1000000000ull);
    int dir;
    for (uint16_t i = 0; i < 40; i++) {
        struct packet p = udp_packet(0x0a000100u + i, (uint16_t)(1000 + i));
        g_assert_nonnull(flow_lookup(t, &p, 1000u + i, true, &dir));
    }
    struct flow_stats st = flow_table_stats(t);
    g_assert_cmpuint(st.active, ==, 16);
    g_assert_cmpuint(st.peak, ==, 16);
    g_assert_cmpuint(st.created, ==, 40);
    g_assert_cmpuint(st.evicted_cap, ==, 24);
    struct packet oldest = udp_packet(0x0a000100u, 1000), newest = udp_packet(0x0a000100u + 39, 1039);
    g_assert_null(flow_lookup(t, &oldest, 2000, false, &dir));
    g_assert_nonnull(flow_lookup(t, &newest, 2000, false, &dir));
    flow_table_free(t);
}

/* The budget split: worst case within the budget, caps grow with it, and a
 * budget below the minimum is refused with a message. */
static void test_memory_budget(void)
{
    for (int no_dpi = 0; no_dpi < 2; no_dpi++) {
    /* nDPI's module and per-flow state take 8 MiB of the budget when it is on */
    uint64_t min_mib = MEMCAP_MIN_MIB + (no_dpi ? 0 : 8);
    uint32_t last_flows = 0;
    for (uint64_t mib = min_mib; mib <= 1024; mib *= 2) {
        struct audit_config cfg;
        audit_config_defaults(&cfg);
        cfg.no_dpi = no_dpi;
        GError *err = NULL;
        g_assert_true(memcap_apply(&cfg, mib, &err));
        g_assert_no_error(err);
        g_assert_cmpuint(memcap_worst_case_bytes(&cfg), <=, mib << 20);
        g_assert_cmpuint(cfg.max_flows, >, last_flows);
        g_assert_cmpuint(cfg.max_tcp_streams, >=, 16);
        g_assert_cmpuint(cfg.max_pending_stun, >=, 16);
        last_flows = cfg.max_flows;
    }
    struct audit_config cfg;
    audit_config_defaults(&cfg);
    cfg.no_dpi = no_dpi;
    GError *err = NULL;
    g_assert_false(memcap_apply(&cfg, min_mib - 1, &err));
    g_assert_nonnull(err);
    g_assert_nonnull(strstr(err->message, "--max-memory"));
    g_error_free(err);
    g_assert_cmpuint(cfg.max_flows, ==, 262144); /* untouched on error */
    }
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/bounds/flow-expiry-near-uint64-max", test_expiry_near_uint64_max);
    g_test_add_func("/bounds/flow-cap-evicts-lru", test_cap_evicts_lru);
    g_test_add_func("/bounds/memory-budget", test_memory_budget);
    return g_test_run();
}
