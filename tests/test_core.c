/* test_core.c — addresses, flow table, interface roles, verdict policy, JSON writer. */
#include <glib.h>
#include <stdio.h>
#include <string.h>

#include "addr.h"
#include "event.h"
#include "flow.h"
#include "iface.h"
#include "json.h"
#include "verdict.h"

/* ---- addr ---- */

static void test_addr_classify(void)
{
    static const struct { const char *ip; enum addr_class cls; } cases[] = {
        { "127.0.0.1", ADDR_LOOPBACK }, { "10.1.2.3", ADDR_PRIVATE }, { "172.16.0.1", ADDR_PRIVATE },
        { "172.32.0.1", ADDR_PUBLIC }, { "192.168.1.1", ADDR_PRIVATE }, { "100.64.0.1", ADDR_CGNAT },
        { "100.128.0.1", ADDR_PUBLIC }, { "169.254.9.9", ADDR_LINK_LOCAL }, { "224.0.0.251", ADDR_MULTICAST },
        { "239.255.255.250", ADDR_MULTICAST }, { "255.255.255.255", ADDR_BROADCAST },
        { "192.0.2.1", ADDR_DOCUMENTATION }, { "198.51.100.7", ADDR_DOCUMENTATION },
        { "203.0.113.200", ADDR_DOCUMENTATION }, { "8.8.8.8", ADDR_PUBLIC }, { "0.0.0.0", ADDR_UNSPECIFIED },
        { "::1", ADDR_LOOPBACK }, { "::", ADDR_UNSPECIFIED }, { "fe80::1", ADDR_LINK_LOCAL },
        { "fd00::1", ADDR_PRIVATE }, { "ff02::fb", ADDR_MULTICAST }, { "2001:db8::1", ADDR_DOCUMENTATION },
        { "2001:4860:4860::8888", ADDR_PUBLIC }, { "::ffff:192.168.1.1", ADDR_PRIVATE },
        { "::ffff:8.8.4.4", ADDR_PUBLIC },
    };
    for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
        struct ip_addr a;
        g_assert_true(addr_parse(&a, cases[i].ip));
        if (addr_classify(&a) != cases[i].cls)
            g_error("%s: got %s, want %s", cases[i].ip, addr_class_name(addr_classify(&a)),
                    addr_class_name(cases[i].cls));
    }
}

/* The prefix-table walk addr_classify did before its tables became numeric
 * masks (kept here as the reference it must agree with). */
struct ref_prefix_rule {
    uint8_t family;
    uint8_t bits;
    uint8_t prefix[16];
    enum addr_class cls;
};

static const struct ref_prefix_rule ref_prefix_rules[] = {
    { 4, 32, { 255, 255, 255, 255 }, ADDR_BROADCAST },
    { 4, 8, { 0 }, ADDR_UNSPECIFIED },
    { 4, 8, { 127 }, ADDR_LOOPBACK },
    { 4, 8, { 10 }, ADDR_PRIVATE },
    { 4, 12, { 172, 16 }, ADDR_PRIVATE },
    { 4, 16, { 192, 168 }, ADDR_PRIVATE },
    { 4, 10, { 100, 64 }, ADDR_CGNAT },
    { 4, 16, { 169, 254 }, ADDR_LINK_LOCAL },
    { 4, 24, { 192, 0, 2 }, ADDR_DOCUMENTATION },
    { 4, 24, { 198, 51, 100 }, ADDR_DOCUMENTATION },
    { 4, 24, { 203, 0, 113 }, ADDR_DOCUMENTATION },
    { 4, 24, { 192, 0, 0 }, ADDR_RESERVED },
    { 4, 15, { 198, 18 }, ADDR_RESERVED },
    { 4, 4, { 224 }, ADDR_MULTICAST },
    { 4, 4, { 240 }, ADDR_RESERVED },
    { 6, 128, { 0 }, ADDR_UNSPECIFIED },
    { 6, 128, { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1 }, ADDR_LOOPBACK },
    { 6, 32, { 0x20, 0x01, 0x0d, 0xb8 }, ADDR_DOCUMENTATION },
    { 6, 7, { 0xfc }, ADDR_PRIVATE },
    { 6, 10, { 0xfe, 0x80 }, ADDR_LINK_LOCAL },
    { 6, 8, { 0xff }, ADDR_MULTICAST },
    { 6, 3, { 0x20 }, ADDR_PUBLIC },
    { 6, 0, { 0 }, ADDR_RESERVED },
    { 4, 0, { 0 }, ADDR_PUBLIC },
};

