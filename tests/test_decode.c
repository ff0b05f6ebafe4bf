/* test_decode.c — the link/IP/transport decoder (decode.c).
 *
 * Real frames of every link type the corpus has, read with our own capture
 * readers, against the values tshark 4.0 shows for them (ip.src, udp.srcport,
 * sll.ifindex, sll.pkttype, sll.hatype, vlan.id, nflog.hook, pktap flags, …);
 * synthetic frames for IPv6 extension headers, fragments and each link
 * header variant; and every prefix of a few frames, which must decode to
 * MALFORMED or a clipped payload without reading past the bytes given.
 */
#include <glib.h>
#include <string.h>

#include "decode.h"
#include "packet_same.h"
#include "source.h"
#include "testutil.h"

enum { ANY = -1 };

struct corpus_case {
    const char *file;
    unsigned frame;
    enum decode_status status;
    const char *src, *dst;  /* NULL: no IP layer */
    int l4_proto;
    uint16_t sport, dport;
    int ttl;                /* ip.ttl / ipv6.hlim */
    int payload_len;        /* udp.length - 8, tcp.len; ANY: not checked */
    int ifindex;            /* sll.ifindex */
    int hatype;             /* sll.hatype */
    enum direction dir;     /* sll.pkttype, nflog.hook, pktap flags */
    int vlan;               /* outermost tag */
    int64_t tcp_seq;        /* tcp.seq_raw; ANY: not checked */
    int tcp_flags;          /* ANY: not checked */
    bool first_fragment;
};

#define SV "suricata-verify/tests/"
#define PPP_PKT "PcapPlusPlus/Tests/Packet++Test/PacketExamples/"
#define PPP_PCAP "PcapPlusPlus/Tests/Pcap++Test/PcapExamples/"
#define SYN "arkime/tests/pcap/arkime_synthetic.pcap"

