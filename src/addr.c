/* addr.c — see addr.h. */
#include "addr.h"

#include <arpa/inet.h>
#include <glib.h>
#include <stdio.h>
#include <string.h>

void addr_from_v4(struct ip_addr *a, const uint8_t v4[4])
{
    memset(a, 0, sizeof *a);
    a->family = 4;
    memcpy(a->bytes, v4, 4);
}

void addr_from_v6(struct ip_addr *a, const uint8_t v6[16])
{
    a->family = 6;
    memcpy(a->bytes, v6, 16);
}

bool addr_parse(struct ip_addr *a, const char *text)
{
    memset(a, 0, sizeof *a);
    if (inet_pton(AF_INET, text, a->bytes) == 1) {
        a->family = 4;
        return true;
    }
    if (inet_pton(AF_INET6, text, a->bytes) == 1) {
        a->family = 6;
        return true;
    }
    return false;
}

bool addr_equal(const struct ip_addr *a, const struct ip_addr *b)
{
    if (a->family != b->family)
        return false;
    /* constant sizes: compiled to word compares, no memcmp call (host
     * addresses are compared twice an event) */
    if (a->family == 4)
        return memcmp(a->bytes, b->bytes, 4) == 0;
    return memcmp(a->bytes, b->bytes, 16) == 0;
}

/* A port in decimal at p; returns the end. */
static char *put_port(char *p, unsigned v)
{
    int n = v >= 10000 ? 5 : v >= 1000 ? 4 : v >= 100 ? 3 : v >= 10 ? 2 : 1;
    for (int i = n - 1; i > 0; i--) {
        p[i] = (char)('0' + v % 10);
        v /= 10;
    }
    p[0] = (char)('0' + v); /* a port has at most five digits: v < 10 here */
    return p + n;
}

/* An octet in decimal at p; returns the end. */
static char *put_octet(char *p, unsigned v)
{
    if (v >= 100) {
        *p++ = (char)('0' + v / 100);
        v %= 100;
        *p++ = (char)('0' + v / 10);
    } else if (v >= 10) {
        *p++ = (char)('0' + v / 10);
    }
    *p++ = (char)('0' + v % 10);
    return p;
}

static char *format_v4(const uint8_t b[4], char *p)
{
    p = put_octet(p, b[0]);
    for (int i = 1; i < 4; i++) {
        *p++ = '.';
        p = put_octet(p, b[i]);
    }
    return p;
}

/* A 16-bit group in lowercase hex without leading zeros. */
static char *put_group(char *p, unsigned w)
{
    static const char hex[] = "0123456789abcdef";
    if (w >= 0x1000)
        *p++ = hex[w >> 12];
    if (w >= 0x100)
        *p++ = hex[(w >> 8) & 0xf];
    if (w >= 0x10)
        *p++ = hex[(w >> 4) & 0xf];
    *p++ = hex[w & 0xf];
    return p;
}

/* IPv6 as glibc's inet_ntop writes it (RFC 5952: lowercase, no leading
 * zeros, the first longest run of two or more zero groups as "::", and
 * ::ffff:a.b.c.d / ::a.b.c.d with a dotted tail), without its sprintf per
 * group, at p (room for ADDR_STRLEN); returns the end. */
static char *format_v6(const uint8_t b[16], char *p)
{
    unsigned w[8];
    int best = -1, best_len = 0, run = 0;
    for (int i = 0; i < 8; i++) { /* the groups, and the first longest zero run */
        w[i] = (unsigned)(b[2 * i] << 8 | b[2 * i + 1]);
        if (w[i]) {
            run = 0;
        } else if (++run > best_len) {
            best_len = run;
            best = i - run + 1;
        }
    }
    if (best_len < 2)
        best = -1;
    bool dotted = best == 0 && (best_len == 6 || (best_len == 5 && w[5] == 0xffff));
    for (int i = 0; i < 8; i++) {
        if (i == best) { /* one ':' here, the group after the run (or the end) adds the other */
            *p++ = ':';
            i += best_len - 1;
            continue;
        }
        if (i)
            *p++ = ':';
        if (i == 6 && dotted)
            return format_v4(b + 12, p);
        p = put_group(p, w[i]);
    }
    if (best >= 0 && best + best_len == 8)
        *p++ = ':';
    return p;
}