static enum addr_class ref_classify(const struct ip_addr *a)
{
    struct ip_addr v = *a;
    addr_unmap(&v);
    if (v.family != 4 && v.family != 6)
        return ADDR_NONE;
    for (size_t i = 0; i < G_N_ELEMENTS(ref_prefix_rules); i++) {
        const struct ref_prefix_rule *r = &ref_prefix_rules[i];
        if (r->family != v.family)
            continue;
        unsigned full = r->bits / 8, rest = r->bits % 8;
        if (memcmp(v.bytes, r->prefix, full) != 0)
            continue;
        if (rest) {
            uint8_t mask = (uint8_t)(0xff << (8 - rest));
            if ((v.bytes[full] & mask) != (r->prefix[full] & mask))
                continue;
        }
        return r->cls;
    }
    return ADDR_RESERVED;
}

static uint64_t classify_rng = 0x9e3779b97f4a7c15ull;
static uint32_t classify_random(void)
{
    classify_rng ^= classify_rng << 13;
    classify_rng ^= classify_rng >> 7;
    classify_rng ^= classify_rng << 17;
    return (uint32_t)(classify_rng >> 16);
}

static void expect_same_class(const struct ip_addr *a)
{
    enum addr_class want = ref_classify(a), got = addr_classify(a);
    if (got != want) {
        char buf[ADDR_STRLEN];
        g_error("%s (family %u): got %s, want %s", addr_format(a, buf, sizeof buf), a->family, addr_class_name(got),
                addr_class_name(want));
    }
}

/* Every IPv4 first and second octet, prefixes of every rule with random and
 * boundary tails, IPv4-mapped IPv6, and other families. */
static void test_addr_classify_like_table(void)
{
    for (unsigned first = 0; first < 256; first++) {
        for (unsigned second = 0; second < 256; second++) {
            uint32_t r = classify_random();
            uint8_t b[4] = { (uint8_t)first, (uint8_t)second, (uint8_t)r, (uint8_t)(r >> 8) };
            struct ip_addr a;
            addr_from_v4(&a, b);
            expect_same_class(&a);
            uint8_t m[16] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, b[0], b[1], b[2], b[3] };
            addr_from_v6(&a, m);
            expect_same_class(&a);
        }
    }
    for (size_t i = 0; i < G_N_ELEMENTS(ref_prefix_rules); i++) {
        const struct ref_prefix_rule *r = &ref_prefix_rules[i];
        for (int round = 0; round < 2000; round++) {
            uint8_t b[16];
            for (int k = 0; k < 16; k++)
                b[k] = (uint8_t)classify_random();
            /* keep the rule's prefix, or all but its last bit, then zeros or ones or random after */
            unsigned keep = r->bits - (round & 1 ? 0u : (r->bits ? 1u : 0u));
            for (unsigned bit = 0; bit < keep; bit++) {
                uint8_t mask = (uint8_t)(0x80 >> (bit % 8));
                b[bit / 8] = (uint8_t)((b[bit / 8] & ~mask) | (r->prefix[bit / 8] & mask));
            }
            if (round % 3 == 1)
                for (unsigned bit = keep; bit < 128; bit++)
                    b[bit / 8] &= (uint8_t) ~(0x80 >> (bit % 8));
            struct ip_addr a;
            if (r->family == 4)
                addr_from_v4(&a, b);
            else
                addr_from_v6(&a, b);
            expect_same_class(&a);
        }
    }
    struct ip_addr none = { 0, { 0 } };
    expect_same_class(&none);
    struct ip_addr odd = { 5, { 10 } };
    expect_same_class(&odd);
}

/* The learned host addresses (a hash_index set since the alert-path work):
 * learn, forget (the last address moves into the freed place), the cap. */
