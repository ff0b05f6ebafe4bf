/* packet_same.h — whether two decoded packets say the same thing, field by
 * field (padding aside): decode_frame's fast path against the general
 * decoders (tests/test_decode.c, tests/fuzz/fuzz_decode.c). No GLib, so the
 * fuzz entries can use it. */
#ifndef LEAKAUDIT_PACKET_SAME_H
#define LEAKAUDIT_PACKET_SAME_H

#include <stdbool.h>
#include <string.h>

#include "decode.h"

static inline bool cursor_same(const struct cursor *a, const struct cursor *b)
{
    return a->base == b->base && a->len == b->len && a->off == b->off && a->overrun == b->overrun;
}

static inline bool ip_addr_same(const struct ip_addr *a, const struct ip_addr *b)
{
    return a->family == b->family && memcmp(a->bytes, b->bytes, sizeof a->bytes) == 0;
}

/* The name of the first field that differs, or NULL when none does. */
static inline const char *packet_difference(const struct packet *a, const struct packet *b)
{
#define PACKET_SAME_FIELD(f) \
    if (a->f != b->f)        \
        return #f;
    PACKET_SAME_FIELD(frame)
    PACKET_SAME_FIELD(ifindex)
    PACKET_SAME_FIELD(hatype)
    PACKET_SAME_FIELD(dir)
    PACKET_SAME_FIELD(vlan)
    PACKET_SAME_FIELD(encap)
    PACKET_SAME_FIELD(encap_depth)
    PACKET_SAME_FIELD(ip_version)
    PACKET_SAME_FIELD(ttl)
    PACKET_SAME_FIELD(l4_proto)
    PACKET_SAME_FIELD(first_fragment)
    PACKET_SAME_FIELD(sport)
    PACKET_SAME_FIELD(dport)
    PACKET_SAME_FIELD(tcp_seq)
    PACKET_SAME_FIELD(tcp_flags)
#undef PACKET_SAME_FIELD
    if (!ip_addr_same(&a->src, &b->src))
        return "src";
    if (!ip_addr_same(&a->dst, &b->dst))
        return "dst";
    if (!cursor_same(&a->l3, &b->l3))
        return "l3";
    if (!cursor_same(&a->payload, &b->payload))
        return "payload";
    return NULL;
}

#endif