/* Every row's values come from `tshark -r FILE -Y frame.number==N -T fields`. */
static const struct corpus_case corpus_cases[] = {
    /* LINUX_SLL2 */
    { SV "decode-sll2-01/input.pcap", 1, DECODE_OK, "192.168.1.253", "192.168.1.21", 6, 56478, 80, 64, 0, 2, 1,
      DIR_OUT, 0, 2332771219, 0x02, false },
    { SV "decode-sll2-01/input.pcap", 2, DECODE_OK, "192.168.1.21", "192.168.1.253", 6, 80, 56478, 64, 0, 2, 1,
      DIR_IN, 0, 845479108, 0x12, false },
    { SV "decode-sll2-01/input.pcap", 4, DECODE_OK, "192.168.1.253", "192.168.1.21", 6, 56478, 80, 64, 82, 2, 1,
      DIR_OUT, 0, 2332771220, 0x18, false },
    { PPP_PKT "Sll2Packet.pcap", 1, DECODE_OK, "7.249.151.114", "116.63.66.108", 6, 57292, 443, 64, 0, 20, 1, DIR_OUT,
      0, 2813042623, 0x10, false },
    { PPP_PKT "Sll2PacketLLC.pcap", 1, DECODE_NOT_IP, NULL, NULL, 0, 0, 0, 0, ANY, 3, 1, DIR_IN, 0, ANY, ANY,
      false },
    { PPP_PCAP "sll2.pcap", 1, DECODE_OK, "116.63.66.108", "7.249.151.114", 6, 443, 57292, 44, 31, 20, 1, DIR_IN, 0,
      2865673674, 0x18, false },
    { "zeek/testing/btest/Traces/linux_dlt_sll2.pcap", 1, DECODE_OK, "192.0.2.1", "192.0.2.1", 1, 0, 0, 64, 0, 1,
      772, DIR_IN, 0, ANY, ANY, false },
    { "zeek/testing/btest/Traces/linux_dlt_sll2.pcap", 3, DECODE_OK, "fe80::8c36:6ff:fe44:acaf",
      "fe80::8c36:6ff:fe44:acaf", 58, 0, 0, 64, 0, 1, 772, DIR_IN, 0, ANY, ANY, false },
    { "zeek/testing/btest/Traces/linux_dlt_sll2.pcap", 5, DECODE_NOT_IP, NULL, NULL, 0, 0, 0, 0, ANY, 26, 1, DIR_OUT,
      0, ANY, ANY, false },
    { "mercury/unit_tests/pcaps/sll2_tls.pcap", 1, DECODE_OK, "172.31.84.252", "54.186.175.150", 6, 49818, 443, 64,
      517, 2, 1, DIR_OUT, 0, 2852785352, 0x18, false },
    /* LINUX_SLL */
    /* tcp.len 1208, but only 128 bytes were captured: 40 of payload are there */
    { PPP_PKT "SllPacket.pcap", 1, DECODE_OK, "2404:6800:8004::68", "2404:138:4002:4000:230:48ff:fedd:53", 6, 80,
      50243, 55, 40, 0, 1, DIR_IN, 0, 1458244160, 0x10, false },
    { PPP_PCAP "sll.pcap", 1, DECODE_OK, "10.0.0.138", "10.0.0.255", 17, 520, 520, 64, 64, 0, 1, DIR_IN, 0, ANY, ANY,
      false },
    { PPP_PCAP "sll.pcap", 2, DECODE_OK, "127.0.0.1", "127.0.0.1", 17, 49725, 53, 64, 34, 0, 772, DIR_IN, 0, ANY, ANY,
      false },
    { PPP_PCAP "sll.pcap", 100, DECODE_OK, "212.199.202.69", "10.0.0.8", 6, 80, 40800, 58, 1388, 0, 1, DIR_IN, 0,
      1163136508, 0x10, false },
    /* NULL (pcapng and pcap); frame 3 carries an ethertype instead of a family */
    { PPP_PKT "NullLoopback.pcap", 1, DECODE_OK, "::1", "::1", 6, 49888, 81, 64, 403, 0, 0, DIR_UNKNOWN, 0,
      1482536582, 0x18, false },
    { PPP_PKT "NullLoopback.pcap", 3, DECODE_OK, "10.0.0.138", "10.0.0.1", 17, 53, 58125, 64, 365, 0, 0, DIR_UNKNOWN,
      0, ANY, ANY, false },
    { PPP_PCAP "null_loopback.pcap", 3, DECODE_OK, "10.0.0.138", "10.0.0.1", 17, 53, 58125, 64, 365, 0, 0,
      DIR_UNKNOWN, 0, ANY, ANY, false },
    { "tcpdump/tests/dns-badcookie.pcap", 1, DECODE_OK, "127.0.0.1", "127.0.0.1", 17, 54954, 53, 64, 40, 0, 0,
      DIR_UNKNOWN, 0, ANY, ANY, false },
    /* IPV4 (228), IPV6 (229), RAW */
    { PPP_PCAP "linktype_ipv4.pcap", 1, DECODE_OK, "10.0.0.1", "10.0.0.138", 17, 58121, 53, 128, 32, 0, 0,
      DIR_UNKNOWN, 0, ANY, ANY, false },
    { PPP_PCAP "linktype_ipv6.pcap", 1, DECODE_OK, "2001:618:400::5199:cc70", "2001:618:1:8000::5", 6, 35995, 80, 64,
      0, 0, 0, DIR_UNKNOWN, 0, 1793525558, 0x02, false },
    { PPP_PCAP "raw_ip.pcap", 2, DECODE_OK, "2001:618:1:8000::5", "2001:618:400::5199:cc70", 6, 80, 35995, 62, 0, 0,
      0, DIR_UNKNOWN, 0, 3102676802, 0x12, false },
    { "tcpdump/tests/LINKTYPE_IPV4.pcap", 1, DECODE_OK, "192.168.1.100", "9.9.9.9", 17, 12345, 53, 64, 29, 0, 0,
      DIR_UNKNOWN, 0, ANY, ANY, false },
    { "tcpdump/tests/LINKTYPE_IPV6.pcap", 1, DECODE_OK, "2001:db8::1", "2620:fe::9", 17, 12345, 53, 64, 29, 0, 0,
      DIR_UNKNOWN, 0, ANY, ANY, false },
    { "tcpdump/tests/LINKTYPE_RAW_ipv4.pcap", 1, DECODE_OK, "192.168.1.100", "9.9.9.9", 17, 12345, 53, 64, 29, 0, 0,
      DIR_UNKNOWN, 0, ANY, ANY, false },
    { "tcpdump/tests/LINKTYPE_RAW_ipv6.pcap", 1, DECODE_OK, "2001:db8::1", "2620:fe::9", 17, 12345, 53, 64, 29, 0, 0,
      DIR_UNKNOWN, 0, ANY, ANY, false },
    /* IPv6 in LINKTYPE_IPV4: tshark decodes it; IPv4 in LINKTYPE_IPV6: tshark calls it bogus */
    { "tcpdump/tests/LINKTYPE_IPV4_invalid.pcap", 1, DECODE_OK, "2001:db8::1", "2620:fe::9", 17, 12345, 53, 64, 29,
      0, 0, DIR_UNKNOWN, 0, ANY, ANY, false },
    { "tcpdump/tests/LINKTYPE_IPV6_invalid.pcap", 1, DECODE_MALFORMED, NULL, NULL, 0, 0, 0, 0, ANY, 0, 0, DIR_UNKNOWN,
      0, ANY, ANY, false },
    { SV "linktype-228/flow-test-01.pcap", 1, DECODE_OK, "192.168.0.2", "192.168.0.1", 6, 15057, 443, 64, 0, 0, 0,
      DIR_UNKNOWN, 0, 10, 0x02, false },
    /* PPP: a fuzzed protocol number tshark shows as data; fragments (protocol-field compression) */
    { "tcpdump/tests/ppp_ip_udp_dns.pcap", 1, DECODE_NOT_IP, NULL, NULL, 0, 0, 0, 0, ANY, 0, 0, DIR_UNKNOWN, 0, ANY,
      ANY, false },
    { SV "defrag/bug-6887-defrag-ppp-ipv4-tcp-syn/frag-ppp-ip-tcp-syn.pcap", 1, DECODE_FRAGMENT, "1.1.1.1", "2.2.2.2",
      6, 0, 0, 64, ANY, 0, 0, DIR_UNKNOWN, 0, ANY, ANY, true },
    { SV "defrag/bug-6887-defrag-ppp-ipv4-tcp-syn/frag-ppp-ip-tcp-syn.pcap", 3, DECODE_FRAGMENT, "1.1.1.1", "2.2.2.2",
      6, 0, 0, 64, ANY, 0, 0, DIR_UNKNOWN, 0, ANY, ANY, false },
    /* NFLOG: hook 1 (local in), hook 3 (local out) */
    { "tcpdump/tests/nflog.pcap", 1, DECODE_OK, "74.82.42.42", "10.0.0.20", 17, 53, 42585, 55, 45, 0, 0, DIR_IN, 0,
      ANY, ANY, false },
    { PPP_PKT "nflogPacket.pcap", 1, DECODE_OK, "10.0.2.15", "10.0.2.3", 17, 42306, 53, 64, 33, 0, 0, DIR_OUT, 0, ANY,
      ANY, false },
    { "arkime/tests/pcap/nflog.pcap", 1, DECODE_OK, "10.10.10.10", "52.43.228.156", 6, 54064, 80, 64, 0, 0, 0,
      DIR_OUT, 0, 4058668159, 0x02, false },
    /* PKTAP: header flags 0x2 (outgoing), inner DLT 1 */
    { "tcpdump/tests/LINKTYPE_PKTAP.pcap", 1, DECODE_OK, "10.32.4.27", "10.32.100.15", 17, 63538, 53, 255, 32, 0, 0,
      DIR_OUT, 0, ANY, ANY, false },
    /* Ethernet variants */
    { SYN, 1, DECODE_OK, "10.0.1.1", "10.0.1.2", 6, 50001, 80, 64, 0, 0, 0, DIR_UNKNOWN, 0, 1000, 0x02, false },
    { SYN, 12, DECODE_OK, "2001:db8::1", "2001:db8::2", 6, 50002, 80, 64, 0, 0, 0, DIR_UNKNOWN, 0, 1000, 0x02, false },
    { SYN, 221, DECODE_OK, "10.0.1.100", "10.0.1.1", 17, 12345, 53, 64, 29, 0, 0, DIR_UNKNOWN, 0, ANY, ANY, false },
    { SYN, 243, DECODE_OK, "10.0.7.100", "10.0.7.1", 1, 0, 0, 64, 0, 0, 0, DIR_UNKNOWN, 0, ANY, ANY, false },
    { SYN, 245, DECODE_NOT_IP, NULL, NULL, 0, 0, 0, 0, ANY, 0, 0, DIR_UNKNOWN, 0, ANY, ANY, false },  /* ARP */
    /* GRE: the packet inside (tshark's second ip.src/ip.dst) */
    { SYN, 283, DECODE_OK, "192.168.1.1", "192.168.1.2", 1, 0, 0, 64, 0, 0, 0, DIR_UNKNOWN, 0, ANY, ANY, false },
    { SYN, 291, DECODE_NOT_IP, NULL, NULL, 0, 0, 0, 0, ANY, 0, 0, DIR_UNKNOWN, 0, ANY, ANY, false },  /* LLDP */
    { SYN, 301, DECODE_NOT_IP, NULL, NULL, 0, 0, 0, 0, ANY, 0, 0, DIR_UNKNOWN, 0, ANY, ANY, false },  /* 802.3 LLC */
    { SYN, 302, DECODE_OK, "10.0.32.100", "10.0.32.1", 51, 0, 0, 64, 0, 0, 0, DIR_UNKNOWN, 0, ANY, ANY, false }, /* AH */
    { SYN, 303, DECODE_OK, "10.0.33.100", "10.0.33.1", 50, 0, 0, 64, 40, 0, 0, DIR_UNKNOWN, 0, ANY, ANY, false }, /* ESP */
    { SYN, 314, DECODE_OK, "192.168.9.1", "192.168.9.2", 1, 0, 0, 64, 0, 0, 0, DIR_UNKNOWN, 0, ANY, ANY, false }, /* PPPoE */
    { SYN, 512, DECODE_OK, "10.5.1.100", "10.5.1.1", 1, 0, 0, 64, 0, 0, 0, DIR_UNKNOWN, 100, ANY, ANY, false },
    /* QinQ: ieee8021ad.id 200 outside vlan.id 300 */
    { SYN, 513, DECODE_OK, "10.5.2.100", "10.5.2.1", 1, 0, 0, 64, 0, 0, 0, DIR_UNKNOWN, 200, ANY, ANY, false },
    { SYN, 620, DECODE_OK, "2001:db8:dc::100", "2001:db8:dc::200", 17, 546, 547, 64, 56, 0, 0, DIR_UNKNOWN, 0, ANY,
      ANY, false },
    /* UDP length 0 ("bogus, must be >= 8") */
    { SYN, 818, DECODE_MALFORMED, "10.9.8.1", "10.9.8.2", 17, 40100, 9999, 64, ANY, 0, 0, DIR_UNKNOWN, 0, ANY, ANY,
      false },
    /* IPv6 destination options, then IPv4-in-IPv6: the packet inside (tshark's ip.*, udp.*) */
    { SYN, 914, DECODE_OK, "10.9.10.1", "10.9.10.2", 17, 40200, 40201, 64, 8, 0, 0, DIR_UNKNOWN, 0, ANY, ANY,
      false },
    /* IPv4 fragments: ports of the first (tshark shows them on the reassembled last) */
    { "nDPI/tests/cfgs/default/pcap/dns_fragmented.pcap", 2, DECODE_OK, "193.24.227.238", "172.217.40.76", 17, 53,
      56680, 64, 1472, 0, 0, DIR_UNKNOWN, 0, ANY, ANY, true },
    { "nDPI/tests/cfgs/default/pcap/dns_fragmented.pcap", 3, DECODE_FRAGMENT, "193.24.227.238", "172.217.40.76", 17,
      0, 0, 64, ANY, 0, 0, DIR_UNKNOWN, 0, ANY, ANY, false },
    /* IPv6 fragment headers: offset 362 (non-first), offset 0 with M (first) */
    { "zeek/testing/btest/Traces/ipv6-fragmented-dns.pcap", 4, DECODE_FRAGMENT, "2607:f740:b::f93",
      "2001:470:1f11:81f:d138:5f55:6d4:1fe2", 17, 0, 0, 53, ANY, 0, 0, DIR_UNKNOWN, 0, ANY, ANY, false },
    { "zeek/testing/btest/Traces/ipv6-fragmented-dns.pcap", 6, DECODE_OK, "2607:f740:b::f93",
      "2001:470:1f11:81f:d138:5f55:6d4:1fe2", 17, 53, 51851, 53, ANY, 0, 0, DIR_UNKNOWN, 0, ANY, ANY, true },
};