static void test_iface_host_set(void)
{
    struct iface_table *t = iface_table_new(NULL, NULL);
    enum { N = 1200 }; /* past the 1024 cap */
    struct ip_addr addrs[N];
    bool learned[N];
    for (int i = 0; i < N; i++) {
        uint8_t b[16] = { 0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, (uint8_t)(i >> 8), (uint8_t)i };
        if (i % 2)
            addr_from_v6(&addrs[i], b);
        else
            addr_from_v4(&addrs[i], b + 12);
        learned[i] = false;
    }
    uint64_t not_learned = 0, over = 0;
    for (int i = 0; i < N; i++) {
        g_assert_false(iface_table_is_host(t, &addrs[i]));
        iface_table_learn_host(t, &addrs[i]);
        learned[i] = i < 1024;
        iface_table_learn_host(t, &addrs[i]); /* again: no change */
    }
    iface_table_cap_counts(t, &not_learned, &over);
    g_assert_cmpuint(not_learned, ==, 2 * (N - 1024));
    for (int i = 0; i < N; i += 3) {
        iface_table_forget_host(t, &addrs[i]);
        learned[i] = false;
    }
    iface_table_forget_host(t, &addrs[0]); /* not there: no change */
    for (int i = 0; i < N; i++)
        g_assert_cmpint(iface_table_is_host(t, &addrs[i]), ==, learned[i]);
    /* Room again: the ones past the cap are learned now. */
    for (int i = 1024; i < N; i++) {
        iface_table_learn_host(t, &addrs[i]);
        learned[i] = true;
    }
    for (int i = 0; i < N; i++)
        g_assert_cmpint(iface_table_is_host(t, &addrs[i]), ==, learned[i]);
    iface_table_free(t);
}

static void test_addr_format(void)
{
    struct ip_addr a;
    char buf[ADDR_PORT_STRLEN];
    g_assert_true(addr_parse(&a, "2001:db8:1::10"));
    g_assert_cmpstr(addr_port_format(&a, 3478, buf, sizeof buf), ==, "[2001:db8:1::10]:3478");
    g_assert_true(addr_parse(&a, "203.0.113.2"));
    g_assert_cmpstr(addr_port_format(&a, 40000, buf, sizeof buf), ==, "203.0.113.2:40000");
    g_assert_false(addr_parse(&a, "203.0.113"));
}

/* ---- flow ---- */

static struct packet make_packet(const char *src, uint16_t sport, const char *dst, uint16_t dport, uint8_t proto)
{
    struct packet p;
    memset(&p, 0, sizeof p);
    g_assert_true(addr_parse(&p.src, src));
    g_assert_true(addr_parse(&p.dst, dst));
    p.ip_version = p.src.family;
    p.sport = sport;
    p.dport = dport;
    p.l4_proto = proto;
    return p;
}

static void test_flow_bidirectional(void)
{
    struct flow_table *t = flow_table_new(64, 60ull * 1000000000ull);
    struct packet out = make_packet("198.51.100.10", 40000, "203.0.113.10", 3478, 17);
    struct packet back = make_packet("203.0.113.10", 3478, "198.51.100.10", 40000, 17);
    int d1, d2;
    struct flow *f1 = flow_lookup(t, &out, 1000, true, &d1);
    struct flow *f2 = flow_lookup(t, &back, 2000, true, &d2);
    g_assert_nonnull(f1);
    g_assert_true(f1 == f2);
    g_assert_cmpint(d1, !=, d2);
    g_assert_cmpuint(f1->packets, ==, 2);
    g_assert_cmpuint(flow_table_stats(t).active, ==, 1);
    /* Another protocol on the same addresses is another flow. */
    struct packet tcp = make_packet("198.51.100.10", 40000, "203.0.113.10", 3478, 6);
    g_assert_true(flow_lookup(t, &tcp, 3000, true, &d1) != f1);
    g_assert_null(flow_lookup(t, &(struct packet){ 0 }, 3000, false, &d1));
    flow_table_free(t);
}

/* The key puts the memcmp()-smaller (address, port) first, and the
 * direction says whether the packet was turned round: random pairs of
 * addresses (sharing prefixes, so the second 8-byte half of IPv6 decides
 * too), equal addresses, and the byte orders a word compare could get
 * wrong (1.0.0.2 before 2.0.0.1). */
