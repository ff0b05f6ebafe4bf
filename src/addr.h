/* addr.h — IP addresses as leakaudit carries them, their text form, and their class.
 *
 * Owns: the address value type, formatting, parsing, and the scope class
 * (loopback, private, CGNAT, link-local, multicast, documentation, public…)
 * that both the verdict (what is "local") and geo (what is worth a lookup) use.
 * Knows nothing of packets or output.
 */
#ifndef LEAKAUDIT_ADDR_H
#define LEAKAUDIT_ADDR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum { ADDR_STRLEN = 46 /* INET6_ADDRSTRLEN */, ADDR_PORT_STRLEN = 56 };

struct ip_addr {
    uint8_t family; /* 0 = none, 4 or 6 */
    uint8_t bytes[16]; /* IPv4 uses bytes[0..3], the rest stay zero */
};

enum addr_class {
    ADDR_NONE = 0,
    ADDR_PUBLIC,
    ADDR_LOOPBACK,
    ADDR_PRIVATE,       /* RFC 1918, IPv6 ULA fc00::/7 */
    ADDR_CGNAT,         /* 100.64.0.0/10 */
    ADDR_LINK_LOCAL,    /* 169.254/16, fe80::/10 */
    ADDR_MULTICAST,
    ADDR_BROADCAST,
    ADDR_DOCUMENTATION, /* 192.0.2/24, 198.51.100/24, 203.0.113/24, 2001:db8::/32 */
    ADDR_UNSPECIFIED,   /* 0.0.0.0, :: */
    ADDR_RESERVED,      /* 240/4, other special-purpose blocks */
};

void addr_from_v4(struct ip_addr *a, const uint8_t v4[4]);
void addr_from_v6(struct ip_addr *a, const uint8_t v6[16]);
bool addr_parse(struct ip_addr *a, const char *text);
bool addr_equal(const struct ip_addr *a, const struct ip_addr *b);
/* Writes the address ("192.0.2.1", "2001:db8::1") into buf (ADDR_STRLEN). */
const char *addr_format(const struct ip_addr *a, char *buf, size_t len);
/* "192.0.2.1:3478" or "[2001:db8::1]:3478" into buf (ADDR_PORT_STRLEN). */
const char *addr_port_format(const struct ip_addr *a, uint16_t port, char *buf, size_t len);
/* The same at p, which has room for ADDR_PORT_STRLEN bytes; returns the end
 * (at the NUL written there): for callers that go on writing after it. */
char *addr_port_put(const struct ip_addr *a, uint16_t port, char *p);

enum addr_class addr_classify(const struct ip_addr *a);
const char *addr_class_name(enum addr_class c); /* "public", "private", "cgnat" … */
/* True for addresses that never leave the local link or site on their own. */
bool addr_is_local_scope(const struct ip_addr *a);
/* IPv4-mapped IPv6 (::ffff:a.b.c.d) folded into plain IPv4. */
void addr_unmap(struct ip_addr *a);

#endif