/* Formatting is on the alert path (two addresses a line): written by hand,
 * ~10x cheaper than inet_ntop (sprintf per IPv6 group) + snprintf. */
const char *addr_format(const struct ip_addr *a, char *buf, size_t len)
{
    if (len == 0)
        return buf;
    buf[0] = '\0';
    if (a->family == 4 && len >= 16) {
        *format_v4(a->bytes, buf) = '\0';
    } else if (a->family == 4) {
        inet_ntop(AF_INET, a->bytes, buf, (socklen_t)len);
    } else if (a->family == 6 && len >= ADDR_STRLEN) {
        *format_v6(a->bytes, buf) = '\0';
    } else if (a->family == 6) {
        inet_ntop(AF_INET6, a->bytes, buf, (socklen_t)len);
    } else {
        snprintf(buf, len, "-");
    }
    return buf;
}

char *addr_port_put(const struct ip_addr *a, uint16_t port, char *p)
{
    if (a->family == 4) {
        p = format_v4(a->bytes, p);
    } else if (a->family == 6) {
        *p++ = '[';
        p = format_v6(a->bytes, p);
        *p++ = ']';
    } else {
        *p++ = '-';
    }
    *p++ = ':';
    p = put_port(p, port);
    *p = '\0';
    return p;
}

const char *addr_port_format(const struct ip_addr *a, uint16_t port, char *buf, size_t len)
{
    if (len >= ADDR_PORT_STRLEN) { /* the longest, "[" 45 "]:65535", fits: write in place */
        addr_port_put(a, port, buf);
        return buf;
    }
    char ip[ADDR_STRLEN];
    addr_format(a, ip, sizeof ip);
    size_t n = strlen(ip);
    if (len < n + 2 + 1 + 5 + 1) { /* cannot be sure it fits: let snprintf truncate */
        snprintf(buf, len, a->family == 6 ? "[%s]:%u" : "%s:%u", ip, port);
        return buf;
    }
    char *p = buf;
    if (a->family == 6)
        *p++ = '[';
    memcpy(p, ip, n);
    p += n;
    if (a->family == 6)
        *p++ = ']';
    *p++ = ':';
    p = put_port(p, port);
    *p = '\0';
    return buf;
}

void addr_unmap(struct ip_addr *a)
{
    static const uint8_t mapped_prefix[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff };
    if (a->family == 6 && memcmp(a->bytes, mapped_prefix, 12) == 0) {
        uint8_t v4[4];
        memcpy(v4, a->bytes + 12, 4);
        addr_from_v4(a, v4);
    }
}

/* Prefix tables, one per family: first match wins, so narrower blocks come
 * first. Prefixes and masks are numbers (IPv4 as a big-endian 32-bit value,
 * IPv6 as two 64-bit halves): every event is classified, several times. */
#define V4(a, b, c, d) ((uint32_t)(a) << 24 | (uint32_t)(b) << 16 | (uint32_t)(c) << 8 | (uint32_t)(d))
#define MASK32(bits) ((bits) ? ~0u << (32 - (bits)) : 0u)
#define MASK64(bits) ((bits) <= 0 ? 0ull : (bits) >= 64 ? ~0ull : ~0ull << (64 - (bits)))

struct v4_rule {
    uint32_t prefix, mask;
    enum addr_class cls;
};

static const struct v4_rule v4_rules[] = {
    { V4(255, 255, 255, 255), MASK32(32), ADDR_BROADCAST },
    { V4(0, 0, 0, 0), MASK32(8), ADDR_UNSPECIFIED },
    { V4(127, 0, 0, 0), MASK32(8), ADDR_LOOPBACK },
    { V4(10, 0, 0, 0), MASK32(8), ADDR_PRIVATE },
    { V4(172, 16, 0, 0), MASK32(12), ADDR_PRIVATE },
    { V4(192, 168, 0, 0), MASK32(16), ADDR_PRIVATE },
    { V4(100, 64, 0, 0), MASK32(10), ADDR_CGNAT },
    { V4(169, 254, 0, 0), MASK32(16), ADDR_LINK_LOCAL },
    { V4(192, 0, 2, 0), MASK32(24), ADDR_DOCUMENTATION },
    { V4(198, 51, 100, 0), MASK32(24), ADDR_DOCUMENTATION },
    { V4(203, 0, 113, 0), MASK32(24), ADDR_DOCUMENTATION },
    { V4(192, 0, 0, 0), MASK32(24), ADDR_RESERVED },
    { V4(198, 18, 0, 0), MASK32(15), ADDR_RESERVED },
    { V4(224, 0, 0, 0), MASK32(4), ADDR_MULTICAST },
    { V4(240, 0, 0, 0), MASK32(4), ADDR_RESERVED },
    { 0, MASK32(0), ADDR_PUBLIC },
};

