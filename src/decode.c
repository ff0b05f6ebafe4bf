/* decode.c — link layer → IPv4/IPv6 (extension headers, fragments) → UDP/TCP.
 *
 * Owns: one table of link-layer decoders by LINKTYPE, the ethertype step
 * shared by the links that carry one (VLAN tags, PPPoE), the IP layers and
 * the transport headers. Every byte is read through struct cursor; a short
 * or inconsistent header is DECODE_MALFORMED, never a read past the frame.
 * Allocation-free: a packet borrows the frame's bytes.
 */
#include "decode.h"

#include <stddef.h>
#include <string.h>

#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

/* pcap/pcapng link-layer header types (https://www.tcpdump.org/linktypes.html). */
enum {
    LINKTYPE_NULL = 0,
    LINKTYPE_EN10MB = 1,
    LINKTYPE_PPP = 9,
    LINKTYPE_DLT_RAW = 12, /* DLT_RAW as libpcap hands it on Linux */
    LINKTYPE_PPP_HDLC = 50,
    LINKTYPE_RAW = 101,
    LINKTYPE_LOOP = 108,
    LINKTYPE_LINUX_SLL = 113,
    LINKTYPE_IPV4 = 228,
    LINKTYPE_IPV6 = 229,
    LINKTYPE_USER2 = 149, /* macOS writes PKTAP captures with this DLT (DLT_USER2 = DLT_PKTAP there) */
    LINKTYPE_NFLOG = 239,
    LINKTYPE_PKTAP = 258,
    LINKTYPE_LINUX_SLL2 = 276,
};

enum {
    ETHERTYPE_MIN = 0x0600, /* below: an IEEE 802.3 length, the frame is LLC */
    ETHERTYPE_IPV4 = 0x0800,
    ETHERTYPE_VLAN = 0x8100,
    ETHERTYPE_IPV6 = 0x86DD,
    ETHERTYPE_PPPOE_SESSION = 0x8864,
    ETHERTYPE_QINQ = 0x88A8,
    ETHERTYPE_QINQ_OLD = 0x9100,
    VLAN_ID_MASK = 0x0FFF,
    VLAN_TAGS_MAX = 4,
};

enum {
    PPP_ADDRESS = 0xFF, PPP_CONTROL = 0x03, /* RFC 1662 HDLC-like framing */
    CISCO_HDLC_UNICAST = 0x0F, CISCO_HDLC_MULTICAST = 0x8F,
    PPP_PROTO_IPV4 = 0x0021, PPP_PROTO_IPV6 = 0x0057,
    PPPOE_HEADER_LEN = 6,
};

enum {
    IPPROTO_HOPOPTS_ = 0, IPPROTO_TCP_ = 6, IPPROTO_UDP_ = 17, IPPROTO_ROUTING_ = 43, IPPROTO_FRAGMENT_ = 44,
    IPPROTO_ESP_ = 50, IPPROTO_AH_ = 51, IPPROTO_NONE_ = 59, IPPROTO_DSTOPTS_ = 60, IPPROTO_MH_ = 135,
    IPPROTO_HIP_ = 139, IPPROTO_SHIM6_ = 140,
    IPPROTO_IPIP_ = 4, IPPROTO_IPV6_ = 41, IPPROTO_GRE_ = 47,
};

enum {
    IPV4_HEADER_MIN = 20, IPV4_FRAG_OFFSET_MASK = 0x1FFF, IPV4_MORE_FRAGMENTS = 0x2000,
    IPV6_HEADER_LEN = 40, IPV6_FRAG_OFFSET_MASK = 0xFFF8, IPV6_MORE_FRAGMENTS = 0x0001,
    IPV6_EXT_HEADERS_MAX = 8,
    UDP_HEADER_LEN = 8, TCP_HEADER_MIN_WORDS = 5,
};

/* What a link decoder found: an ethertype (≥ 0, 0 for "no IP here") or this. */
enum { NET_NONE = 0, NET_MALFORMED = -1 };

/* ---- small tables ---- */

/* Linux packet types (SLL, SLL2 pkttype) → direction as seen by the capturing host. */
static const enum direction sll_pkttype_direction[] = {
    [0] = DIR_IN,         /* PACKET_HOST */
    [1] = DIR_IN,         /* PACKET_BROADCAST */
    [2] = DIR_IN,         /* PACKET_MULTICAST */
    [3] = DIR_OTHER_HOST, /* PACKET_OTHERHOST */
    [4] = DIR_OUT,        /* PACKET_OUTGOING */
};

/* BSD address families in DLT_NULL / DLT_LOOP headers → ethertype. IPv6 has
 * a different number on every BSD; 10 is Linux's, seen in a few captures. */
static const struct {
    uint32_t af;
    int ethertype;
} loopback_families[] = {
    { 2, ETHERTYPE_IPV4 },  /* AF_INET everywhere */
    { 10, ETHERTYPE_IPV6 }, /* Linux */
    { 24, ETHERTYPE_IPV6 }, /* NetBSD, OpenBSD, BSD/OS */
    { 28, ETHERTYPE_IPV6 }, /* FreeBSD, DragonFly */
    { 30, ETHERTYPE_IPV6 }, /* macOS */
};

static const struct {
    uint16_t ppp;
    int ethertype;
} ppp_protocols[] = {
    { PPP_PROTO_IPV4, ETHERTYPE_IPV4 },
    { PPP_PROTO_IPV6, ETHERTYPE_IPV6 },
};

/* NFLOG (Linux nfnetlink_log): TLV attributes after a 4-byte header. */
enum {
    NFLOG_HEADER_LEN = 4, NFLOG_TLV_HEADER_LEN = 4, NFLOG_TYPE_MASK = 0x3FFF,
    NFULA_PACKET_HDR = 1, NFULA_PAYLOAD = 9,
    NFPROTO_IPV4 = 2, NFPROTO_IPV6 = 10,
    NF_INET_LOCAL_IN = 1, NF_INET_LOCAL_OUT = 3,
};