/* decode_frame, checked against decode_frame_general: its fast path must
 * give the very packet the general decoders give. */
static enum decode_status decode_checked(const struct frame *f, struct packet *p)
{
    enum decode_status st = decode_frame(f, p);
    struct packet general;
    enum decode_status general_st = decode_frame_general(f, &general);
    const char *differs = packet_difference(p, &general);
    if (st != general_st || differs)
        g_error("frame %" G_GUINT64_FORMAT " (link type %d, %u bytes): decode_frame %s, general %s; %s differs",
                f->number, f->linktype, f->caplen, decode_status_name(st), decode_status_name(general_st),
                differs ? differs : "status");
    return st;
}

/* Opens rel and advances to frame n; the frame stays valid until *src closes. */
static bool corpus_frame(const char *rel, unsigned n, struct capture_source **src, struct frame *f)
{
    gchar *path = test_corpus_path(rel);
    if (!path)
        return false;
    GError *err = NULL;
    *src = source_open_file(path, &err);
    g_assert_no_error(err);
    g_free(path);
    for (unsigned i = 0; i < n; i++)
        g_assert_cmpint(source_next(*src, f, &err), ==, SOURCE_FRAME);
    g_assert_cmpuint(f->number, ==, n);
    return true;
}

static void check_addr(const struct ip_addr *a, const char *want, const char *what, const struct corpus_case *c)
{
    char buf[ADDR_STRLEN];
    addr_format(a, buf, sizeof buf);
    if (strcmp(buf, want) != 0)
        g_error("%s frame %u: %s %s, tshark %s", c->file, c->frame, what, buf, want);
}

static void test_corpus_frames(void)
{
    TEST_NEED_CORPUS(probe, "MANIFEST.tsv");
    g_free(probe);
    for (size_t i = 0; i < G_N_ELEMENTS(corpus_cases); i++) {
        const struct corpus_case *c = &corpus_cases[i];
        struct capture_source *src;
        struct frame f;
        if (!corpus_frame(c->file, c->frame, &src, &f))
            g_error("%s missing from the corpus", c->file);
        struct packet p;
        enum decode_status st = decode_checked(&f, &p);
        if (st != c->status)
            g_error("%s frame %u: %s, want %s", c->file, c->frame, decode_status_name(st),
                    decode_status_name(c->status));
        g_assert_true(p.frame == &f);
        if (c->src) {
            check_addr(&p.src, c->src, "src", c);
            check_addr(&p.dst, c->dst, "dst", c);
            g_assert_cmpint(p.ip_version, ==, strchr(c->src, ':') ? 6 : 4);
            g_assert_cmpint(p.l4_proto, ==, c->l4_proto);
            g_assert_cmpint(p.ttl, ==, c->ttl);
            g_assert_cmpint(p.first_fragment, ==, c->first_fragment);
            /* l3 starts at the IP header */
            g_assert_cmpint(cursor_peek_u8(&p.l3, 0) >> 4, ==, p.ip_version);
        } else {
            g_assert_cmpint(p.ip_version, ==, 0);
        }
        if (st == DECODE_OK || st == DECODE_MALFORMED) {
            g_assert_cmpuint(p.sport, ==, c->sport);
            g_assert_cmpuint(p.dport, ==, c->dport);
        }
        if (c->payload_len != ANY)
            g_assert_cmpuint(cursor_left(&p.payload), ==, (size_t)c->payload_len);
        if (c->tcp_seq != ANY)
            g_assert_cmpuint(p.tcp_seq, ==, (uint32_t)c->tcp_seq);
        if (c->tcp_flags != ANY)
            g_assert_cmpuint(p.tcp_flags, ==, (unsigned)c->tcp_flags);
        g_assert_cmpint(p.ifindex, ==, c->ifindex);
        g_assert_cmpuint(p.hatype, ==, (unsigned)c->hatype);
        if (p.dir != c->dir)
            g_error("%s frame %u: direction %d, want %d", c->file, c->frame, p.dir, c->dir);
        g_assert_cmpuint(p.vlan, ==, (unsigned)c->vlan);
        source_close(src);
    }
}

/* ---- synthetic frames ---- */

static GByteArray *bytes_new(void)
{
    return g_byte_array_new();
}

static void add(GByteArray *b, const void *p, size_t n)
{
    g_byte_array_append(b, p, (guint)n);
}

static void add8(GByteArray *b, uint8_t v)
{
    add(b, &v, 1);
}

static void add16(GByteArray *b, uint16_t v)
{
    uint8_t x[2] = { v >> 8, v & 0xff };
    add(b, x, 2);
}

static void add32(GByteArray *b, uint32_t v)
{
    add16(b, v >> 16);
    add16(b, v & 0xffff);
}

static const uint8_t v6_src[16] = { 0x20, 0x01, 0x0d, 0xb8, [15] = 1 };
static const uint8_t v6_dst[16] = { 0x20, 0x01, 0x0d, 0xb8, [15] = 2 };

static void add_ipv6_header(GByteArray *b, uint16_t payload_len, uint8_t next)
{
    add32(b, 0x60000000);
    add16(b, payload_len);
    add8(b, next);
    add8(b, 61);
    add(b, v6_src, 16);
    add(b, v6_dst, 16);
}

static void add_udp(GByteArray *b, uint16_t sport, uint16_t dport, const char *payload)
{
    add16(b, sport);
    add16(b, dport);
    add16(b, (uint16_t)(8 + strlen(payload)));
    add16(b, 0);
    add(b, payload, strlen(payload));
}

/* hop-by-hop (8) → routing (24) → destination options (8) → fragment → UDP */
static GByteArray *ipv6_chain(uint16_t frag_offset_flags)
{
    GByteArray *b = bytes_new();
    const char *msg = "abcd";
    uint16_t plen = 8 + 24 + 8 + 8 + 8 + (uint16_t)strlen(msg);
    add_ipv6_header(b, plen, 0);
    add8(b, 43), add8(b, 0), add16(b, 0), add32(b, 0);                 /* hop-by-hop, 8 bytes */
    add8(b, 60), add8(b, 2), add16(b, 0), add32(b, 0);                 /* routing, (2+1)*8 = 24 */
    for (int i = 0; i < 16; i++)
        add8(b, 0);
    add8(b, 44), add8(b, 0), add16(b, 0), add32(b, 0);                 /* destination options, 8 */
    add8(b, 17), add8(b, 0), add16(b, frag_offset_flags), add32(b, 7); /* fragment */
    add_udp(b, 5353, 53, msg);
    return b;
}

