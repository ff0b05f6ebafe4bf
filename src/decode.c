/* decode.c — see decode.h. Link layer → IPv4/IPv6 → UDP/TCP, all through
 * struct cursor. */
#include "decode.h"

#include <string.h>

enum {
    LT_NULL = 0, LT_EN10MB = 1, LT_PPP = 9, LT_RAW12 = 12, LT_PPP_HDLC = 50, LT_RAW = 101, LT_LOOP = 108,
    LT_LINUX_SLL = 113, LT_NFLOG = 239, LT_IPV4 = 228, LT_IPV6 = 229, LT_LINUX_SLL2 = 276,
    ETH_IPV4 = 0x0800, ETH_IPV6 = 0x86dd, ETH_VLAN = 0x8100, ETH_QINQ = 0x88a8, ETH_QINQ_OLD = 0x9100, ETH_PPPOE_SESSION = 0x8864,
    PROTO_HOPOPTS = 0, PROTO_TCP = 6, PROTO_UDP = 17, PROTO_ROUTING = 43, PROTO_FRAGMENT = 44, PROTO_ESP = 50,
    PROTO_AH = 51, PROTO_NONE = 59, PROTO_DSTOPTS = 60,
};

/* SLL/SLL2 packet types → direction. */
static enum direction sll_direction(uint16_t pkttype)
{
    switch (pkttype) {
    case 0: case 1: case 2: return DIR_IN;
    case 3: return DIR_OTHER_HOST;
    case 4: return DIR_OUT;
    default: return DIR_UNKNOWN;
    }
}

static const struct { int linktype; const char *name; } linktype_names[] = {
    { LT_NULL, "NULL" }, { LT_EN10MB, "EN10MB" }, { LT_PPP, "PPP" }, { LT_RAW12, "RAW" },
    { LT_PPP_HDLC, "PPP_HDLC" }, { LT_RAW, "RAW" }, { LT_LOOP, "LOOP" }, { LT_LINUX_SLL, "LINUX_SLL" },
    { LT_NFLOG, "NFLOG" }, { LT_IPV4, "IPV4" }, { LT_IPV6, "IPV6" }, { LT_LINUX_SLL2, "LINUX_SLL2" },
};

bool decode_linktype_supported(int linktype)
{
    return decode_linktype_name(linktype) != NULL;
}

const char *decode_linktype_name(int linktype)
{
    for (size_t i = 0; i < sizeof linktype_names / sizeof linktype_names[0]; i++)
        if (linktype_names[i].linktype == linktype)
            return linktype_names[i].name;
    return NULL;
}

const char *decode_status_name(enum decode_status s)
{
    static const char *const names[] = { "ok", "not-ip", "unsupported-link", "malformed", "fragment" };
    return (unsigned)s < sizeof names / sizeof names[0] ? names[s] : "unknown";
}