static void test_flow_key_order(void)
{
    struct flow_table *t = flow_table_new(4096, 60ull * 1000000000ull);
    GRand *rng = g_rand_new_with_seed(40000);
    for (int i = 0; i < 2000; i++) {
        struct packet p = make_packet("1.0.0.2", 1000, "2.0.0.1", 2000, 17);
        if (i % 2) {
            p.ip_version = 6;
            p.src.family = p.dst.family = 6;
            for (int b = 0; b < 16; b++)
                p.src.bytes[b] = p.dst.bytes[b] = (uint8_t)g_rand_int(rng);
            for (int k = g_rand_int_range(rng, 1, 4); k > 0; k--) /* one to three bytes differ */
                p.dst.bytes[g_rand_int_range(rng, 0, 16)] ^= (uint8_t)g_rand_int_range(rng, 0, 256);
        } else if (i > 0) {
            for (int b = 0; b < 4; b++)
                p.src.bytes[b] = p.dst.bytes[b] = (uint8_t)g_rand_int(rng);
            for (int k = g_rand_int_range(rng, 1, 4); k > 0; k--)
                p.dst.bytes[g_rand_int_range(rng, 0, 4)] ^= (uint8_t)g_rand_int_range(rng, 0, 256);
        }
        p.sport = (uint16_t)g_rand_int(rng);
        p.dport = (uint16_t)g_rand_int(rng);
        size_t alen = p.ip_version == 4 ? 4 : 16;
        int cmp = memcmp(p.src.bytes, p.dst.bytes, alen);
        int want_reverse = cmp > 0 || (cmp == 0 && p.sport > p.dport);
        int dir;
        struct flow *f = flow_lookup(t, &p, (uint64_t)i, true, &dir);
        g_assert_cmpint(dir, ==, want_reverse);
        g_assert_cmpmem(f->key.addr_lo, alen, want_reverse ? p.dst.bytes : p.src.bytes, alen);
        g_assert_cmpmem(f->key.addr_hi, alen, want_reverse ? p.src.bytes : p.dst.bytes, alen);
        g_assert_cmpuint(f->key.port_lo, ==, want_reverse ? p.dport : p.sport);
        g_assert_cmpuint(f->key.port_hi, ==, want_reverse ? p.sport : p.dport);
        g_assert_cmpuint(f->key.family, ==, p.ip_version);
    }
    g_rand_free(rng);
    flow_table_free(t);
}

/* The learned-host set (its hash is two words and a multiply): every
 * learned address is found, no other is, an IPv4 address is not the IPv6
 * one with the same leading bytes, forgetting works, and the cap holds. */
static void test_iface_host_set_random(void)
{
    struct iface_config cfg = { 0 };
    struct iface_table *t = iface_table_new(&cfg, NULL);
    GRand *rng = g_rand_new_with_seed(1024);
    struct ip_addr learned[1000], other[1000];
    for (int i = 0; i < 1000; i++) {
        memset(&learned[i], 0, sizeof learned[i]);
        learned[i].family = i % 3 ? 4 : 6;
        for (int b = 0; b < (learned[i].family == 4 ? 4 : 16); b++)
            learned[i].bytes[b] = (uint8_t)g_rand_int(rng);
        other[i] = learned[i];
        other[i].bytes[i % 4] ^= (uint8_t)g_rand_int_range(rng, 1, 256); /* differs from learned[i] */
        iface_table_learn_host(t, &learned[i]);
    }
    uint64_t not_learned, over;
    for (int i = 0; i < 1000; i++) {
        g_assert_true(iface_table_is_host(t, &learned[i]));
        struct ip_addr v6 = learned[i];
        v6.family = v6.family == 4 ? 6 : 4;
        if (v6.family == 4)
            memset(v6.bytes + 4, 0, 12);
        if (!iface_table_is_host(t, &v6)) /* the other family's twin, unless learned by chance */
            continue;
        bool twin_learned = false;
        for (int j = 0; j < 1000; j++)
            twin_learned |= learned[j].family == v6.family && memcmp(learned[j].bytes, v6.bytes, 16) == 0;
        g_assert_true(twin_learned);
    }
    for (int i = 0; i < 1000; i++) {
        bool is_learned = false;
        for (int j = 0; j < 1000; j++)
            is_learned |= learned[j].family == other[i].family && memcmp(learned[j].bytes, other[i].bytes, 16) == 0;
        g_assert_cmpint(iface_table_is_host(t, &other[i]), ==, is_learned);
    }
    iface_table_forget_host(t, &learned[7]);
    g_assert_false(iface_table_is_host(t, &learned[7]));
    g_assert_true(iface_table_is_host(t, &learned[8]));
    for (int i = 0; i < 100; i++) /* 999 + 100 > 1024: the last ones are counted, not kept */
        iface_table_learn_host(t, &other[i]);
    iface_table_cap_counts(t, &not_learned, &over);
    g_assert_cmpuint(not_learned, >, 0);
    g_rand_free(rng);
    iface_table_free(t);
}