static enum decode_status decode_bytes(int linktype, const GByteArray *b, enum direction frame_dir,
                                       struct frame *f, struct packet *p)
{
    memset(f, 0, sizeof *f);
    f->linktype = linktype;
    f->data = b->data;
    f->caplen = f->wirelen = b->len;
    f->dir = frame_dir;
    return decode_checked(f, p);
}

enum { LT_NULL = 0, LT_EN10MB = 1, LT_PPP = 9, LT_PPP_HDLC = 50, LT_RAW = 101, LT_LOOP = 108, LT_SLL = 113,
       LT_IPV4 = 228, LT_IPV6 = 229, LT_SLL2 = 276 };

static void test_ipv6_extension_headers(void)
{
    struct frame f;
    struct packet p;
    /* first fragment (offset 0, M set): decoded */
    GByteArray *b = ipv6_chain(0x0001);
    g_assert_cmpint(decode_bytes(LT_RAW, b, DIR_UNKNOWN, &f, &p), ==, DECODE_OK);
    g_assert_cmpint(p.ip_version, ==, 6);
    g_assert_cmpint(p.l4_proto, ==, 17);
    g_assert_true(p.first_fragment);
    g_assert_cmpuint(p.sport, ==, 5353);
    g_assert_cmpuint(p.dport, ==, 53);
    g_assert_cmpint(p.ttl, ==, 61);
    g_assert_cmpmem(cursor_view(&p.payload, 4), cursor_left(&p.payload), "abcd", 4);
    g_assert_cmpuint(cursor_left(&p.l3), ==, b->len);
    /* atomic fragment (offset 0, no M): decoded, not a fragment */
    g_byte_array_free(b, TRUE);
    b = ipv6_chain(0x0000);
    g_assert_cmpint(decode_bytes(LT_RAW, b, DIR_UNKNOWN, &f, &p), ==, DECODE_OK);
    g_assert_false(p.first_fragment);
    /* a later fragment: counted, not decoded */
    g_byte_array_free(b, TRUE);
    b = ipv6_chain(185 << 3);
    g_assert_cmpint(decode_bytes(LT_RAW, b, DIR_UNKNOWN, &f, &p), ==, DECODE_FRAGMENT);
    g_assert_cmpint(p.l4_proto, ==, 17);
    g_assert_cmpuint(p.sport, ==, 0);
    /* the chain cut inside the routing header */
    g_byte_array_set_size(b, 40 + 8 + 10);
    g_assert_cmpint(decode_bytes(LT_RAW, b, DIR_UNKNOWN, &f, &p), ==, DECODE_MALFORMED);
    g_byte_array_free(b, TRUE);

    /* AH: (len + 2) * 4 bytes, then TCP */
    b = bytes_new();
    add_ipv6_header(b, 24 + 20, 51);
    add8(b, 6), add8(b, 4), add16(b, 0);
    for (int i = 0; i < 20; i++)
        add8(b, 0xaa);
    add16(b, 40000), add16(b, 443), add32(b, 77), add32(b, 0), add8(b, 5 << 4), add8(b, 0x02), add16(b, 0),
        add32(b, 0);
    g_assert_cmpint(decode_bytes(LT_RAW, b, DIR_UNKNOWN, &f, &p), ==, DECODE_OK);
    g_assert_cmpint(p.l4_proto, ==, 6);
    g_assert_cmpuint(p.sport, ==, 40000);
    g_assert_cmpuint(p.tcp_seq, ==, 77);
    g_assert_cmpuint(p.tcp_flags, ==, TCP_SYN);
    g_byte_array_free(b, TRUE);

    /* ESP stops the walk: the payload is the ESP bytes */
    b = bytes_new();
    add_ipv6_header(b, 8 + 12, 60);
    add8(b, 50), add8(b, 0), add16(b, 0), add32(b, 0);
    add32(b, 0x1234), add32(b, 1), add32(b, 0xdeadbeef);
    g_assert_cmpint(decode_bytes(LT_IPV6, b, DIR_UNKNOWN, &f, &p), ==, DECODE_OK);
    g_assert_cmpint(p.l4_proto, ==, 50);
    g_assert_cmpuint(cursor_left(&p.payload), ==, 12);
    g_assert_cmpuint(cursor_u32be(&p.payload), ==, 0x1234);
    g_byte_array_free(b, TRUE);

    /* no next header */
    b = bytes_new();
    add_ipv6_header(b, 0, 59);
    g_assert_cmpint(decode_bytes(LT_RAW, b, DIR_UNKNOWN, &f, &p), ==, DECODE_OK);
    g_assert_cmpint(p.l4_proto, ==, 59);
    g_assert_cmpuint(cursor_left(&p.payload), ==, 0);
    g_byte_array_free(b, TRUE);

    /* nine destination-options headers: beyond the cap */
    b = bytes_new();
    add_ipv6_header(b, 9 * 8 + 8, 60);
    for (int i = 0; i < 9; i++)
        add8(b, i < 8 ? 60 : 17), add8(b, 0), add16(b, 0), add32(b, 0);
    add_udp(b, 1, 2, "");
    g_assert_cmpint(decode_bytes(LT_RAW, b, DIR_UNKNOWN, &f, &p), ==, DECODE_MALFORMED);
    g_byte_array_free(b, TRUE);
}

static GByteArray *ipv4_udp(uint8_t ihl, uint16_t total_delta, uint16_t frag, const char *payload)
{
    GByteArray *b = bytes_new();
    size_t hlen = (size_t)ihl * 4;
    uint16_t total = (uint16_t)(hlen + 8 + strlen(payload) + total_delta);
    add8(b, (uint8_t)(0x40 | ihl)), add8(b, 0), add16(b, total), add16(b, 1), add16(b, frag);
    add8(b, 33), add8(b, 17), add16(b, 0);
    add(b, (uint8_t[]){ 192, 0, 2, 1 }, 4);
    add(b, (uint8_t[]){ 198, 51, 100, 7 }, 4);
    for (size_t i = 20; i < hlen; i++)
        add8(b, 1); /* options: NOP */
    add_udp(b, 3478, 3478, payload);
    return b;
}