struct v6_rule {
    uint64_t hi, lo, mask_hi, mask_lo;
    enum addr_class cls;
};

#define V6_RULE(hi, lo, bits, cls) { (hi), (lo), MASK64(bits), MASK64((bits) - 64), (cls) }

static const struct v6_rule v6_rules[] = {
    V6_RULE(0, 0, 128, ADDR_UNSPECIFIED),
    V6_RULE(0, 1, 128, ADDR_LOOPBACK),
    V6_RULE(0x20010db8ull << 32, 0, 32, ADDR_DOCUMENTATION),
    V6_RULE(0xfcull << 56, 0, 7, ADDR_PRIVATE),
    V6_RULE(0xfe80ull << 48, 0, 10, ADDR_LINK_LOCAL),
    V6_RULE(0xffull << 56, 0, 8, ADDR_MULTICAST),
    V6_RULE(0x20ull << 56, 0, 3, ADDR_PUBLIC), /* 2000::/3 global unicast */
    V6_RULE(0, 0, 0, ADDR_RESERVED),
};

static uint64_t load_be64(const uint8_t *b)
{
    uint64_t v;
    memcpy(&v, b, sizeof v);
    return GUINT64_FROM_BE(v);
}

enum addr_class addr_classify(const struct ip_addr *a)
{
    static const uint8_t mapped_prefix[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff };
    const uint8_t *v4 = NULL;
    if (a->family == 4)
        v4 = a->bytes;
    else if (a->family == 6 && memcmp(a->bytes, mapped_prefix, 12) == 0)
        v4 = a->bytes + 12; /* IPv4-mapped: classified as the IPv4 address */
    else if (a->family != 6)
        return ADDR_NONE;
    if (v4) {
        uint32_t x = V4(v4[0], v4[1], v4[2], v4[3]);
        for (size_t i = 0; i < G_N_ELEMENTS(v4_rules); i++)
            if ((x & v4_rules[i].mask) == v4_rules[i].prefix)
                return v4_rules[i].cls;
        return ADDR_RESERVED;
    }
    uint64_t hi = load_be64(a->bytes), lo = load_be64(a->bytes + 8);
    for (size_t i = 0; i < G_N_ELEMENTS(v6_rules); i++)
        if ((hi & v6_rules[i].mask_hi) == v6_rules[i].hi && (lo & v6_rules[i].mask_lo) == v6_rules[i].lo)
            return v6_rules[i].cls;
    return ADDR_RESERVED;
}

static const char *const class_names[] = {
    [ADDR_NONE] = "none",
    [ADDR_PUBLIC] = "public",
    [ADDR_LOOPBACK] = "loopback",
    [ADDR_PRIVATE] = "private",
    [ADDR_CGNAT] = "cgnat",
    [ADDR_LINK_LOCAL] = "link-local",
    [ADDR_MULTICAST] = "multicast",
    [ADDR_BROADCAST] = "broadcast",
    [ADDR_DOCUMENTATION] = "documentation",
    [ADDR_UNSPECIFIED] = "unspecified",
    [ADDR_RESERVED] = "reserved",
};

const char *addr_class_name(enum addr_class c)
{
    if ((size_t)c < sizeof class_names / sizeof class_names[0] && class_names[c])
        return class_names[c];
    return "unknown";
}

bool addr_is_local_scope(const struct ip_addr *a)
{
    switch (addr_classify(a)) {
    case ADDR_LOOPBACK:
    case ADDR_LINK_LOCAL:
    case ADDR_MULTICAST:
    case ADDR_BROADCAST:
    case ADDR_UNSPECIFIED:
        return true;
    default:
        return false;
    }
}