static int evicted_count;
static void count_evict(struct flow *f, void *user)
{
    (void)f;
    (void)user;
    evicted_count++;
}

static void test_flow_cap_lru(void)
{
    struct flow_table *t = flow_table_new(100, UINT64_MAX / 4);
    flow_table_set_evict(t, count_evict, NULL);
    evicted_count = 0;
    char ip[32];
    int d;
    for (int i = 0; i < 1000; i++) {
        snprintf(ip, sizeof ip, "10.0.%d.%d", i / 256, i % 256);
        struct packet p = make_packet(ip, 1000, "192.0.2.1", 53, 17);
        g_assert_nonnull(flow_lookup(t, &p, (uint64_t)i, true, &d));
        /* Touch flow 0 every time: LRU must keep it. */
        struct packet keep = make_packet("10.0.0.0", 1000, "192.0.2.1", 53, 17);
        g_assert_nonnull(flow_lookup(t, &keep, (uint64_t)i, true, &d));
    }
    struct flow_stats s = flow_table_stats(t);
    g_assert_cmpuint(s.active, ==, 100);
    g_assert_cmpuint(s.peak, ==, 100);
    g_assert_cmpuint(s.evicted_cap, ==, 900);
    g_assert_cmpint(evicted_count, ==, 900);
    struct packet keep = make_packet("10.0.0.0", 1000, "192.0.2.1", 53, 17);
    struct flow *k = flow_lookup(t, &keep, 2000, false, &d);
    g_assert_nonnull(k);
    g_assert_cmpuint(k->packets, ==, 1 + 1000 + 1); /* insert, 1000 touches, this lookup */
    /* The most recent 99 others are all still found: the index survived 900 deletions. */
    for (int i = 901; i < 1000; i++) {
        snprintf(ip, sizeof ip, "10.0.%d.%d", i / 256, i % 256);
        struct packet p = make_packet(ip, 1000, "192.0.2.1", 53, 17);
        g_assert_nonnull(flow_lookup(t, &p, 2000, false, &d));
    }
    snprintf(ip, sizeof ip, "10.0.%d.%d", 500 / 256, 500 % 256);
    struct packet gone = make_packet(ip, 1000, "192.0.2.1", 53, 17);
    g_assert_null(flow_lookup(t, &gone, 2000, false, &d));
    flow_table_free(t);
}

static void test_flow_idle_expiry(void)
{
    const uint64_t sec = 1000000000ull;
    struct flow_table *t = flow_table_new(1000, 30 * sec);
    int d;
    struct packet a = make_packet("192.0.2.1", 1, "192.0.2.2", 2, 17);
    struct packet b = make_packet("192.0.2.3", 1, "192.0.2.4", 2, 17);
    flow_lookup(t, &a, 0, true, &d);
    flow_lookup(t, &b, 20 * sec, true, &d);
    flow_lookup(t, &b, 40 * sec, true, &d); /* a idle for 40 s: expired on this lookup */
    g_assert_null(flow_lookup(t, &a, 40 * sec, false, &d));
    g_assert_nonnull(flow_lookup(t, &b, 41 * sec, false, &d));
    g_assert_cmpuint(flow_table_stats(t).evicted_idle, ==, 1);
    flow_table_expire(t, UINT64_MAX);
    g_assert_cmpuint(flow_table_stats(t).active, ==, 0);
    flow_table_free(t);
}

/* ---- iface ---- */

static struct frame frame_on(int iface, int linktype)
{
    struct frame f;
    memset(&f, 0, sizeof f);
    f.iface = iface;
    f.linktype = linktype;
    return f;
}