/* Apple PKTAP: a little-endian header of its own length, then a frame of pth_dlt. */
enum {
    PKTAP_TYPE_OFFSET = 4, PKTAP_DLT_OFFSET = 8, PKTAP_FLAGS_OFFSET = 36, PKTAP_HEADER_MIN = 40,
    PTH_TYPE_PACKET = 1,
    PTH_FLAG_DIR_IN = 0x1, PTH_FLAG_DIR_OUT = 0x2,
    LINK_NESTING_MAX = 1, /* PKTAP inside PKTAP is nonsense */
};

/* ---- network-layer dispatch shared by every link ---- */

static int ppp_to_ethertype(uint16_t ppp)
{
    for (size_t i = 0; i < ARRAY_LEN(ppp_protocols); i++)
        if (ppp_protocols[i].ppp == ppp)
            return ppp_protocols[i].ethertype;
    return NET_NONE;
}

/* A PPP protocol field: two bytes, or one when the low bit of the first is
 * set (RFC 1661 protocol-field compression). */
static int ppp_protocol(struct cursor *c)
{
    int first = cursor_peek_u8(c, 0);
    uint16_t proto = (first >= 0 && (first & 1)) ? cursor_u8(c) : cursor_u16be(c);
    if (!cursor_ok(c))
        return NET_MALFORMED;
    return ppp_to_ethertype(proto);
}

/* Peels VLAN tags and PPPoE off an ethertype; the result is IPv4, IPv6 or none. */
static int ethertype_inner(struct cursor *c, struct packet *p, int ethertype)
{
    for (int tags = 0; tags < VLAN_TAGS_MAX; tags++) {
        if (ethertype == ETHERTYPE_VLAN || ethertype == ETHERTYPE_QINQ || ethertype == ETHERTYPE_QINQ_OLD) {
            uint16_t tci = cursor_u16be(c);
            if (tags == 0)
                p->vlan = tci & VLAN_ID_MASK;
            ethertype = cursor_u16be(c);
        } else if (ethertype == ETHERTYPE_PPPOE_SESSION) {
            /* DSL: version/type, code, session id, length, then PPP. */
            cursor_skip(c, PPPOE_HEADER_LEN);
            ethertype = ppp_protocol(c);
        } else {
            break;
        }
    }
    if (!cursor_ok(c))
        return NET_MALFORMED;
    return ethertype;
}

/* ---- link layers: each consumes its header and returns an ethertype ---- */

typedef int (*link_decoder)(struct cursor *c, struct packet *p, int depth);

static int decode_link(int linktype, struct cursor *c, struct packet *p, int depth, bool *known);

static int link_ethernet(struct cursor *c, struct packet *p, int depth)
{
    cursor_skip(c, 12); /* destination, source */
    uint16_t type = cursor_u16be(c);
    if (!cursor_ok(c))
        return NET_MALFORMED;
    if (type < ETHERTYPE_MIN)
        return NET_NONE; /* 802.3 length + LLC: STP, CDP, … */
    return ethertype_inner(c, p, type);
}

static void set_sll_direction(struct packet *p, uint16_t pkttype)
{
    if (pkttype < ARRAY_LEN(sll_pkttype_direction))
        p->dir = sll_pkttype_direction[pkttype];
}

static int link_sll(struct cursor *c, struct packet *p, int depth)
{
    uint16_t pkttype = cursor_u16be(c);
    p->hatype = cursor_u16be(c);
    cursor_skip(c, 2 + 8); /* address length, address (padded to 8) */
    uint16_t protocol = cursor_u16be(c);
    if (!cursor_ok(c))
        return NET_MALFORMED;
    set_sll_direction(p, pkttype);
    /* Values below 0x0600 are Linux pseudo-protocols (802.2 LLC, CAN, …). */
    return protocol < ETHERTYPE_MIN ? NET_NONE : ethertype_inner(c, p, protocol);
}

static int link_sll2(struct cursor *c, struct packet *p, int depth)
{
    uint16_t protocol = cursor_u16be(c);
    cursor_skip(c, 2); /* reserved */
    uint32_t ifindex = cursor_u32be(c);
    p->hatype = cursor_u16be(c);
    uint8_t pkttype = cursor_u8(c);
    cursor_skip(c, 1 + 8); /* address length, address (padded to 8) */
    if (!cursor_ok(c))
        return NET_MALFORMED;
    p->ifindex = ifindex <= INT32_MAX ? (int)ifindex : 0;
    set_sll_direction(p, pkttype);
    return protocol < ETHERTYPE_MIN ? NET_NONE : ethertype_inner(c, p, protocol);
}

/* Bare IP: the version nibble says which. */
static int raw_ip_version(const struct cursor *c)
{
    int first = cursor_peek_u8(c, 0);
    if (first < 0)
        return NET_MALFORMED;
    return (first >> 4) == 4 ? ETHERTYPE_IPV4 : (first >> 4) == 6 ? ETHERTYPE_IPV6 : NET_NONE;
}

static int link_raw(struct cursor *c, struct packet *p, int depth)
{
    return raw_ip_version(c);
}

/* LINKTYPE_IPV4 holding an IPv6 packet: tshark decodes it by the version
 * nibble (tcpdump calls it invalid); we follow tshark, whose counts the
 * corpus tests compare against, and audit what is there. */
static int link_ipv4(struct cursor *c, struct packet *p, int depth)
{
    int net = raw_ip_version(c);
    return net == NET_NONE ? NET_MALFORMED : net;
}

/* LINKTYPE_IPV6 must hold IPv6: tshark and tcpdump both reject anything else. */
static int link_ipv6(struct cursor *c, struct packet *p, int depth)
{
    int net = raw_ip_version(c);
    return net == ETHERTYPE_IPV6 ? net : NET_MALFORMED;
}

static int loopback_family(uint32_t af)
{
    for (size_t i = 0; i < ARRAY_LEN(loopback_families); i++)
        if (loopback_families[i].af == af)
            return loopback_families[i].ethertype;
    return NET_NONE;
}

/* PPP, with or without the RFC 1662 address/control bytes; PPP_HDLC may also
 * be Cisco HDLC (address 0x0F/0x8F, control, then an ethertype). */
