/* sockdiag.c — see sockdiag.h. */
#include "sockdiag.h"

#include <errno.h>
#include <glib.h>
#include <linux/inet_diag.h>
#include <linux/netlink.h>
#include <linux/sock_diag.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "cursor.h"

/* Netlink is host-endian; leakaudit's targets are little-endian Linux. */
_Static_assert(__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__, "netlink parsing assumes little-endian host");

enum { NLHDR_LEN = 16, DIAG_MSG_LEN = 72 };

static bool parse_entry(struct cursor *c, struct sockdiag_entry *e)
{
    memset(e, 0, sizeof *e);
    e->family = cursor_u8(c);
    e->state = cursor_u8(c);
    cursor_skip(c, 2); /* timer, retrans */
    e->sport = cursor_u16be(c);
    e->dport = cursor_u16be(c);
    cursor_copy(c, e->src, 16);
    cursor_copy(c, e->dst, 16);
    e->ifindex = cursor_u32le(c);
    uint64_t lo = cursor_u32le(c), hi = cursor_u32le(c);
    e->cookie = hi << 32 | lo;
    cursor_skip(c, 12); /* expires, rqueue, wqueue */
    e->uid = cursor_u32le(c);
    e->inode = cursor_u32le(c);
    if (!cursor_ok(c))
        return false;
    if (e->family == AF_INET) { /* only the first word is the address */
        memset(e->src + 4, 0, 12);
        memset(e->dst + 4, 0, 12);
    } else if (e->family != AF_INET6) {
        return false;
    }
    return true;
}

int sockdiag_parse(const void *buf, size_t len, sockdiag_entry_fn fn, void *user, bool *done, int *nl_error)
{
    struct cursor all = cursor_make(buf, len);
    int entries = 0;
    *done = false;
    *nl_error = 0;
    while (cursor_left(&all) > 0 && !*done) {
        struct cursor h = all;
        uint32_t mlen = cursor_u32le(&h);
        uint16_t type = cursor_u16le(&h);
        if (!cursor_ok(&h) || mlen < NLHDR_LEN || mlen > cursor_left(&all))
            return -1;
        struct cursor m = cursor_take(&all, mlen);
        cursor_skip(&all, NLMSG_ALIGN(mlen) - mlen < cursor_left(&all) ? NLMSG_ALIGN(mlen) - mlen
                                                                       : cursor_left(&all));
        cursor_skip(&m, NLHDR_LEN);
        struct cursor body = cursor_rest(&m);
        switch (type) {
        case NLMSG_DONE:
            *done = true;
            if (cursor_left(&body) >= 4) {
                int32_t v = (int32_t)cursor_u32le(&body);
                if (v < 0)
                    *nl_error = v;
            }
            break;
        case NLMSG_ERROR: {
            if (cursor_left(&body) < 4)
                return -1;
            int32_t v = (int32_t)cursor_u32le(&body);
            *nl_error = v;
            *done = true; /* an ack (0) or an error ends the request either way */
            break;
        }
        case SOCK_DIAG_BY_FAMILY: {
            struct sockdiag_entry e;
            if (cursor_left(&body) < DIAG_MSG_LEN || !parse_entry(&body, &e))
                return -1;
            entries++;
            if (fn)
                fn(&e, user);
            break;
        }
        default:
            break; /* NLMSG_NOOP, NLMSG_OVERRUN: nothing for us */
        }
    }
    return entries;
}

static bool all_zero(const uint8_t *a, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (a[i])
            return false;
    return true;
}

/* The entry's address (its family) equals the tuple's (v4 may sit v4-mapped in a v6 socket). */
static bool addr_same(uint8_t entry_family, const uint8_t *ea, uint8_t family, const uint8_t *ta)
{
    if (entry_family == AF_INET)
        return family == 4 && memcmp(ea, ta, 4) == 0;
    if (family == 6)
        return memcmp(ea, ta, 16) == 0;
    static const uint8_t mapped[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff };
    return memcmp(ea, mapped, 12) == 0 && memcmp(ea + 12, ta, 4) == 0;
}

static bool addr_wild(uint8_t entry_family, const uint8_t *ea)
{
    return all_zero(ea, entry_family == AF_INET ? 4 : 16);
}

enum sockdiag_match sockdiag_match(const struct sockdiag_entry *e, const struct flow_tuple *t, uint32_t ifindex)
{
    if (e->sport != t->sport)
        return SOCKDIAG_NO_MATCH;
    if (e->family == AF_INET && t->family != 4)
        return SOCKDIAG_NO_MATCH;
    if (!addr_same(e->family, e->src, t->family, t->saddr) && !addr_wild(e->family, e->src))
        return SOCKDIAG_NO_MATCH;
    if (e->ifindex && ifindex && e->ifindex != ifindex)
        return SOCKDIAG_NO_MATCH; /* bound to another device: it cannot have sent this */
    if (e->dport == t->dport && addr_same(e->family, e->dst, t->family, t->daddr))
        return SOCKDIAG_MATCH_EXACT;
    if (t->proto == IPPROTO_UDP && e->dport == 0 && addr_wild(e->family, e->dst))
        return SOCKDIAG_MATCH_UNCONNECTED;
    return SOCKDIAG_NO_MATCH;
}

static void put_addr(uint32_t out[4], int family, const uint8_t *a)
{
    memset(out, 0, 16);
    if (family == 4 || family == AF_INET)
        memcpy(out, a, 4);
    else
        memcpy(out, a, 16);
}