static void test_iface_roles_by_name_and_link(void)
{
    static const struct { const char *name; enum iface_role role; } names[] = {
        { "wg0", IFACE_ROLE_VPN }, { "tun0", IFACE_ROLE_VPN }, { "utun3", IFACE_ROLE_VPN },
        { "ppp0", IFACE_ROLE_VPN }, { "nordlynx", IFACE_ROLE_VPN }, { "tailscale0", IFACE_ROLE_VPN },
        { "wg0-mullvad", IFACE_ROLE_VPN }, { "proton0", IFACE_ROLE_VPN }, { "eth0", IFACE_ROLE_PHYSICAL },
        { "en0", IFACE_ROLE_PHYSICAL }, { "wlan0", IFACE_ROLE_PHYSICAL }, { "lo", IFACE_ROLE_LOOPBACK },
        { "lo0", IFACE_ROLE_LOOPBACK },
    };
    for (size_t i = 0; i < G_N_ELEMENTS(names); i++)
        g_assert_cmpint(iface_role_from_name(names[i].name), ==, names[i].role);

    struct iface_config cfg = { 0 };
    struct iface_table *t = iface_table_new(&cfg, NULL);
    struct packet p = make_packet("192.0.2.1", 1, "192.0.2.2", 2, 17);
    /* SLL2: hatype NONE (tun/wireguard) is a VPN, ARPHRD_ETHER is not. */
    struct frame f = frame_on(0, 276);
    p.ifindex = 3;
    p.hatype = 0xfffe;
    struct iface *wg = iface_for_packet(t, &f, &p, NULL);
    g_assert_cmpstr(wg->name, ==, "if3");
    g_assert_cmpint(wg->role, ==, IFACE_ROLE_VPN);
    g_assert_cmpint(wg->role_source, ==, ROLE_BY_LINKTYPE);
    p.ifindex = 2;
    p.hatype = 1;
    struct iface *eth = iface_for_packet(t, &f, &p, NULL);
    g_assert_cmpint(eth->role, ==, IFACE_ROLE_PHYSICAL);
    g_assert_true(eth != wg);
    p.ifindex = 3;
    g_assert_true(iface_for_packet(t, &f, &p, NULL) == wg);
    /* A raw-IP pcapng interface with a neutral name is a tunnel by link type. */
    iface_table_declare(t, 5, "capture5", 101);
    struct frame raw = frame_on(5, 101);
    struct packet q = make_packet("192.0.2.1", 1, "192.0.2.2", 2, 17);
    g_assert_cmpint(iface_for_packet(t, &raw, &q, "capture5")->role, ==, IFACE_ROLE_VPN);
    iface_table_free(t);
}

static void test_iface_user_names(void)
{
    char *globs[] = { "corp*", NULL };
    char *map[] = { "2=eth0", "3=corpvpn", NULL };
    struct iface_config cfg = { .vpn_globs = globs, .ifname_map = map };
    GError *err = NULL;
    struct iface_table *t = iface_table_new(&cfg, &err);
    g_assert_no_error(err);
    struct frame f = frame_on(0, 276);
    struct packet p = make_packet("192.0.2.1", 1, "192.0.2.2", 2, 17);
    p.ifindex = 3;
    p.hatype = 1;
    struct iface *vpn = iface_for_packet(t, &f, &p, NULL);
    g_assert_cmpstr(vpn->name, ==, "corpvpn");
    g_assert_cmpint(vpn->role, ==, IFACE_ROLE_VPN);
    g_assert_cmpint(vpn->role_source, ==, ROLE_BY_USER);
    /* With --vpn-if, names like wg1 are no longer guessed to be the VPN. */
    p.ifindex = 9;
    p.hatype = 0xfffe;
    struct frame f2 = frame_on(1, 1);
    struct iface *other = iface_for_packet(t, &f2, &p, "wg1");
    g_assert_cmpint(other->role, ==, IFACE_ROLE_PHYSICAL);
    const char *what = NULL;
    g_assert_true(iface_table_vpn_up(t, 0, &what));
    iface_table_free(t);

    char *bad[] = { "eth0=2", NULL };
    struct iface_config badcfg = { .ifname_map = bad };
    g_assert_null(iface_table_new(&badcfg, &err));
    g_assert_nonnull(err);
    g_assert_nonnull(strstr(err->message, "INDEX=NAME"));
    g_clear_error(&err);
}