/* Returns the ethertype-like protocol of the network layer, 0 for none. */
static int link_layer(const struct frame *f, struct cursor *c, struct packet *p)
{
    switch (f->linktype) {
    case LT_EN10MB: {
        cursor_skip(c, 12);
        uint16_t type = cursor_u16be(c);
        for (int tags = 0; (type == ETH_VLAN || type == ETH_QINQ || type == ETH_QINQ_OLD) && tags < 4; tags++) {
            uint16_t tci = cursor_u16be(c);
            if (!p->vlan)
                p->vlan = tci & 0x0fff;
            type = cursor_u16be(c);
        }
        if (type == ETH_PPPOE_SESSION) { /* DSL: PPPoE header, then a PPP protocol number */
            cursor_skip(c, 6);
            uint16_t ppp = cursor_u16be(c);
            type = ppp == 0x0021 ? ETH_IPV4 : ppp == 0x0057 ? ETH_IPV6 : 0;
        }
        return cursor_ok(c) ? type : -1;
    }
    case LT_LINUX_SLL: {
        uint16_t pkttype = cursor_u16be(c);
        p->hatype = cursor_u16be(c);
        cursor_skip(c, 10); /* address length + 8-byte address */
        uint16_t proto = cursor_u16be(c);
        p->dir = sll_direction(pkttype);
        return cursor_ok(c) ? proto : -1;
    }
    case LT_LINUX_SLL2: {
        uint16_t proto = cursor_u16be(c);
        cursor_skip(c, 2);
        p->ifindex = (int)cursor_u32be(c);
        p->hatype = cursor_u16be(c);
        p->dir = sll_direction(cursor_u8(c));
        cursor_skip(c, 9); /* address length + 8-byte address */
        if (p->ifindex < 0)
            p->ifindex = 0;
        return cursor_ok(c) ? proto : -1;
    }
    case LT_RAW12: case LT_RAW: case LT_IPV4: case LT_IPV6: {
        int v = cursor_peek_u8(c, 0);
        if (v < 0)
            return -1;
        return (v >> 4) == 4 ? ETH_IPV4 : (v >> 4) == 6 ? ETH_IPV6 : 0;
    }
    case LT_NULL: case LT_LOOP: {
        uint32_t af_be = cursor_u32be(c);
        if (!cursor_ok(c))
            return -1;
        /* NULL stores AF in the writer's byte order: accept both. */
        uint32_t af_le = __builtin_bswap32(af_be);
        uint32_t af = (af_be < 256) ? af_be : af_le;
        if (af == 2)
            return ETH_IPV4;
        if (af == 24 || af == 28 || af == 30 || af == 10)
            return ETH_IPV6;
        return 0;
    }
    case LT_PPP: case LT_PPP_HDLC: {
        if (cursor_peek_u8(c, 0) == 0xff && cursor_peek_u8(c, 1) == 0x03)
            cursor_skip(c, 2);
        uint16_t proto = cursor_u16be(c);
        if (!cursor_ok(c))
            return -1;
        return proto == 0x0021 ? ETH_IPV4 : proto == 0x0057 ? ETH_IPV6 : 0;
    }
    case LT_NFLOG: {
        uint8_t family = cursor_u8(c);
        cursor_skip(c, 3);
        while (cursor_left(c) >= 4) {
            uint16_t len = cursor_u16le(c), type = cursor_u16le(c);
            if (len < 4)
                return -1;
            if (type == 9) { /* NFULA_PAYLOAD */
                *c = cursor_take(c, len - 4u);
                return family == 2 ? ETH_IPV4 : family == 10 ? ETH_IPV6 : 0;
            }
            cursor_skip(c, ((len + 3u) & ~3u) - 4u);
        }
        return cursor_ok(c) ? 0 : -1;
    }
    default:
        return -2;
    }
}

static enum decode_status transport(struct cursor *c, struct packet *p)
{
    if (p->l4_proto == PROTO_UDP) {
        p->sport = cursor_u16be(c);
        p->dport = cursor_u16be(c);
        uint16_t len = cursor_u16be(c);
        cursor_skip(c, 2);
        if (!cursor_ok(c) || len < 8)
            return DECODE_MALFORMED;
        size_t present = cursor_left(c);
        p->payload = cursor_take(c, (size_t)(len - 8) < present ? (size_t)(len - 8) : present);
        return DECODE_OK;
    }
    if (p->l4_proto == PROTO_TCP) {
        p->sport = cursor_u16be(c);
        p->dport = cursor_u16be(c);
        p->tcp_seq = cursor_u32be(c);
        cursor_skip(c, 4);
        uint8_t off = cursor_u8(c) >> 4;
        p->tcp_flags = cursor_u8(c);
        cursor_skip(c, 6);
        if (!cursor_ok(c) || off < 5 || !cursor_skip(c, (off - 5u) * 4u))
            return DECODE_MALFORMED;
        p->payload = cursor_rest(c);
        return DECODE_OK;
    }
    p->payload = cursor_rest(c);
    if (p->l4_proto != PROTO_ESP)
        p->payload.len = p->payload.off; /* nothing to audit in other protocols */
    return DECODE_OK;
}