static int link_ppp(struct cursor *c, struct packet *p, int depth)
{
    int first = cursor_peek_u8(c, 0);
    if (first == CISCO_HDLC_UNICAST || first == CISCO_HDLC_MULTICAST) {
        cursor_skip(c, 2);
        uint16_t type = cursor_u16be(c);
        return cursor_ok(c) ? ethertype_inner(c, p, type) : NET_MALFORMED;
    }
    if (first == PPP_ADDRESS && cursor_peek_u8(c, 1) == PPP_CONTROL)
        cursor_skip(c, 2);
    return ppp_protocol(c);
}

/* DLT_NULL: a 4-byte family in the writing host's byte order, and in the
 * wild also an ethertype or a PPP header. The same reading as Wireshark's
 * packet-null.c (tshark is the corpus reference): small values are families,
 * the byte order is guessed from where the non-zero bytes are, anything
 * larger than an 802.3 length is an ethertype in the low 16 bits. */
enum { NULL_IEEE_802_3_MAX_LEN = 1500 };

static int link_null(struct cursor *c, struct packet *p, int depth)
{
    if (cursor_peek_u8(c, 0) == PPP_ADDRESS && cursor_peek_u8(c, 1) == PPP_CONTROL)
        return link_ppp(c, p, depth);
    uint32_t h = cursor_u32le(c);
    if (!cursor_ok(c))
        return NET_MALFORMED;
    if (h & 0xFFFF0000u) {
        if ((h & 0xFF000000u) == 0 && (h & 0x00FF0000u) < 0x00060000u)
            h >>= 16;
        else
            h = __builtin_bswap32(h);
    } else if ((h & 0x000000FFu) == 0 && (h & 0x0000FF00u) < 0x00000600u) {
        h = __builtin_bswap16((uint16_t)h);
    }
    if (h > NULL_IEEE_802_3_MAX_LEN)
        return ethertype_inner(c, p, (uint16_t)h);
    return loopback_family(h);
}

/* DLT_LOOP (OpenBSD): the family always big-endian. */
static int link_loop(struct cursor *c, struct packet *p, int depth)
{
    uint32_t af = cursor_u32be(c);
    if (!cursor_ok(c))
        return NET_MALFORMED;
    return loopback_family(af);
}

/* NFLOG: family, version, resource id, then attributes whose type and length
 * are in the logging host's byte order (little-endian in practice; a length
 * that only makes sense big-endian switches to that). */
static int link_nflog(struct cursor *c, struct packet *p, int depth)
{
    uint8_t family = cursor_u8(c);
    cursor_skip(c, NFLOG_HEADER_LEN - 1);
    if (!cursor_ok(c))
        return NET_MALFORMED;
    bool big_endian = false;
    int32_t be_len = cursor_peek_u16be(c, 0);
    if (be_len >= NFLOG_TLV_HEADER_LEN && (size_t)be_len <= cursor_left(c)) {
        struct cursor probe = cursor_rest(c);
        uint16_t le_len = cursor_u16le(&probe);
        big_endian = le_len < NFLOG_TLV_HEADER_LEN || le_len > cursor_left(c);
    }
    while (cursor_left(c) >= NFLOG_TLV_HEADER_LEN) {
        uint16_t len = big_endian ? cursor_u16be(c) : cursor_u16le(c);
        uint16_t type = (big_endian ? cursor_u16be(c) : cursor_u16le(c)) & NFLOG_TYPE_MASK;
        if (len < NFLOG_TLV_HEADER_LEN)
            return NET_MALFORMED;
        size_t value_len = len - NFLOG_TLV_HEADER_LEN;
        if (type == NFULA_PAYLOAD && value_len > cursor_left(c))
            value_len = cursor_left(c); /* the capture's snaplen cut the packet */
        struct cursor value = cursor_take(c, value_len);
        cursor_skip(c, (4u - len % 4u) % 4u); /* padding may be absent after the last one */
        if (!cursor_ok(&value))
            return NET_MALFORMED;
        if (type == NFULA_PACKET_HDR) {
            cursor_skip(&value, 2); /* hardware protocol */
            uint8_t hook = cursor_u8(&value);
            if (cursor_ok(&value) && hook == NF_INET_LOCAL_IN)
                p->dir = DIR_IN;
            else if (cursor_ok(&value) && hook == NF_INET_LOCAL_OUT)
                p->dir = DIR_OUT;
        } else if (type == NFULA_PAYLOAD) {
            *c = value;
            return family == NFPROTO_IPV4 ? ETHERTYPE_IPV4 : family == NFPROTO_IPV6 ? ETHERTYPE_IPV6 : NET_NONE;
        }
    }
    return NET_NONE; /* no payload attribute */
}

/* Apple PKTAP (macOS `tcpdump -k`, `-i pktap`): the inner frame's link type
 * and the direction are in the header. */
static int link_pktap(struct cursor *c, struct packet *p, int depth)
{
    struct cursor header = cursor_rest(c);
    uint32_t header_len = cursor_u32le(&header);
    if (depth >= LINK_NESTING_MAX || header_len < PKTAP_HEADER_MIN || !cursor_has(c, header_len))
        return NET_MALFORMED;
    cursor_seek(&header, PKTAP_TYPE_OFFSET);
    if (cursor_u32le(&header) != PTH_TYPE_PACKET)
        return NET_NONE; /* other record types carry no packet */
    cursor_seek(&header, PKTAP_DLT_OFFSET);
    uint32_t dlt = cursor_u32le(&header);
    cursor_seek(&header, PKTAP_FLAGS_OFFSET);
    uint32_t flags = cursor_u32le(&header);
    if (flags & PTH_FLAG_DIR_IN)
        p->dir = DIR_IN;
    else if (flags & PTH_FLAG_DIR_OUT)
        p->dir = DIR_OUT;
    cursor_skip(c, header_len);
    bool known;
    int net = decode_link(dlt <= INT32_MAX ? (int)dlt : -1, c, p, depth + 1, &known);
    return known ? net : NET_NONE;
}