static void test_ipv4_and_transport(void)
{
    struct frame f;
    struct packet p;
    char buf[ADDR_STRLEN];
    /* options skipped */
    GByteArray *b = ipv4_udp(6, 0, 0, "hello");
    g_assert_cmpint(decode_bytes(LT_IPV4, b, DIR_UNKNOWN, &f, &p), ==, DECODE_OK);
    g_assert_cmpstr(addr_format(&p.src, buf, sizeof buf), ==, "192.0.2.1");
    g_assert_cmpstr(addr_format(&p.dst, buf, sizeof buf), ==, "198.51.100.7");
    g_assert_cmpuint(p.sport, ==, 3478);
    g_assert_cmpmem(cursor_view(&p.payload, 5), cursor_left(&p.payload), "hello", 5);
    /* trailing link padding is not payload: l3 and payload stop at the IP length */
    add(b, "\0\0\0\0", 4);
    g_assert_cmpint(decode_bytes(LT_RAW, b, DIR_UNKNOWN, &f, &p), ==, DECODE_OK);
    g_assert_cmpuint(cursor_left(&p.l3), ==, 24 + 8 + 5);
    g_assert_cmpuint(cursor_left(&p.payload), ==, 5);
    g_byte_array_free(b, TRUE);
    /* captured less than the IP length (snaplen): payload clipped to what is there */
    b = ipv4_udp(5, 0, 0, "0123456789");
    g_byte_array_set_size(b, b->len - 4);
    g_assert_cmpint(decode_bytes(LT_RAW, b, DIR_UNKNOWN, &f, &p), ==, DECODE_OK);
    g_assert_cmpuint(cursor_left(&p.payload), ==, 6);
    g_assert_cmpuint(cursor_left(&p.l3), ==, b->len);
    g_byte_array_free(b, TRUE);
    /* IHL below 5 */
    b = ipv4_udp(5, 0, 0, "x");
    b->data[0] = 0x44;
    g_assert_cmpint(decode_bytes(LT_RAW, b, DIR_UNKNOWN, &f, &p), ==, DECODE_MALFORMED);
    /* total length below the header */
    b->data[0] = 0x45, b->data[2] = 0, b->data[3] = 19;
    g_assert_cmpint(decode_bytes(LT_RAW, b, DIR_UNKNOWN, &f, &p), ==, DECODE_MALFORMED);
    g_byte_array_free(b, TRUE);
    /* UDP length below 8 */
    b = ipv4_udp(5, 0, 0, "x");
    b->data[20 + 4] = 0, b->data[20 + 5] = 7;
    g_assert_cmpint(decode_bytes(LT_RAW, b, DIR_UNKNOWN, &f, &p), ==, DECODE_MALFORMED);
    /* UDP length larger than the datagram: clipped */
    b->data[20 + 5] = 200;
    g_assert_cmpint(decode_bytes(LT_RAW, b, DIR_UNKNOWN, &f, &p), ==, DECODE_OK);
    g_assert_cmpuint(cursor_left(&p.payload), ==, 1);
    g_byte_array_free(b, TRUE);
    /* fragments: a later one, and a first one */
    b = ipv4_udp(5, 0, 0x2000 | 100, "x");
    g_assert_cmpint(decode_bytes(LT_RAW, b, DIR_UNKNOWN, &f, &p), ==, DECODE_FRAGMENT);
    g_assert_cmpint(p.l4_proto, ==, 17);
    g_byte_array_free(b, TRUE);
    b = ipv4_udp(5, 100, 0x2000, "first");
    g_assert_cmpint(decode_bytes(LT_RAW, b, DIR_UNKNOWN, &f, &p), ==, DECODE_OK);
    g_assert_true(p.first_fragment);
    g_assert_cmpuint(cursor_left(&p.payload), ==, 5);
    g_byte_array_free(b, TRUE);

    /* TCP: options skipped, data offset below 5 refused */
    b = bytes_new();
    add8(b, 0x45), add8(b, 0), add16(b, 20 + 32 + 3), add16(b, 0), add16(b, 0x4000), add8(b, 64), add8(b, 6),
        add16(b, 0);
    add(b, (uint8_t[]){ 10, 0, 0, 1 }, 4);
    add(b, (uint8_t[]){ 10, 0, 0, 2 }, 4);
    add16(b, 5555), add16(b, 53), add32(b, 0xfffffff0), add32(b, 1), add8(b, 8 << 4), add8(b, 0x18), add16(b, 0),
        add32(b, 0);
    for (int i = 0; i < 12; i++)
        add8(b, 1);
    add(b, "DNS", 3);
    g_assert_cmpint(decode_bytes(LT_RAW, b, DIR_UNKNOWN, &f, &p), ==, DECODE_OK);
    g_assert_cmpuint(p.tcp_seq, ==, 0xfffffff0);
    g_assert_cmpuint(p.tcp_flags, ==, TCP_PSH | TCP_ACK);
    g_assert_false(p.first_fragment); /* DF is not MF */
    g_assert_cmpmem(cursor_view(&p.payload, 3), cursor_left(&p.payload), "DNS", 3);
    b->data[20 + 12] = 4 << 4;
    g_assert_cmpint(decode_bytes(LT_RAW, b, DIR_UNKNOWN, &f, &p), ==, DECODE_MALFORMED);
    b->data[20 + 12] = 15 << 4; /* options past the segment */
    g_assert_cmpint(decode_bytes(LT_RAW, b, DIR_UNKNOWN, &f, &p), ==, DECODE_MALFORMED);
    g_byte_array_free(b, TRUE);
}

/* ---- tunnels: the inner packet is audited ---- */

/* A DNS query in IPv4/UDP from 198.51.100.10 to 203.0.113.53:53. */
static void add_inner_dns(GByteArray *b)
{
    static const char query[] = "\x12\x34\x01\x00\x00\x01\x00\x00\x00\x00\x00\x00\x04leak\x07" "example\x00\x00\x01\x00\x01";
    size_t qlen = sizeof query - 1;
    add8(b, 0x45), add8(b, 0), add16(b, (uint16_t)(20 + 8 + qlen)), add16(b, 0), add16(b, 0), add8(b, 64),
        add8(b, 17), add16(b, 0);
    add(b, (uint8_t[]){ 198, 51, 100, 10 }, 4);
    add(b, (uint8_t[]){ 203, 0, 113, 53 }, 4);
    add16(b, 40000), add16(b, 53), add16(b, (uint16_t)(8 + qlen)), add16(b, 0);
    add(b, query, qlen);
}

static void add_ethernet(GByteArray *b, uint16_t ethertype)
{
    for (int i = 0; i < 12; i++)
        add8(b, (uint8_t)i);
    add16(b, ethertype);
}

/* Outer IPv4 192.0.2.1 → 192.0.2.2 carrying `proto` with the given payload. */
static GByteArray *outer_ipv4(uint8_t proto, const GByteArray *inside)
{
    GByteArray *b = bytes_new();
    add8(b, 0x45), add8(b, 0), add16(b, (uint16_t)(20 + inside->len)), add16(b, 0), add16(b, 0), add8(b, 64),
        add8(b, proto), add16(b, 0);
    add(b, (uint8_t[]){ 192, 0, 2, 1 }, 4);
    add(b, (uint8_t[]){ 192, 0, 2, 2 }, 4);
    add(b, inside->data, inside->len);
    return b;
}

static GByteArray *outer_udp(uint16_t dport, const GByteArray *inside)
{
    GByteArray *u = bytes_new();
    add16(u, 50000), add16(u, dport), add16(u, (uint16_t)(8 + inside->len)), add16(u, 0);
    add(u, inside->data, inside->len);
    GByteArray *b = outer_ipv4(17, u);
    g_byte_array_free(u, TRUE);
    return b;
}

static void check_inner_dns(const GByteArray *b, const char *encap, unsigned depth)
{
    struct frame f;
    struct packet p;
    char buf[ADDR_STRLEN];
    g_assert_cmpint(decode_bytes(LT_RAW, b, DIR_OUT, &f, &p), ==, DECODE_OK);
    g_assert_cmpstr(p.encap, ==, encap);
    g_assert_cmpuint(p.encap_depth, ==, depth);
    g_assert_cmpstr(addr_format(&p.src, buf, sizeof buf), ==, "198.51.100.10");
    g_assert_cmpstr(addr_format(&p.dst, buf, sizeof buf), ==, "203.0.113.53");
    g_assert_cmpuint(p.l4_proto, ==, 17);
    g_assert_cmpuint(p.dport, ==, 53);
    g_assert_cmpint(p.dir, ==, DIR_OUT); /* the link layer's word survives the tunnel */
    g_assert_cmpuint(cursor_left(&p.payload), ==, 30);
    /* Every cut: the outer packet or the inner one, never a read past the end
     * (ASan watches the exact-size copies). */
    for (size_t cut = 0; cut < b->len; cut++) {
        uint8_t *copy = g_memdup2(b->data, cut);
        struct frame g = f;
        g.data = copy;
        g.caplen = (uint32_t)cut;
        enum decode_status st = decode_checked(&g, &p);
        g_assert_true(st == DECODE_OK || st == DECODE_MALFORMED);
        if (st == DECODE_OK && p.encap_depth == depth)
            g_assert_cmpuint(p.dport, ==, 53);
        else if (st == DECODE_OK)
            g_assert_cmpuint(p.encap_depth, <, depth);
        g_free(copy);
    }
}