static void test_iface_vpn_by_evidence(void)
{
    const uint64_t sec = 1000000000ull;
    struct iface_config cfg = { 0 };
    struct iface_table *t = iface_table_new(&cfg, NULL);
    struct frame f = frame_on(0, 1);
    struct packet p = make_packet("198.51.100.10", 40000, "192.0.2.1", 51820, 17);
    struct iface *eth = iface_for_packet(t, &f, &p, NULL);
    g_assert_false(iface_table_vpn_up(t, 0, NULL));
    iface_note_vpn_transport(t, eth, "WireGuard", &p.dst, 51820, 10 * sec);
    const char *what = NULL;
    g_assert_true(iface_table_vpn_up(t, 11 * sec, &what));
    g_assert_nonnull(strstr(what, "WireGuard"));
    g_assert_true(iface_table_is_vpn_endpoint(t, &p.dst, 51820));
    g_assert_false(iface_table_is_vpn_endpoint(t, &p.dst, 53));
    /* Evidence fades when the tunnel goes quiet. */
    g_assert_false(iface_table_vpn_up(t, 1000 * sec, NULL));
    iface_table_free(t);
}

/* ---- verdict ---- */

struct verdict_case {
    const char *name;
    const char *iface;      /* interface name (role follows from it) */
    bool vpn_elsewhere;     /* a wg0 interface exists */
    enum direction dir;
    const char *dst;
    enum event_kind kind;
    bool response;
    bool mdns;
    bool require_vpn;
    enum verdict want;
    enum severity want_sev;
};

static void run_verdict_case(const struct verdict_case *vc)
{
    struct iface_config cfg = { 0 };
    struct iface_table *t = iface_table_new(&cfg, NULL);
    struct frame f = frame_on(0, 1);
    struct packet p = make_packet("198.51.100.10", 40000, vc->dst, 53, 17);
    if (vc->vpn_elsewhere) {
        struct frame fw = frame_on(1, 101);
        iface_for_packet(t, &fw, &p, "wg0");
    }
    struct iface *ifc = iface_for_packet(t, &f, &p, vc->iface);
    struct stun_message stun = { 0 };
    struct dns_message dns = { 0 };
    struct dtls_message dtls = { 0 };
    struct event ev = { 0 };
    ev.kind = vc->kind;
    ev.iface = ifc;
    ev.dir = vc->dir;
    ev.src = p.src;
    ev.dst = p.dst;
    ev.dport = 53;
    stun.cls = vc->response ? STUN_CLASS_SUCCESS : STUN_CLASS_REQUEST;
    stun.method = STUN_METHOD_BINDING;
    if (vc->response) {
        stun.xor_mapped.family = 4;
        memcpy(stun.xor_mapped.bytes, (uint8_t[]){ 203, 0, 113, 2 }, 4);
        stun.xor_mapped.port = 40000;
    }
    dns.is_response = vc->response;
    dns.flavor = vc->mdns ? DNS_FLAVOR_MDNS : DNS_FLAVOR_DNS;
    dtls.hello.present = true;
    dtls.hello.handshake_type = DTLS_HS_CLIENT_HELLO;
    ev.stun = &stun;
    ev.dns = &dns;
    ev.dtls = &dtls;
    ev.encrypted_dns_proto = "DoT";
    struct verdict_config vcfg = { .require_vpn = vc->require_vpn };
    verdict_judge(&vcfg, t, &ev);
    if (ev.verdict != vc->want || ev.severity != vc->want_sev)
        g_error("%s: got %s/%s, want %s/%s (%s)", vc->name, verdict_name(ev.verdict), severity_name(ev.severity),
                verdict_name(vc->want), severity_name(vc->want_sev), ev.reason ? ev.reason : "");
    if (vc->want == VERDICT_EXPOSURE) {
        char buf[ADDR_STRLEN];
        g_assert_true(ev.has_exposed);
        g_assert_cmpstr(addr_format(&ev.exposed, buf, sizeof buf), ==, "203.0.113.2");
    }
    iface_table_free(t);
}