static const struct {
    int linktype;
    const char *name;
    link_decoder decode;
} link_decoders[] = {
    /* most common first: the lookup runs once per frame */
    { LINKTYPE_EN10MB, "EN10MB", link_ethernet },
    { LINKTYPE_LINUX_SLL2, "LINUX_SLL2", link_sll2 },
    { LINKTYPE_LINUX_SLL, "LINUX_SLL", link_sll },
    { LINKTYPE_RAW, "RAW", link_raw },
    { LINKTYPE_DLT_RAW, "RAW", link_raw },
    { LINKTYPE_IPV4, "IPV4", link_ipv4 },
    { LINKTYPE_IPV6, "IPV6", link_ipv6 },
    { LINKTYPE_NULL, "NULL", link_null },
    { LINKTYPE_LOOP, "LOOP", link_loop },
    { LINKTYPE_PPP, "PPP", link_ppp },
    { LINKTYPE_PPP_HDLC, "PPP_HDLC", link_ppp },
    { LINKTYPE_NFLOG, "NFLOG", link_nflog },
    { LINKTYPE_PKTAP, "PKTAP", link_pktap },
    { LINKTYPE_USER2, "USER2_PKTAP", link_pktap },
};

static int decode_link(int linktype, struct cursor *c, struct packet *p, int depth, bool *known)
{
    for (size_t i = 0; i < ARRAY_LEN(link_decoders); i++) {
        if (link_decoders[i].linktype == linktype) {
            *known = true;
            return link_decoders[i].decode(c, p, depth);
        }
    }
    *known = false;
    return NET_NONE;
}

bool decode_linktype_supported(int linktype)
{
    return decode_linktype_name(linktype) != NULL;
}

const char *decode_linktype_name(int linktype)
{
    for (size_t i = 0; i < ARRAY_LEN(link_decoders); i++)
        if (link_decoders[i].linktype == linktype)
            return link_decoders[i].name;
    return NULL;
}

static const char *const decode_status_names[] = {
    [DECODE_OK] = "ok",
    [DECODE_NOT_IP] = "not-ip",
    [DECODE_UNSUPPORTED_LINK] = "unsupported-link",
    [DECODE_MALFORMED] = "malformed",
    [DECODE_FRAGMENT] = "fragment",
};

const char *decode_status_name(enum decode_status s)
{
    return (unsigned)s < ARRAY_LEN(decode_status_names) ? decode_status_names[s] : "unknown";
}

/* ---- transport ---- */

static enum decode_status transport_udp(struct cursor *seg, struct packet *p)
{
    p->sport = cursor_u16be(seg);
    p->dport = cursor_u16be(seg);
    uint16_t len = cursor_u16be(seg);
    cursor_skip(seg, 2); /* checksum */
    if (!cursor_ok(seg) || len < UDP_HEADER_LEN)
        return DECODE_MALFORMED;
    /* The UDP length may promise more than was captured (snaplen) or than
     * IP carries: the payload is what is really there. */
    size_t want = (size_t)len - UDP_HEADER_LEN, present = cursor_left(seg);
    p->payload = cursor_take(seg, want < present ? want : present);
    return DECODE_OK;
}

static enum decode_status transport_tcp(struct cursor *seg, struct packet *p)
{
    p->sport = cursor_u16be(seg);
    p->dport = cursor_u16be(seg);
    p->tcp_seq = cursor_u32be(seg);
    cursor_skip(seg, 4); /* acknowledgement */
    uint8_t data_offset = cursor_u8(seg) >> 4;
    p->tcp_flags = cursor_u8(seg);
    cursor_skip(seg, 6); /* window, checksum, urgent pointer */
    if (!cursor_ok(seg) || data_offset < TCP_HEADER_MIN_WORDS)
        return DECODE_MALFORMED;
    if (!cursor_skip(seg, (data_offset - TCP_HEADER_MIN_WORDS) * 4u)) /* options */
        return DECODE_MALFORMED;
    p->payload = cursor_rest(seg);
    return DECODE_OK;
}

/* ESP: nothing to parse, but the bytes are evidence of IPsec. GRE and
 * IP-in-IP: the bytes are the tunnel step's input. */
static enum decode_status transport_opaque(struct cursor *seg, struct packet *p)
{
    p->payload = cursor_rest(seg);
    return DECODE_OK;
}

static const struct {
    uint8_t proto;
    enum decode_status (*decode)(struct cursor *seg, struct packet *p);
} transports[] = {
    { IPPROTO_UDP_, transport_udp },
    { IPPROTO_TCP_, transport_tcp },
    { IPPROTO_ESP_, transport_opaque },
    { IPPROTO_GRE_, transport_opaque },
    { IPPROTO_IPIP_, transport_opaque },
    { IPPROTO_IPV6_, transport_opaque },
};

/* seg: the IP payload. ICMP, GRE, … are OK with no ports and no payload.
 * A first fragment too short to hold its transport header (tiny fragments)
 * is a fragment like the others, not a broken packet. */
static enum decode_status transport(struct cursor *seg, struct packet *p)
{
    for (size_t i = 0; i < ARRAY_LEN(transports); i++) {
        if (transports[i].proto == p->l4_proto) {
            enum decode_status st = transports[i].decode(seg, p);
            return st == DECODE_MALFORMED && p->first_fragment ? DECODE_FRAGMENT : st;
        }
    }
    p->payload = cursor_take(seg, 0);
    return DECODE_OK;
}

/* ---- IP ---- */

/* Cuts the IP packet out of what follows the link header: its own length,
 * or less when the capture was cut short (snaplen). */
static struct cursor ip_packet(const struct cursor *c, size_t ip_len)
{
    struct cursor rest = cursor_rest(c);
    size_t present = cursor_left(&rest);
    return cursor_take(&rest, ip_len < present ? ip_len : present);
}

