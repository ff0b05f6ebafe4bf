/* addr.c — see addr.h. */
#include "addr.h"

#include <arpa/inet.h>
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
    return memcmp(a->bytes, b->bytes, a->family == 4 ? 4 : 16) == 0;
}

/* Decimal digits of v at p; returns the end. */
static char *put_decimal(char *p, unsigned v)
{
    char tmp[10];
    int n = 0;
    do {
        tmp[n++] = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    while (n)
        *p++ = tmp[--n];
    return p;
}

/* IPv6 as glibc's inet_ntop writes it (RFC 5952: lowercase, no leading
 * zeros, the first longest run of two or more zero groups as "::", and
 * ::ffff:a.b.c.d / ::a.b.c.d with a dotted tail), without its sprintf per
 * group. buf holds at least ADDR_STRLEN bytes. */
static void format_v6(const uint8_t b[16], char *buf)
{
    static const char hex[] = "0123456789abcdef";
    unsigned w[8];
    for (int i = 0; i < 8; i++)
        w[i] = (unsigned)(b[2 * i] << 8 | b[2 * i + 1]);
    int best = -1, best_len = 0;
    for (int i = 0; i < 8;) {
        if (w[i]) {
            i++;
            continue;
        }
        int j = i;
        while (j < 8 && !w[j])
            j++;
        if (j - i > best_len) {
            best = i;
            best_len = j - i;
        }
        i = j;
    }
    if (best_len < 2)
        best = -1;
    char *p = buf;
    for (int i = 0; i < 8; i++) {
        if (best >= 0 && i >= best && i < best + best_len) {
            if (i == best)
                *p++ = ':';
            continue;
        }
        if (i)
            *p++ = ':';
        if (i == 6 && best == 0 && (best_len == 6 || (best_len == 5 && w[5] == 0xffff))) {
            for (int k = 12; k < 16; k++) {
                p = put_decimal(p, b[k]);
                if (k < 15)
                    *p++ = '.';
            }
            *p = '\0';
            return;
        }
        bool started = false;
        for (int shift = 12; shift >= 0; shift -= 4) {
            unsigned nibble = (w[i] >> shift) & 0xf;
            if (nibble || started || shift == 0) {
                *p++ = hex[nibble];
                started = true;
            }
        }
    }
    if (best >= 0 && best + best_len == 8)
        *p++ = ':';
    *p = '\0';
}

/* Formatting is on the alert path (two addresses a line): written by hand,
 * ~10x cheaper than inet_ntop (sprintf per IPv6 group) + snprintf. */
const char *addr_format(const struct ip_addr *a, char *buf, size_t len)
{
    if (len == 0)
        return buf;
    buf[0] = '\0';
    if (a->family == 4 && len >= 16) {
        char *p = buf;
        for (int i = 0; i < 4; i++) {
            if (i)
                *p++ = '.';
            p = put_decimal(p, a->bytes[i]);
        }
        *p = '\0';
    } else if (a->family == 4) {
        inet_ntop(AF_INET, a->bytes, buf, (socklen_t)len);
    } else if (a->family == 6 && len >= ADDR_STRLEN) {
        format_v6(a->bytes, buf);
    } else if (a->family == 6) {
        inet_ntop(AF_INET6, a->bytes, buf, (socklen_t)len);
    } else {
        snprintf(buf, len, "-");
    }
    return buf;
}

const char *addr_port_format(const struct ip_addr *a, uint16_t port, char *buf, size_t len)
{
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
    p = put_decimal(p, port);
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

/* Prefix table: first match wins, so narrower blocks come first. */
struct prefix_rule {
    uint8_t family;
    uint8_t bits;
    uint8_t prefix[16];
    enum addr_class cls;
};

static const struct prefix_rule prefix_rules[] = {
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
    { 6, 3, { 0x20 }, ADDR_PUBLIC }, /* 2000::/3 global unicast */
    { 6, 0, { 0 }, ADDR_RESERVED },
    { 4, 0, { 0 }, ADDR_PUBLIC },
};

static bool prefix_matches(const struct ip_addr *a, const struct prefix_rule *r)
{
    unsigned full = r->bits / 8, rest = r->bits % 8;
    if (memcmp(a->bytes, r->prefix, full) != 0)
        return false;
    if (rest) {
        uint8_t mask = (uint8_t)(0xff << (8 - rest));
        if ((a->bytes[full] & mask) != (r->prefix[full] & mask))
            return false;
    }
    return true;
}

enum addr_class addr_classify(const struct ip_addr *a)
{
    struct ip_addr v = *a;
    addr_unmap(&v);
    if (v.family != 4 && v.family != 6)
        return ADDR_NONE;
    for (size_t i = 0; i < sizeof prefix_rules / sizeof prefix_rules[0]; i++)
        if (prefix_rules[i].family == v.family && prefix_matches(&v, &prefix_rules[i]))
            return prefix_rules[i].cls;
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