static void test_verdict_policy(void)
{
    static const struct verdict_case cases[] = {
        { "dns out eth0, vpn up", "eth0", true, DIR_OUT, "203.0.113.53", EVENT_DNS, false, false, false, VERDICT_LEAK, SEVERITY_HIGH },
        { "dns to LAN resolver", "eth0", true, DIR_OUT, "192.168.1.1", EVENT_DNS, false, false, false, VERDICT_LEAK, SEVERITY_HIGH },
        { "dns in wg0", "wg0", true, DIR_OUT, "203.0.113.53", EVENT_DNS, false, false, false, VERDICT_INSIDE_VPN, SEVERITY_NONE },
        { "dns no vpn", "eth0", false, DIR_OUT, "203.0.113.53", EVENT_DNS, false, false, false, VERDICT_NO_VPN, SEVERITY_NONE },
        { "dns no vpn, required", "eth0", false, DIR_OUT, "203.0.113.53", EVENT_DNS, false, false, true, VERDICT_LEAK, SEVERITY_HIGH },
        { "mdns", "eth0", true, DIR_OUT, "224.0.0.251", EVENT_DNS, false, true, false, VERDICT_LOCAL, SEVERITY_NONE },
        { "llmnr v6 multicast", "eth0", true, DIR_OUT, "ff02::1:3", EVENT_DNS, false, false, false, VERDICT_LOCAL, SEVERITY_NONE },
        { "loopback resolver", "lo", true, DIR_OUT, "127.0.0.53", EVENT_DNS, false, false, false, VERDICT_LOCAL, SEVERITY_NONE },
        { "query arriving", "eth0", true, DIR_IN, "198.51.100.10", EVENT_DNS, false, false, false, VERDICT_INBOUND, SEVERITY_NONE },
        { "stun public", "eth0", true, DIR_OUT, "203.0.113.10", EVENT_STUN, false, false, false, VERDICT_LEAK, SEVERITY_HIGH },
        { "stun LAN ice", "eth0", true, DIR_OUT, "192.168.1.20", EVENT_STUN, false, false, false, VERDICT_LEAK, SEVERITY_LOW },
        { "stun response eth0", "eth0", true, DIR_IN, "198.51.100.10", EVENT_STUN, true, false, false, VERDICT_EXPOSURE, SEVERITY_HIGH },
        { "stun response wg0", "wg0", true, DIR_IN, "198.51.100.10", EVENT_STUN, true, false, false, VERDICT_RESPONSE, SEVERITY_NONE },
        { "stun response no vpn", "eth0", false, DIR_IN, "198.51.100.10", EVENT_STUN, true, false, false, VERDICT_RESPONSE, SEVERITY_NONE },
        { "dtls public", "eth0", true, DIR_OUT, "203.0.113.10", EVENT_DTLS, false, false, false, VERDICT_LEAK, SEVERITY_MEDIUM },
        { "dot", "eth0", true, DIR_OUT, "203.0.113.53", EVENT_ENCRYPTED_DNS, false, false, false, VERDICT_LEAK, SEVERITY_MEDIUM },
    };
    for (size_t i = 0; i < G_N_ELEMENTS(cases); i++)
        run_verdict_case(&cases[i]);
}

/* ---- json ---- */

static void test_json_escaping(void)
{
    GString *s = g_string_new(NULL);
    struct json_writer w;
    json_begin(&w, s);
    json_object_begin(&w, NULL);
    json_strn(&w, "q", "a\"b\\c\n\x01\xff\xc3\xa9", 10);
    json_array_begin(&w, "l");
    json_uint(&w, NULL, 1);
    json_bool(&w, NULL, true);
    json_str(&w, NULL, NULL);
    json_array_end(&w);
    json_object_end(&w);
    g_assert_cmpstr(s->str, ==, "{\"q\":\"a\\\"b\\\\c\\n\\u0001\\ufffd\xc3\xa9\",\"l\":[1,true,null]}");
    g_assert_true(g_utf8_validate(s->str, -1, NULL));
    g_string_free(s, TRUE);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/addr/classify", test_addr_classify);
    g_test_add_func("/addr/classify-like-table", test_addr_classify_like_table);
    g_test_add_func("/addr/format", test_addr_format);
    g_test_add_func("/flow/bidirectional", test_flow_bidirectional);
    g_test_add_func("/flow/key-order", test_flow_key_order);
    g_test_add_func("/flow/cap-lru", test_flow_cap_lru);
    g_test_add_func("/flow/idle-expiry", test_flow_idle_expiry);
    g_test_add_func("/iface/roles", test_iface_roles_by_name_and_link);
    g_test_add_func("/iface/host-set", test_iface_host_set);
    g_test_add_func("/iface/user-names", test_iface_user_names);
    g_test_add_func("/iface/vpn-by-evidence", test_iface_vpn_by_evidence);
    g_test_add_func("/iface/host-set-random", test_iface_host_set_random);
    g_test_add_func("/verdict/policy", test_verdict_policy);
    g_test_add_func("/json/escaping", test_json_escaping);
    return g_test_run();
}