static enum decode_status decode_ipv4(struct cursor *c, struct packet *p)
{
    struct cursor h = cursor_rest(c);
    uint8_t version_ihl = cursor_u8(&h);
    cursor_skip(&h, 1); /* DSCP/ECN */
    uint16_t total_len = cursor_u16be(&h);
    cursor_skip(&h, 2); /* identification */
    uint16_t frag = cursor_u16be(&h);
    p->ttl = cursor_u8(&h);
    p->l4_proto = cursor_u8(&h);
    cursor_skip(&h, 2); /* checksum */
    uint8_t src[4], dst[4];
    cursor_copy(&h, src, sizeof src);
    cursor_copy(&h, dst, sizeof dst);
    size_t header_len = (size_t)(version_ihl & 0x0F) * 4u;
    if (!cursor_ok(&h) || (version_ihl >> 4) != 4 || header_len < IPV4_HEADER_MIN || total_len < header_len)
        return DECODE_MALFORMED;
    p->ip_version = 4;
    addr_from_v4(&p->src, src);
    addr_from_v4(&p->dst, dst);
    p->l3 = ip_packet(c, total_len);
    struct cursor seg = p->l3;
    if (!cursor_skip(&seg, header_len)) /* options cut off */
        return DECODE_MALFORMED;
    if (frag & IPV4_FRAG_OFFSET_MASK)
        return DECODE_FRAGMENT;
    p->first_fragment = (frag & IPV4_MORE_FRAGMENTS) != 0;
    seg = cursor_rest(&seg);
    return transport(&seg, p);
}

/* How an IPv6 extension header gives its length. */
enum ext_kind { EXT_OPTIONS, EXT_FRAGMENT, EXT_AH };

static const struct {
    uint8_t proto;
    enum ext_kind kind;
} ipv6_extensions[] = {
    { IPPROTO_HOPOPTS_, EXT_OPTIONS }, { IPPROTO_ROUTING_, EXT_OPTIONS }, { IPPROTO_DSTOPTS_, EXT_OPTIONS },
    { IPPROTO_FRAGMENT_, EXT_FRAGMENT }, { IPPROTO_AH_, EXT_AH },   { IPPROTO_MH_, EXT_OPTIONS },
    { IPPROTO_HIP_, EXT_OPTIONS },      { IPPROTO_SHIM6_, EXT_OPTIONS },
};

static bool ipv6_extension_kind(uint8_t proto, enum ext_kind *kind)
{
    for (size_t i = 0; i < ARRAY_LEN(ipv6_extensions); i++) {
        if (ipv6_extensions[i].proto == proto) {
            *kind = ipv6_extensions[i].kind;
            return true;
        }
    }
    return false;
}

static enum decode_status decode_ipv6(struct cursor *c, struct packet *p)
{
    struct cursor h = cursor_rest(c);
    uint32_t version_class_flow = cursor_u32be(&h);
    uint16_t payload_len = cursor_u16be(&h);
    uint8_t next = cursor_u8(&h);
    p->ttl = cursor_u8(&h);
    uint8_t src[16], dst[16];
    cursor_copy(&h, src, sizeof src);
    cursor_copy(&h, dst, sizeof dst);
    if (!cursor_ok(&h) || (version_class_flow >> 28) != 6)
        return DECODE_MALFORMED;
    p->ip_version = 6;
    addr_from_v6(&p->src, src);
    addr_from_v6(&p->dst, dst);
    p->l3 = ip_packet(c, IPV6_HEADER_LEN + (size_t)payload_len);
    struct cursor seg = p->l3;
    cursor_skip(&seg, IPV6_HEADER_LEN);
    enum ext_kind kind;
    int hops = 0;
    for (; ipv6_extension_kind(next, &kind); hops++) {
        if (hops == IPV6_EXT_HEADERS_MAX)
            return DECODE_MALFORMED;
        uint8_t following = cursor_u8(&seg);
        if (kind == EXT_FRAGMENT) {
            cursor_skip(&seg, 1); /* reserved */
            uint16_t offset_flags = cursor_u16be(&seg);
            cursor_skip(&seg, 4); /* identification */
            if (!cursor_ok(&seg))
                return DECODE_MALFORMED;
            p->l4_proto = following;
            if (offset_flags & IPV6_FRAG_OFFSET_MASK)
                return DECODE_FRAGMENT;
            p->first_fragment = (offset_flags & IPV6_MORE_FRAGMENTS) != 0;
        } else {
            uint8_t len = cursor_u8(&seg);
            /* Options count 8-octet units past the first 8; AH counts 4-octet
             * units past the first 8 (RFC 8200 §4.3, RFC 4302 §2.2). */
            size_t total = kind == EXT_AH ? ((size_t)len + 2) * 4u : ((size_t)len + 1) * 8u;
            cursor_skip(&seg, total - 2);
        }
        if (!cursor_ok(&seg))
            return DECODE_MALFORMED;
        next = following;
    }
    p->l4_proto = next;
    seg = cursor_rest(&seg);
    return transport(&seg, p);
}

/* ---- tunnels: the packet inside is the one that matters ----
 *
 * A DNS query inside GRE, IP-in-IP, VXLAN, Geneve, GTP-U or Teredo leaves
 * this host just as much as a bare one: the inner packet is audited, on the
 * interface the outer one used. Each step returns the inner network type
 * (an ethertype) with *inner positioned on it, NET_NONE when the packet is
 * not that tunnel after all, or NET_MALFORMED. */

enum {
    ENCAP_DEPTH_MAX = 4,
    PORT_VXLAN = 4789, PORT_VXLAN_GPE = 4790, PORT_GENEVE = 6081, PORT_GTP_U = 2152, PORT_TEREDO = 3544,
    GRE_CHECKSUM = 0x8000, GRE_ROUTING = 0x4000, GRE_KEY = 0x2000, GRE_SEQUENCE = 0x1000,
    GRE_ACK = 0x0080, GRE_VERSION_MASK = 0x0007, GRE_VERSION_PPTP = 1,
    ETHERTYPE_TEB = 0x6558,  /* transparent Ethernet bridging: an Ethernet frame follows */
    ETHERTYPE_PPP = 0x880B,
    VXLAN_FLAG_VNI = 0x08, VXLAN_HEADER_LEN = 8,
    GPE_NEXT_IPV4 = 1, GPE_NEXT_IPV6 = 2, GPE_NEXT_ETHERNET = 3,
    GENEVE_HEADER_LEN = 8, GENEVE_VERSION_MASK = 0xC0, GENEVE_OPT_LEN_MASK = 0x3F,
    GTP_VERSION_1 = 1, GTP_FLAG_PT = 0x10, GTP_FLAG_E = 0x04, GTP_FLAG_S = 0x02, GTP_FLAG_PN = 0x01,
    GTP_MSG_G_PDU = 0xFF, GTP_HEADER_LEN = 8, GTP_EXT_HEADERS_MAX = 8,
    TEREDO_AUTH = 0x0001, TEREDO_ORIGIN = 0x0000, TEREDO_ORIGIN_LEN = 8,
};