static enum decode_status ipv4(struct cursor *c, struct packet *p)
{
    struct cursor start = cursor_rest(c);
    uint8_t vihl = cursor_u8(c);
    if (!cursor_ok(c) || (vihl >> 4) != 4 || (vihl & 0x0f) < 5)
        return DECODE_MALFORMED;
    size_t hlen = (vihl & 0x0f) * 4u;
    cursor_skip(c, 1);
    uint16_t total = cursor_u16be(c);
    cursor_skip(c, 2);
    uint16_t frag = cursor_u16be(c);
    p->ttl = cursor_u8(c);
    p->l4_proto = cursor_u8(c);
    cursor_skip(c, 2);
    uint8_t src[4], dst[4];
    cursor_copy(c, src, 4);
    cursor_copy(c, dst, 4);
    if (!cursor_ok(c) || total < hlen)
        return DECODE_MALFORMED;
    addr_from_v4(&p->src, src);
    addr_from_v4(&p->dst, dst);
    p->ip_version = 4;
    size_t present = cursor_left(&start);
    p->l3 = cursor_take(&start, total < present ? total : present);
    struct cursor body = p->l3;
    if (!cursor_skip(&body, hlen))
        return DECODE_MALFORMED;
    if (frag & 0x1fff)
        return DECODE_FRAGMENT;
    p->first_fragment = (frag & 0x2000) != 0;
    return transport(&body, p);
}

static enum decode_status ipv6(struct cursor *c, struct packet *p)
{
    struct cursor start = cursor_rest(c);
    uint32_t vtf = cursor_u32be(c);
    uint16_t plen = cursor_u16be(c);
    uint8_t next = cursor_u8(c);
    p->ttl = cursor_u8(c);
    uint8_t src[16], dst[16];
    cursor_copy(c, src, 16);
    cursor_copy(c, dst, 16);
    if (!cursor_ok(c) || (vtf >> 28) != 6)
        return DECODE_MALFORMED;
    addr_from_v6(&p->src, src);
    addr_from_v6(&p->dst, dst);
    p->ip_version = 6;
    size_t present = cursor_left(&start);
    size_t total = 40u + plen;
    p->l3 = cursor_take(&start, total < present ? total : present);
    struct cursor body = p->l3;
    cursor_skip(&body, 40);
    for (int hops = 0; hops < 8; hops++) {
        if (next == PROTO_HOPOPTS || next == PROTO_ROUTING || next == PROTO_DSTOPTS) {
            next = cursor_u8(&body);
            uint8_t len = cursor_u8(&body);
            cursor_skip(&body, len * 8u + 6u);
        } else if (next == PROTO_FRAGMENT) {
            next = cursor_u8(&body);
            cursor_skip(&body, 1);
            uint16_t off = cursor_u16be(&body);
            cursor_skip(&body, 4);
            if (!cursor_ok(&body))
                return DECODE_MALFORMED;
            if (off & 0xfff8)
                return DECODE_FRAGMENT;
            p->first_fragment = (off & 1) != 0;
        } else if (next == PROTO_AH) {
            next = cursor_u8(&body);
            uint8_t len = cursor_u8(&body);
            cursor_skip(&body, len * 4u + 6u);
        } else {
            break;
        }
        if (!cursor_ok(&body))
            return DECODE_MALFORMED;
    }
    p->l4_proto = next;
    return transport(&body, p);
}

enum decode_status decode_frame(const struct frame *f, struct packet *out)
{
    memset(out, 0, sizeof *out);
    out->frame = f;
    out->dir = f->dir;
    struct cursor c = cursor_make(f->data, f->caplen);
    int proto = link_layer(f, &c, out);
    if (out->dir == DIR_UNKNOWN)
        out->dir = f->dir;
    if (proto == -2)
        return DECODE_UNSUPPORTED_LINK;
    if (proto < 0)
        return DECODE_MALFORMED;
    if (proto == ETH_IPV4)
        return ipv4(&c, out);
    if (proto == ETH_IPV6)
        return ipv6(&c, out);
    return DECODE_NOT_IP;
}