static void test_tunnels(void)
{
    GByteArray *inner = bytes_new();
    add_inner_dns(inner);

    /* GRE version 0 with key and sequence number, IPv4 inside */
    GByteArray *gre = bytes_new();
    add16(gre, 0x3000), add16(gre, 0x0800), add32(gre, 7), add32(gre, 1);
    add(gre, inner->data, inner->len);
    GByteArray *b = outer_ipv4(47, gre);
    check_inner_dns(b, "GRE", 1);
    g_byte_array_free(b, TRUE);
    /* GRE with the deprecated routing bit: not followed */
    gre->data[0] |= 0x40;
    b = outer_ipv4(47, gre);
    struct frame f;
    struct packet p;
    g_assert_cmpint(decode_bytes(LT_RAW, b, DIR_OUT, &f, &p), ==, DECODE_OK);
    g_assert_null(p.encap);
    g_assert_cmpuint(p.l4_proto, ==, 47);
    g_byte_array_free(b, TRUE);
    g_byte_array_free(gre, TRUE);

    /* PPTP: enhanced GRE (version 1, key, sequence) with PPP inside */
    GByteArray *pptp = bytes_new();
    add16(pptp, 0x3001), add16(pptp, 0x880B), add32(pptp, 0x00400000), add32(pptp, 9);
    add8(pptp, 0xFF), add8(pptp, 0x03), add16(pptp, 0x0021);
    add(pptp, inner->data, inner->len);
    b = outer_ipv4(47, pptp);
    check_inner_dns(b, "GRE", 1);
    g_byte_array_free(b, TRUE);
    g_byte_array_free(pptp, TRUE);

    /* IP-in-IP */
    b = outer_ipv4(4, inner);
    check_inner_dns(b, "IPIP", 1);
    g_byte_array_free(b, TRUE);

    /* VXLAN: an Ethernet frame inside */
    GByteArray *vx = bytes_new();
    add32(vx, 0x08000000), add32(vx, 0x00123400);
    add_ethernet(vx, 0x0800);
    add(vx, inner->data, inner->len);
    b = outer_udp(4789, vx);
    check_inner_dns(b, "VXLAN", 1);
    g_byte_array_free(b, TRUE);
    /* without the VNI flag it is not VXLAN: stays a UDP packet to 4789 */
    vx->data[0] = 0;
    b = outer_udp(4789, vx);
    g_assert_cmpint(decode_bytes(LT_RAW, b, DIR_OUT, &f, &p), ==, DECODE_OK);
    g_assert_null(p.encap);
    g_assert_cmpuint(p.dport, ==, 4789);
    g_byte_array_free(b, TRUE);

    /* Geneve around VXLAN around the query: two levels, the outermost named */
    vx->data[0] = 0x08;
    GByteArray *inner_udp = outer_udp(4789, vx);
    GByteArray *gen = bytes_new();
    add8(gen, 1), add8(gen, 0), add16(gen, 0x0800), add32(gen, 0x00000100); /* one 4-byte option */
    add32(gen, 0xdeadbeef);
    add(gen, inner_udp->data, inner_udp->len);
    b = outer_udp(6081, gen);
    check_inner_dns(b, "Geneve", 2);
    g_byte_array_free(b, TRUE);
    g_byte_array_free(gen, TRUE);
    g_byte_array_free(inner_udp, TRUE);
    g_byte_array_free(vx, TRUE);

    /* GTP-U G-PDU with a sequence number and one extension header */
    GByteArray *gtp = bytes_new();
    add8(gtp, 0x36), add8(gtp, 0xFF), add16(gtp, (uint16_t)(4 + 4 + inner->len)), add32(gtp, 0x11223344);
    add16(gtp, 1), add8(gtp, 0), add8(gtp, 0x85); /* sequence, N-PDU, next extension: PDU session */
    add8(gtp, 1), add8(gtp, 0x10), add8(gtp, 0x09), add8(gtp, 0); /* one 4-octet unit, then no more */
    add(gtp, inner->data, inner->len);
    b = outer_udp(2152, gtp);
    check_inner_dns(b, "GTP-U", 1);
    g_byte_array_free(b, TRUE);
    /* an extension header of length 0 would never end: malformed, so the outer packet stays */
    gtp->data[12] = 0;
    b = outer_udp(2152, gtp);
    g_assert_cmpint(decode_bytes(LT_RAW, b, DIR_OUT, &f, &p), ==, DECODE_OK);
    g_assert_null(p.encap);
    g_byte_array_free(b, TRUE);
    g_byte_array_free(gtp, TRUE);

    /* Tunnels nested past the depth limit stop peeling, without failing */
    GByteArray *cur = g_byte_array_new();
    add(cur, inner->data, inner->len);
    for (int i = 0; i < 6; i++) {
        GByteArray *next = outer_ipv4(4, cur);
        g_byte_array_free(cur, TRUE);
        cur = next;
    }
    g_assert_cmpint(decode_bytes(LT_RAW, cur, DIR_OUT, &f, &p), ==, DECODE_OK);
    g_assert_cmpuint(p.encap_depth, ==, 4);
    g_assert_cmpuint(p.l4_proto, ==, 4);
    g_byte_array_free(cur, TRUE);
    g_byte_array_free(inner, TRUE);
}