/* The network type of what follows a tunnel's own header: IP by ethertype,
 * or an Ethernet frame (whose VLAN tags are peeled as usual). */
static int encap_payload(struct cursor *c, struct packet *p, uint16_t ethertype)
{
    if (ethertype == ETHERTYPE_TEB)
        return link_ethernet(c, p, 0);
    if (ethertype == ETHERTYPE_PPP)
        return link_ppp(c, p, 0);
    return ethertype == ETHERTYPE_IPV4 || ethertype == ETHERTYPE_IPV6 ? ethertype : NET_NONE;
}

/* GRE (RFC 2784/2890) and PPTP's enhanced GRE (RFC 2637, version 1, PPP inside). */
static int encap_gre(struct cursor *c, struct packet *p)
{
    uint16_t flags = cursor_u16be(c);
    uint16_t proto = cursor_u16be(c);
    if (!cursor_ok(c) || (flags & GRE_ROUTING))
        return NET_MALFORMED;
    unsigned version = flags & GRE_VERSION_MASK;
    if (version > GRE_VERSION_PPTP)
        return NET_NONE;
    size_t optional = ((flags & GRE_CHECKSUM) ? 4u : 0u) + ((flags & GRE_KEY) ? 4u : 0u) +
                      ((flags & GRE_SEQUENCE) ? 4u : 0u) +
                      ((version == GRE_VERSION_PPTP && (flags & GRE_ACK)) ? 4u : 0u);
    if (!cursor_skip(c, optional))
        return NET_MALFORMED;
    if (version == GRE_VERSION_PPTP && proto != ETHERTYPE_PPP)
        return NET_NONE;
    return encap_payload(c, p, proto);
}

static int encap_vxlan(struct cursor *c, struct packet *p)
{
    uint8_t flags = cursor_u8(c);
    if (!cursor_skip(c, VXLAN_HEADER_LEN - 1))
        return NET_MALFORMED;
    return (flags & VXLAN_FLAG_VNI) ? link_ethernet(c, p, 0) : NET_NONE;
}

/* VXLAN-GPE (IANA port 4790): the next-protocol byte says what follows.
 * Like tshark we follow it even when the P flag is clear. */
static int encap_vxlan_gpe(struct cursor *c, struct packet *p)
{
    cursor_skip(c, 3); /* flags, reserved */
    uint8_t next = cursor_u8(c);
    if (!cursor_skip(c, 4)) /* VNI, reserved */
        return NET_MALFORMED;
    static const int next_protocol[] = { [GPE_NEXT_IPV4] = ETHERTYPE_IPV4, [GPE_NEXT_IPV6] = ETHERTYPE_IPV6 };
    if (next == GPE_NEXT_ETHERNET)
        return link_ethernet(c, p, 0);
    return next < ARRAY_LEN(next_protocol) && next_protocol[next] ? next_protocol[next] : NET_NONE;
}

static int encap_geneve(struct cursor *c, struct packet *p)
{
    uint8_t ver_optlen = cursor_u8(c);
    cursor_skip(c, 1); /* flags */
    uint16_t proto = cursor_u16be(c);
    cursor_skip(c, 4); /* VNI, reserved */
    if (!cursor_ok(c))
        return NET_MALFORMED;
    if (ver_optlen & GENEVE_VERSION_MASK)
        return NET_NONE;
    if (!cursor_skip(c, (size_t)(ver_optlen & GENEVE_OPT_LEN_MASK) * 4u))
        return NET_MALFORMED;
    return encap_payload(c, p, proto);
}

/* GTP-U (3GPP TS 29.281): user-plane IP inside a mobile core's tunnel. */
static int encap_gtp_u(struct cursor *c, struct packet *p)
{
    uint8_t flags = cursor_u8(c);
    uint8_t type = cursor_u8(c);
    cursor_skip(c, 2 + 4); /* length, TEID */
    if (!cursor_ok(c))
        return NET_MALFORMED;
    if ((flags >> 5) != GTP_VERSION_1 || !(flags & GTP_FLAG_PT) || type != GTP_MSG_G_PDU)
        return NET_NONE;
    if (flags & (GTP_FLAG_E | GTP_FLAG_S | GTP_FLAG_PN)) {
        cursor_skip(c, 3); /* sequence number, N-PDU number */
        uint8_t next = cursor_u8(c);
        for (int n = 0; (flags & GTP_FLAG_E) && next; n++) {
            uint8_t units = cursor_u8(c); /* the extension's length in 4-octet units */
            if (n == GTP_EXT_HEADERS_MAX || units == 0 || !cursor_skip(c, (size_t)units * 4u - 2u))
                return NET_MALFORMED;
            next = cursor_u8(c);
        }
        if (!cursor_ok(c))
            return NET_MALFORMED;
    }
    return raw_ip_version(c);
}

/* Teredo (RFC 4380): IPv6 in UDP, maybe after authentication and origin
 * indications. */
static int encap_teredo(struct cursor *c, struct packet *p)
{
    if (cursor_peek_u16be(c, 0) == TEREDO_AUTH) {
        cursor_skip(c, 2);
        uint8_t id_len = cursor_u8(c);
        uint8_t auth_len = cursor_u8(c);
        cursor_skip(c, (size_t)id_len + auth_len + 8u + 1u); /* nonce, confirmation */
    }
    if (cursor_peek_u16be(c, 0) == TEREDO_ORIGIN)
        cursor_skip(c, TEREDO_ORIGIN_LEN);
    if (!cursor_ok(c))
        return NET_MALFORMED;
    return raw_ip_version(c) == ETHERTYPE_IPV6 ? ETHERTYPE_IPV6 : NET_NONE;
}