size_t sockdiag_build_request(void *buf, size_t cap, int family, const struct flow_tuple *t, bool dump,
                              uint32_t ifindex, uint32_t seq)
{
    struct {
        struct nlmsghdr nh;
        struct inet_diag_req_v2 r;
    } req;
    if (cap < sizeof req)
        return 0;
    memset(&req, 0, sizeof req);
    req.nh.nlmsg_len = sizeof req;
    req.nh.nlmsg_type = SOCK_DIAG_BY_FAMILY;
    req.nh.nlmsg_flags = NLM_F_REQUEST | (dump ? NLM_F_DUMP : 0);
    req.nh.nlmsg_seq = seq;
    req.r.sdiag_family = family == 6 ? AF_INET6 : AF_INET;
    req.r.sdiag_protocol = t ? t->proto : IPPROTO_UDP;
    req.r.idiag_states = ~0u;
    req.r.id.idiag_cookie[0] = req.r.id.idiag_cookie[1] = INET_DIAG_NOCOOKIE;
    if (t && !dump) {
        bool udp = t->proto == IPPROTO_UDP;
        /* UDP's lookup reads idiag_src as the packet's source, i.e. the peer. */
        const uint8_t *src = udp ? t->daddr : t->saddr, *dst = udp ? t->saddr : t->daddr;
        req.r.id.idiag_sport = htons(udp ? t->dport : t->sport);
        req.r.id.idiag_dport = htons(udp ? t->sport : t->dport);
        if (family == 6 && t->family == 4) {
            uint8_t m[16] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff };
            memcpy(m + 12, src, 4);
            put_addr(req.r.id.idiag_src, 6, m);
            memcpy(m + 12, dst, 4);
            put_addr(req.r.id.idiag_dst, 6, m);
        } else {
            put_addr(req.r.id.idiag_src, t->family, src);
            put_addr(req.r.id.idiag_dst, t->family, dst);
        }
        req.r.id.idiag_if = ifindex;
    }
    memcpy(buf, &req, sizeof req);
    return sizeof req;
}

struct sockdiag {
    int fd;
    uint32_t seq;
    uint64_t queries;
    uint8_t buf[32768];
};

struct sockdiag *sockdiag_open(char *why, size_t why_len)
{
    int fd = socket(AF_NETLINK, SOCK_DGRAM | SOCK_CLOEXEC, NETLINK_SOCK_DIAG);
    if (fd < 0) {
        snprintf(why, why_len, "NETLINK_SOCK_DIAG: %s", g_strerror(errno));
        return NULL;
    }
    struct timeval tv = { .tv_sec = 0, .tv_usec = 200000 }; /* bounded: never stall capture */
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    struct sockdiag *sd = g_new0(struct sockdiag, 1);
    sd->fd = fd;
    return sd;
}

void sockdiag_close(struct sockdiag *sd)
{
    if (!sd)
        return;
    close(sd->fd);
    g_free(sd);
}

uint64_t sockdiag_queries(const struct sockdiag *sd)
{
    return sd ? sd->queries : 0;
}

struct best {
    const struct flow_tuple *t;
    uint32_t ifindex;
    struct sockdiag_entry e;
    enum sockdiag_match how;
    bool specific_src;   /* the entry names the local address, not a wildcard */
};

static void consider(const struct sockdiag_entry *e, void *user)
{
    struct best *b = user;
    enum sockdiag_match m = sockdiag_match(e, b->t, b->ifindex);
    if (m == SOCKDIAG_NO_MATCH)
        return;
    bool specific = !addr_wild(e->family, e->src);
    if (m > b->how || (m == b->how && specific && !b->specific_src)) {
        b->e = *e;
        b->how = m;
        b->specific_src = specific;
    }
}

/* Sends one request and reads replies until NLMSG_DONE/ERROR (or timeout). */
static bool query(struct sockdiag *sd, int family, const struct flow_tuple *t, bool dump, uint32_t ifindex,
                  struct best *b)
{
    uint8_t req[128];
    size_t n = sockdiag_build_request(req, sizeof req, family, t, dump, ifindex, ++sd->seq);
    struct sockaddr_nl kernel = { .nl_family = AF_NETLINK };
    sd->queries++;
    if (sendto(sd->fd, req, n, 0, (struct sockaddr *)&kernel, sizeof kernel) < 0)
        return false;
    for (;;) {
        ssize_t got = recv(sd->fd, sd->buf, sizeof sd->buf, 0);
        if (got <= 0)
            return false;
        bool done;
        int nl_error;
        if (sockdiag_parse(sd->buf, (size_t)got, consider, b, &done, &nl_error) < 0)
            return false;
        if (done || !dump)
            return nl_error == 0;
    }
}

bool sockdiag_find(struct sockdiag *sd, const struct flow_tuple *t, uint32_t ifindex, struct sockdiag_entry *out,
                   enum sockdiag_match *how, bool *by_dump)
{
    struct best b = { .t = t, .ifindex = ifindex };
    *by_dump = false;
    query(sd, t->family, t, false, ifindex, &b);
    if (b.how == SOCKDIAG_NO_MATCH) {
        *by_dump = true;
        query(sd, t->family, t, true, ifindex, &b);
        if (b.how == SOCKDIAG_NO_MATCH && t->family == 4)
            query(sd, 6, t, true, ifindex, &b);
    }
    if (b.how == SOCKDIAG_NO_MATCH)
        return false;
    *out = b.e;
    *how = b.how;
    return true;
}