/* Link headers in front of one IPv4/UDP packet. */
static void test_link_headers(void)
{
    GByteArray *ip = ipv4_udp(5, 0, 0, "q");
    struct frame f;
    struct packet p;
    const struct {
        int linktype;
        const uint8_t *head;
        size_t head_len;
        enum decode_status status;
        enum direction dir;
        uint16_t vlan;
    } cases[] = {
        /* Ethernet, 802.1Q, QinQ (outer 0x88a8 id 10, inner 20), old 0x9100 */
        { LT_EN10MB, (const uint8_t[]){ [12] = 0x08, 0x00 }, 14, DECODE_OK, DIR_UNKNOWN, 0 },
        { LT_EN10MB, (const uint8_t[]){ [12] = 0x81, 0x00, 0x20, 0x07, 0x08, 0x00 }, 18, DECODE_OK, DIR_UNKNOWN, 7 },
        { LT_EN10MB, (const uint8_t[]){ [12] = 0x88, 0xa8, 0x00, 0x0a, 0x81, 0x00, 0x00, 0x14, 0x08, 0x00 }, 22,
          DECODE_OK, DIR_UNKNOWN, 10 },
        { LT_EN10MB, (const uint8_t[]){ [12] = 0x91, 0x00, 0x00, 0x05, 0x08, 0x00 }, 18, DECODE_OK, DIR_UNKNOWN, 5 },
        /* 802.3 length field: LLC, not IP */
        { LT_EN10MB, (const uint8_t[]){ [12] = 0x00, 0x2e }, 14, DECODE_NOT_IP, DIR_UNKNOWN, 0 },
        /* PPPoE session, PPP protocol 0x0021 */
        { LT_EN10MB, (const uint8_t[]){ [12] = 0x88, 0x64, 0x11, 0x00, 0x00, 0x01, 0x00, 0x1e, 0x00, 0x21 }, 22,
          DECODE_OK, DIR_UNKNOWN, 0 },
        /* SLL: pkttype 3 (other host), 4 (outgoing) */
        { LT_SLL, (const uint8_t[]){ 0, 3, 0, 1, 0, 6, [14] = 0x08, 0x00 }, 16, DECODE_OK, DIR_OTHER_HOST, 0 },
        { LT_SLL, (const uint8_t[]){ 0, 4, 0, 1, 0, 6, [14] = 0x08, 0x00 }, 16, DECODE_OK, DIR_OUT, 0 },
        /* SLL with a VLAN tag put back by libpcap */
        { LT_SLL, (const uint8_t[]){ 0, 0, 0, 1, 0, 6, [14] = 0x81, 0x00, 0x00, 0x2a, 0x08, 0x00 }, 20, DECODE_OK,
          DIR_IN, 42 },
        /* SLL2 */
        { LT_SLL2, (const uint8_t[]){ 0x08, 0x00, 0, 0, 0, 0, 0, 9, 0, 1, 1, 6, [19] = 0 }, 20, DECODE_OK, DIR_IN, 0 },
        /* NULL: AF_INET little-endian and big-endian; LOOP: big-endian */
        { LT_NULL, (const uint8_t[]){ 2, 0, 0, 0 }, 4, DECODE_OK, DIR_UNKNOWN, 0 },
        { LT_NULL, (const uint8_t[]){ 0, 0, 0, 2 }, 4, DECODE_OK, DIR_UNKNOWN, 0 },
        { LT_NULL, (const uint8_t[]){ 7, 0, 0, 0 }, 4, DECODE_NOT_IP, DIR_UNKNOWN, 0 },
        { LT_LOOP, (const uint8_t[]){ 0, 0, 0, 2 }, 4, DECODE_OK, DIR_UNKNOWN, 0 },
        /* PPP with and without address/control, compressed protocol field */
        { LT_PPP, (const uint8_t[]){ 0xff, 0x03, 0x00, 0x21 }, 4, DECODE_OK, DIR_UNKNOWN, 0 },
        { LT_PPP, (const uint8_t[]){ 0x00, 0x21 }, 2, DECODE_OK, DIR_UNKNOWN, 0 },
        { LT_PPP, (const uint8_t[]){ 0x21 }, 1, DECODE_OK, DIR_UNKNOWN, 0 },
        { LT_PPP, (const uint8_t[]){ 0xc0, 0x21 }, 2, DECODE_NOT_IP, DIR_UNKNOWN, 0 }, /* LCP */
        /* PPP_HDLC, and Cisco HDLC in the same link type */
        { LT_PPP_HDLC, (const uint8_t[]){ 0xff, 0x03, 0x00, 0x21 }, 4, DECODE_OK, DIR_UNKNOWN, 0 },
        { LT_PPP_HDLC, (const uint8_t[]){ 0x0f, 0x00, 0x08, 0x00 }, 4, DECODE_OK, DIR_UNKNOWN, 0 },
    };
    for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
        GByteArray *b = bytes_new();
        add(b, cases[i].head, cases[i].head_len);
        add(b, ip->data, ip->len);
        enum decode_status st = decode_bytes(cases[i].linktype, b, DIR_UNKNOWN, &f, &p);
        if (st != cases[i].status)
            g_error("case %zu (%s): %s", i, decode_linktype_name(cases[i].linktype), decode_status_name(st));
        g_assert_cmpint(p.dir, ==, cases[i].dir);
        g_assert_cmpuint(p.vlan, ==, cases[i].vlan);
        if (st == DECODE_OK) {
            g_assert_cmpuint(p.sport, ==, 3478);
            g_assert_cmpuint(cursor_left(&p.payload), ==, 1);
        }
        if (cases[i].linktype == LT_SLL2)
            g_assert_cmpint(p.ifindex, ==, 9);
        g_byte_array_free(b, TRUE);
    }
    /* the frame's direction (pcapng epb_flags) when the link has none … */
    GByteArray *b = bytes_new();
    add(b, (const uint8_t[]){ [12] = 0x08, 0x00 }, 14);
    add(b, ip->data, ip->len);
    g_assert_cmpint(decode_bytes(LT_EN10MB, b, DIR_OUT, &f, &p), ==, DECODE_OK);
    g_assert_cmpint(p.dir, ==, DIR_OUT);
    g_byte_array_free(b, TRUE);
    /* … and the link's when it has one */
    b = bytes_new();
    add(b, (const uint8_t[]){ 0, 0, 0, 1, 0, 6, [14] = 0x08, 0x00 }, 16);
    add(b, ip->data, ip->len);
    g_assert_cmpint(decode_bytes(LT_SLL, b, DIR_OUT, &f, &p), ==, DECODE_OK);
    g_assert_cmpint(p.dir, ==, DIR_IN);
    g_byte_array_free(b, TRUE);
    /* IPV6 link type with IPv4 inside */
    g_assert_cmpint(decode_bytes(LT_IPV6, ip, DIR_UNKNOWN, &f, &p), ==, DECODE_MALFORMED);
    /* unknown link type */
    g_assert_cmpint(decode_bytes(147, ip, DIR_UNKNOWN, &f, &p), ==, DECODE_UNSUPPORTED_LINK);
    g_byte_array_free(ip, TRUE);
}

static void test_names(void)
{
    g_assert_cmpstr(decode_linktype_name(1), ==, "EN10MB");
    g_assert_cmpstr(decode_linktype_name(276), ==, "LINUX_SLL2");
    g_assert_cmpstr(decode_linktype_name(113), ==, "LINUX_SLL");
    g_assert_cmpstr(decode_linktype_name(12), ==, "RAW");
    g_assert_cmpstr(decode_linktype_name(101), ==, "RAW");
    g_assert_null(decode_linktype_name(147));
    g_assert_true(decode_linktype_supported(239));
    g_assert_true(decode_linktype_supported(258));
    g_assert_false(decode_linktype_supported(253)); /* netlink */
    g_assert_cmpstr(decode_status_name(DECODE_OK), ==, "ok");
    g_assert_cmpstr(decode_status_name(DECODE_FRAGMENT), ==, "fragment");
    g_assert_cmpstr(decode_status_name((enum decode_status)99), ==, "unknown");
}

/* Every prefix of a frame, from an exact-size copy: the headers cut short are
 * MALFORMED (or NOT_IP/FRAGMENT where the link layer says so), a cut in the
 * payload only shortens the payload. */
static void check_prefixes(int linktype, const uint8_t *data, size_t len)
{
    struct frame f = { .linktype = linktype, .data = data, .caplen = (uint32_t)len, .wirelen = (uint32_t)len };
    struct packet p;
    enum decode_status full = decode_checked(&f, &p);
    unsigned full_depth = p.encap_depth;
    size_t header_end = len, payload_len = 0;
    if (full == DECODE_OK) {
        payload_len = cursor_left(&p.payload);
        const uint8_t *at = cursor_view(&p.payload, 0);
        header_end = at ? (size_t)(at - data) : len;
    }
    for (size_t cut = 0; cut < len; cut++) {
        uint8_t *copy = g_memdup2(data, cut);
        struct frame g = f;
        g.data = copy;
        g.caplen = (uint32_t)cut;
        enum decode_status st = decode_checked(&g, &p);
        if (st == DECODE_OK && p.encap_depth < full_depth) {
            /* cut inside a tunnel's inner headers: the carrier itself stays */
        } else if (full == DECODE_OK && cut >= header_end) {
            g_assert_cmpint(st, ==, DECODE_OK);
            g_assert_cmpuint(cursor_left(&p.payload), ==, MIN(payload_len, cut - header_end));
        } else {
            g_assert_true(st == DECODE_MALFORMED || st == DECODE_NOT_IP || st == DECODE_FRAGMENT);
        }
        g_free(copy);
    }
}

static void test_every_prefix(void)
{
    GByteArray *b = ipv6_chain(0x0001);
    check_prefixes(LT_RAW, b->data, b->len);
    g_byte_array_free(b, TRUE);
    b = ipv4_udp(7, 0, 0, "some payload");
    check_prefixes(LT_RAW, b->data, b->len);
    g_byte_array_free(b, TRUE);

    gchar *probe = test_corpus_path("MANIFEST.tsv");
    if (!probe)
        return;
    g_free(probe);
    /* one frame of each link family from the corpus */
    static const struct { const char *file; unsigned frame; } frames[] = {
        { SV "decode-sll2-01/input.pcap", 4 },
        { PPP_PKT "SllPacket.pcap", 1 },
        { PPP_PKT "NullLoopback.pcap", 3 },
        { "tcpdump/tests/nflog.pcap", 1 },
        { "tcpdump/tests/LINKTYPE_PKTAP.pcap", 1 },
        { SYN, 314 },
        { SYN, 513 },
        { SYN, 914 },
        { "zeek/testing/btest/Traces/ipv6-fragmented-dns.pcap", 6 },
    };
    for (size_t i = 0; i < G_N_ELEMENTS(frames); i++) {
        struct capture_source *src;
        struct frame f;
        g_assert_true(corpus_frame(frames[i].file, frames[i].frame, &src, &f));
        check_prefixes(f.linktype, f.data, f.caplen);
        source_close(src);
    }
}