static const struct {
    uint8_t l4_proto;
    uint16_t port;             /* UDP destination (or source) port; 0 for IP protocols */
    const char *name;
    int (*inner)(struct cursor *c, struct packet *p);
} encapsulations[] = {
    { IPPROTO_GRE_, 0, "GRE", encap_gre },
    { IPPROTO_UDP_, PORT_VXLAN, "VXLAN", encap_vxlan },
    { IPPROTO_UDP_, PORT_VXLAN_GPE, "VXLAN-GPE", encap_vxlan_gpe },
    { IPPROTO_UDP_, PORT_GENEVE, "Geneve", encap_geneve },
    { IPPROTO_UDP_, PORT_GTP_U, "GTP-U", encap_gtp_u },
    { IPPROTO_UDP_, PORT_TEREDO, "Teredo", encap_teredo },
};

/* The tunnel this decoded packet is, with *c on its inner packet. */
static int encap_inner(struct packet *p, struct cursor *c, const char **name)
{
    if (p->l4_proto == IPPROTO_IPIP_ || p->l4_proto == IPPROTO_IPV6_) {
        *c = p->payload;
        *name = p->l4_proto == IPPROTO_IPIP_ ? "IPIP" : "6in4";
        return p->l4_proto == IPPROTO_IPIP_ ? ETHERTYPE_IPV4 : ETHERTYPE_IPV6;
    }
    for (size_t i = 0; i < ARRAY_LEN(encapsulations); i++) {
        if (encapsulations[i].l4_proto != p->l4_proto ||
            (encapsulations[i].port && encapsulations[i].port != p->dport && encapsulations[i].port != p->sport))
            continue;
        *c = p->payload;
        *name = encapsulations[i].name;
        return encapsulations[i].inner(c, p);
    }
    return NET_NONE;
}

static enum decode_status decode_network(int net, struct cursor *c, struct packet *p)
{
    if (net == NET_MALFORMED)
        return DECODE_MALFORMED;
    if (net == ETHERTYPE_IPV4)
        return decode_ipv4(c, p);
    if (net == ETHERTYPE_IPV6)
        return decode_ipv6(c, p);
    return DECODE_NOT_IP;
}

/* Replaces *p by the packet its tunnel carries, keeping what the link layer
 * said (interface, direction, VLAN). A carrier whose inside does not decode
 * stays what it was: an ordinary UDP/GRE packet. */
static enum decode_status decode_tunnels(struct packet *p)
{
    for (int depth = 0; depth < ENCAP_DEPTH_MAX; depth++) {
        struct packet inner = *p;
        struct cursor c;
        const char *name = NULL;
        int net = encap_inner(&inner, &c, &name);
        if (net == NET_NONE || net == NET_MALFORMED)
            return DECODE_OK;
        memset(&inner.ip_version, 0, sizeof inner - offsetof(struct packet, ip_version));
        enum decode_status st = decode_network(net, &c, &inner);
        if (st == DECODE_NOT_IP || st == DECODE_MALFORMED)
            return DECODE_OK;
        inner.encap = p->encap ? p->encap : name;
        inner.encap_depth = (uint8_t)(p->encap_depth + 1);
        *p = inner;
        if (st != DECODE_OK)
            return st; /* an inner fragment */
    }
    return DECODE_OK;
}

enum decode_status decode_frame_general(const struct frame *f, struct packet *out)
{
    memset(out, 0, sizeof *out);
    out->frame = f;
    out->dir = f->dir; /* pcapng epb_flags, unless the link header says better */
    struct cursor c = cursor_make(f->data, f->caplen);
    bool known;
    int net = decode_link(f->linktype, &c, out, 0, &known);
    if (!known)
        return DECODE_UNSUPPORTED_LINK;
    enum decode_status st = decode_network(net, &c, out);
    return st == DECODE_OK ? decode_tunnels(out) : st;
}

/* ---- the fast path: the shape nearly every frame has ----
 *
 * Ethernet, SLL2 or raw IP; IPv4 (not a later fragment) or IPv6 without
 * extension headers; UDP on a port no tunnel uses, or TCP. The general
 * decoders above take it through a table walk, a call per layer and a copy
 * of the packet for the tunnel check (~400 instructions a frame); here each
 * fixed header is cut out once with cursor_take(), so the reads inside it run
 * on a cursor of known length and their checks fold away (~100). Anything
 * else, short or odd is declined and decoded the general way from scratch:
 * what this path returns is exactly what that one would (tests/test_decode.c
 * and fuzz_decode compare the two). */

enum { FAST_DECLINED = -1, SLL2_HEADER_LEN = 20, ETHERNET_HEADER_LEN = 14 };

static bool is_tunnel_port(uint16_t port)
{
    /* most ports are outside 2152..6081 altogether: one compare for them */
    return port >= PORT_GTP_U && port <= PORT_GENEVE &&
           (port == PORT_VXLAN || port == PORT_VXLAN_GPE || port == PORT_GENEVE || port == PORT_GTP_U ||
            port == PORT_TEREDO);
}

/* seg: the IP payload. UDP and TCP as transport_udp()/transport_tcp() read
 * them. Inlined into both IP versions: the cursors then stay in registers. */
__attribute__((always_inline)) static inline int fast_transport(struct cursor *seg, struct packet *p)
{
    if (p->l4_proto == IPPROTO_UDP_) {
        struct cursor h = cursor_take(seg, UDP_HEADER_LEN);
        if (!cursor_ok(&h))
            return FAST_DECLINED;
        p->sport = cursor_u16be(&h);
        p->dport = cursor_u16be(&h);
        uint16_t len = cursor_u16be(&h);
        if (len < UDP_HEADER_LEN || is_tunnel_port(p->sport) || is_tunnel_port(p->dport))
            return FAST_DECLINED; /* broken, or decode_tunnels() has a look inside */
        size_t want = (size_t)len - UDP_HEADER_LEN, present = cursor_left(seg);
        p->payload = cursor_take(seg, want < present ? want : present);
        return DECODE_OK;
    }
    if (p->l4_proto == IPPROTO_TCP_) {
        struct cursor h = cursor_take(seg, TCP_HEADER_MIN_WORDS * 4u);
        if (!cursor_ok(&h))
            return FAST_DECLINED;
        p->sport = cursor_u16be(&h);
        p->dport = cursor_u16be(&h);
        p->tcp_seq = cursor_u32be(&h);
        cursor_skip(&h, 4); /* acknowledgement */
        uint8_t data_offset = cursor_u8(&h) >> 4;
        p->tcp_flags = cursor_u8(&h);
        if (data_offset < TCP_HEADER_MIN_WORDS || !cursor_skip(seg, (data_offset - TCP_HEADER_MIN_WORDS) * 4u))
            return FAST_DECLINED;
        p->payload = cursor_rest(seg);
        return DECODE_OK;
    }
    return FAST_DECLINED;
}

static int fast_ipv4(const struct cursor *c, struct packet *p)
{
    struct cursor rest = cursor_rest(c);
    struct cursor h = cursor_take(&rest, IPV4_HEADER_MIN);
    if (!cursor_ok(&h))
        return FAST_DECLINED;
    uint8_t version_ihl = cursor_u8(&h);
    cursor_skip(&h, 1); /* DSCP/ECN */
    uint16_t total_len = cursor_u16be(&h);
    cursor_skip(&h, 2); /* identification */
    uint16_t frag = cursor_u16be(&h);
    uint8_t ttl = cursor_u8(&h);
    uint8_t proto = cursor_u8(&h);
    cursor_skip(&h, 2); /* checksum */
    size_t header_len = (size_t)(version_ihl & 0x0F) * 4u;
    if ((version_ihl >> 4) != 4 || header_len < IPV4_HEADER_MIN || total_len < header_len ||
        (frag & IPV4_FRAG_OFFSET_MASK))
        return FAST_DECLINED;
    p->ip_version = 4;
    p->ttl = ttl;
    p->l4_proto = proto;
    p->src = (struct ip_addr){ .family = 4 }; /* as addr_from_v4() */
    cursor_copy(&h, p->src.bytes, 4);
    p->dst = (struct ip_addr){ .family = 4 };
    cursor_copy(&h, p->dst.bytes, 4);
    p->l3 = ip_packet(c, total_len);
    struct cursor seg = p->l3;
    if (!cursor_skip(&seg, header_len)) /* options cut off */
        return FAST_DECLINED;
    p->first_fragment = (frag & IPV4_MORE_FRAGMENTS) != 0;
    seg = cursor_rest(&seg);
    return fast_transport(&seg, p);
}

static int fast_ipv6(const struct cursor *c, struct packet *p)
{
    struct cursor rest = cursor_rest(c);
    struct cursor h = cursor_take(&rest, IPV6_HEADER_LEN);
    if (!cursor_ok(&h))
        return FAST_DECLINED;
    uint32_t version_class_flow = cursor_u32be(&h);
    uint16_t payload_len = cursor_u16be(&h);
    uint8_t next = cursor_u8(&h);
    uint8_t hop_limit = cursor_u8(&h);
    if ((version_class_flow >> 28) != 6 || (next != IPPROTO_UDP_ && next != IPPROTO_TCP_))
        return FAST_DECLINED; /* extension headers among the rest */
    p->ip_version = 6;
    p->ttl = hop_limit;
    p->l4_proto = next;
    p->src.family = 6; /* as addr_from_v6() */
    cursor_copy(&h, p->src.bytes, 16);
    p->dst.family = 6;
    cursor_copy(&h, p->dst.bytes, 16);
    p->l3 = ip_packet(c, IPV6_HEADER_LEN + (size_t)payload_len);
    struct cursor seg = p->l3;
    cursor_skip(&seg, IPV6_HEADER_LEN);
    seg = cursor_rest(&seg);
    return fast_transport(&seg, p);
}

/* The link header, as link_ethernet()/link_sll2()/link_raw() read it when
 * IP follows at once: the ethertype, or FAST_DECLINED. */
static int fast_link(int linktype, struct cursor *c, struct packet *p)
{
    switch (linktype) {
    case LINKTYPE_EN10MB: {
        struct cursor h = cursor_take(c, ETHERNET_HEADER_LEN);
        if (!cursor_ok(&h))
            return FAST_DECLINED;
        cursor_skip(&h, 12); /* destination, source */
        return cursor_u16be(&h);
    }
    case LINKTYPE_LINUX_SLL2: {
        struct cursor h = cursor_take(c, SLL2_HEADER_LEN);
        if (!cursor_ok(&h))
            return FAST_DECLINED;
        uint16_t protocol = cursor_u16be(&h);
        cursor_skip(&h, 2); /* reserved */
        uint32_t ifindex = cursor_u32be(&h);
        p->hatype = cursor_u16be(&h);
        uint8_t pkttype = cursor_u8(&h);
        p->ifindex = ifindex <= INT32_MAX ? (int)ifindex : 0;
        set_sll_direction(p, pkttype);
        return protocol;
    }
    case LINKTYPE_RAW:
    case LINKTYPE_DLT_RAW:
        return raw_ip_version(c);
    default:
        return FAST_DECLINED;
    }
}

enum decode_status decode_frame(const struct frame *f, struct packet *out)
{
    /* Field by field, not a 152-byte clear: the fast path writes the rest
     * (src/dst, l3, ports, payload) itself, and a decline starts over. */
    out->frame = f;
    out->ifindex = 0;
    out->hatype = 0;
    out->dir = f->dir;
    out->vlan = 0;
    out->encap = NULL;
    out->encap_depth = 0;
    out->first_fragment = false;
    out->tcp_seq = 0;
    out->tcp_flags = 0;
    struct cursor c = cursor_make(f->data, f->caplen);
    int net = fast_link(f->linktype, &c, out);
    int st = net == ETHERTYPE_IPV4 ? fast_ipv4(&c, out) : net == ETHERTYPE_IPV6 ? fast_ipv6(&c, out) : FAST_DECLINED;
    return st == FAST_DECLINED ? decode_frame_general(f, out) : (enum decode_status)st;
}