/* Every frame of every corpus capture through decode_checked(): the fast
 * path (plain Ethernet, SLL2, raw IP; IPv4, IPv6; UDP, TCP) and whatever it
 * declines must come out as the general decoders have it. */
static void test_fast_path_corpus(void)
{
    TEST_NEED_CORPUS(manifest, "MANIFEST.tsv");
    gchar *text;
    g_assert_true(g_file_get_contents(manifest, &text, NULL, NULL));
    g_free(manifest);
    gchar **lines = g_strsplit(text, "\n", -1);
    unsigned files = 0, frames = 0;
    for (gchar **line = lines + 1; *line && **line; line++) {
        gchar **cols = g_strsplit(*line, "\t", 2);
        gchar *path = test_corpus_path(cols[0]);
        GError *err = NULL;
        struct capture_source *src = path ? source_open_file(path, &err) : NULL;
        g_clear_error(&err); /* the corpus holds a few captures no reader takes */
        if (src) {
            files++;
            struct frame f;
            struct packet p;
            while (source_next(src, &f, &err) == SOURCE_FRAME) {
                decode_checked(&f, &p);
                frames++;
            }
            g_clear_error(&err);
            source_close(src);
        }
        g_free(path);
        g_strfreev(cols);
    }
    g_strfreev(lines);
    g_free(text);
    g_assert_cmpuint(files, >, 100);
    printf("# fast path checked on %u frames of %u captures\n", frames, files);
}

/* The shapes the fast path takes, and each byte of them set to values that
 * matter (versions, lengths, protocols, ports, fragment bits) or cut short:
 * fast path and general decoders agree on all of them. */
static void test_fast_path_mutations(void)
{
    GPtrArray *bases = g_ptr_array_new_with_free_func((GDestroyNotify)g_byte_array_unref);
    GArray *linktypes = g_array_new(FALSE, FALSE, sizeof(int));
    static const uint16_t ports[] = { 53, 3478, 4789, 4790, 6081, 2152, 3544, 51820 };
    for (size_t i = 0; i < G_N_ELEMENTS(ports); i++) {
        GByteArray *udp4 = ipv4_udp(5, 0, 0, "0123456789abcdef");
        udp4->data[22] = (uint8_t)(ports[i] >> 8), udp4->data[23] = (uint8_t)ports[i]; /* destination port */
        for (int variant = 0; variant < 3; variant++) {
            GByteArray *b = bytes_new();
            int lt = LT_RAW;
            if (variant == 1) { /* Ethernet */
                lt = LT_EN10MB;
                for (int k = 0; k < 12; k++)
                    add8(b, (uint8_t)k);
                add16(b, 0x0800);
            } else if (variant == 2) { /* SLL2, outgoing, ifindex 3 */
                lt = LT_SLL2;
                add16(b, 0x0800), add16(b, 0), add32(b, 3), add16(b, 1), add8(b, 4), add8(b, 6);
                for (int k = 0; k < 8; k++)
                    add8(b, (uint8_t)k);
            }
            add(b, udp4->data, udp4->len);
            g_ptr_array_add(bases, b);
            g_array_append_val(linktypes, lt);
        }
        g_byte_array_free(udp4, TRUE);
    }
    GByteArray *udp6 = bytes_new();
    add_ipv6_header(udp6, 8 + 4, 17);
    add_udp(udp6, 40000, 53, "abcd");
    g_ptr_array_add(bases, udp6);
    GByteArray *tcp6 = bytes_new();
    add_ipv6_header(tcp6, 20 + 8 + 3, 6);
    add16(tcp6, 443), add16(tcp6, 50000), add32(tcp6, 1000), add32(tcp6, 0), add8(tcp6, 7 << 4), add8(tcp6, 0x18);
    add16(tcp6, 0), add16(tcp6, 0), add16(tcp6, 0), add32(tcp6, 0x01010101), add32(tcp6, 0x01010101);
    add(tcp6, "xyz", 3);
    g_ptr_array_add(bases, tcp6);
    int lt = LT_RAW;
    g_array_append_val(linktypes, lt);
    g_array_append_val(linktypes, lt);
    static const uint8_t values[] = { 0x00, 0x01, 0x04, 0x05, 0x06, 0x11, 0x20, 0x29, 0x2c, 0x3a,
                                      0x40, 0x45, 0x4f, 0x60, 0x80, 0x86, 0xdd, 0xfe, 0xff };
    unsigned checked = 0;
    for (guint i = 0; i < bases->len; i++) {
        const GByteArray *base = g_ptr_array_index(bases, i);
        struct frame f = { .linktype = g_array_index(linktypes, int, i) };
        struct packet p;
        for (size_t at = 0; at < base->len; at++) {
            uint8_t *copy = g_memdup2(base->data, base->len);
            for (size_t v = 0; v < G_N_ELEMENTS(values); v++) {
                copy[at] = values[v];
                f.data = copy;
                f.caplen = f.wirelen = base->len;
                decode_checked(&f, &p);
                checked++;
            }
            g_free(copy);
            copy = g_memdup2(base->data, at); /* cut short here */
            f.data = copy;
            f.caplen = (uint32_t)at;
            decode_checked(&f, &p);
            g_free(copy);
        }
    }
    g_assert_cmpuint(checked, >, 10000);
    g_ptr_array_free(bases, TRUE);
    g_array_free(linktypes, TRUE);
}

/* Every file of tests/data/regress/fuzz_decode: first byte picks the link type
 * as in fuzz_decode.c; must not crash. */
static void test_fuzz_regressions(void)
{
    static const int linktypes[] = { 0, 1, 9, 12, 50, 101, 108, 113, 228, 229, 239, 258, 276 };
    gchar *dirpath = test_repo_path("tests/data/regress/fuzz_decode");
    GDir *dir = g_dir_open(dirpath, 0, NULL);
    if (!dir) {
        g_free(dirpath);
        return;
    }
    for (const char *name; (name = g_dir_read_name(dir));) {
        gchar *path = g_build_filename(dirpath, name, NULL), *data;
        gsize len;
        g_assert_true(g_file_get_contents(path, &data, &len, NULL));
        if (len > 0) {
            struct frame f = { .linktype = linktypes[(uint8_t)data[0] % G_N_ELEMENTS(linktypes)] };
            uint8_t *copy = g_memdup2(data + 1, len - 1);
            f.data = copy;
            f.caplen = f.wirelen = (uint32_t)(len - 1);
            struct packet p;
            decode_checked(&f, &p);
            g_free(copy);
        }
        g_free(data);
        g_free(path);
    }
    g_dir_close(dir);
    g_free(dirpath);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/decode/corpus-frames", test_corpus_frames);
    g_test_add_func("/decode/ipv6-extension-headers", test_ipv6_extension_headers);
    g_test_add_func("/decode/ipv4-and-transport", test_ipv4_and_transport);
    g_test_add_func("/decode/link-headers", test_link_headers);
    g_test_add_func("/decode/tunnels", test_tunnels);
    g_test_add_func("/decode/names", test_names);
    g_test_add_func("/decode/every-prefix", test_every_prefix);
    g_test_add_func("/decode/fuzz-regressions", test_fuzz_regressions);
    g_test_add_func("/decode/fast-path-corpus", test_fast_path_corpus);
    g_test_add_func("/decode/fast-path-mutations", test_fast_path_mutations);
    return g_test_run();
}
