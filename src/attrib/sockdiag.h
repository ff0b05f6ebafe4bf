/* sockdiag.h — which socket sent a flow, from NETLINK_SOCK_DIAG.
 *
 * Owns: building inet_diag requests, parsing the kernel's replies through
 * the bounded cursor (a reply is bytes like any other), and strict
 * matching: an entry is accepted only when its local port and address (or a
 * wildcard local address) match, and its peer matches exactly or is the
 * wildcard peer of an unconnected UDP socket. A dump's other entries are
 * never taken (taking the first one blindly mis-attributes).
 * UDP's exact lookup takes the peer in idiag_src and the local side in
 * idiag_dst (net/ipv4/udp_diag.c: "src and dst are swapped for historical
 * reasons"); TCP's does not.
 * Knows nothing of processes: it ends at the socket inode and uid.
 */
#ifndef LEAKAUDIT_SOCKDIAG_H
#define LEAKAUDIT_SOCKDIAG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* An outgoing flow as the packet shows it: the local side is s*. */
struct flow_tuple {
    uint8_t family;         /* 4 or 6 */
    uint8_t proto;          /* 6 TCP, 17 UDP */
    uint16_t sport, dport;  /* host order */
    uint8_t saddr[16], daddr[16];   /* IPv4 in the first 4 bytes, rest zero */
};

struct sockdiag_entry {
    uint8_t family;         /* AF_INET or AF_INET6 */
    uint8_t state;
    uint16_t sport, dport;  /* host order */
    uint8_t src[16], dst[16];
    uint32_t ifindex;       /* bound device, 0 for none */
    uint64_t cookie;
    uint32_t uid;
    uint64_t inode;
};

enum sockdiag_match {
    SOCKDIAG_NO_MATCH = 0,
    SOCKDIAG_MATCH_UNCONNECTED,  /* local side matches, peer is the wildcard */
    SOCKDIAG_MATCH_EXACT,        /* both sides match */
};

typedef void (*sockdiag_entry_fn)(const struct sockdiag_entry *e, void *user);

/* Parses one recv() worth of netlink messages. Calls fn per inet_diag_msg.
 * *done is set at NLMSG_DONE, *nl_error to a negative errno from NLMSG_ERROR
 * or from inside NLMSG_DONE (a missing udp_diag handler reports there).
 * Returns the number of entries, or −1 for a malformed buffer. */
int sockdiag_parse(const void *buf, size_t len, sockdiag_entry_fn fn, void *user, bool *done, int *nl_error);
enum sockdiag_match sockdiag_match(const struct sockdiag_entry *e, const struct flow_tuple *t, uint32_t ifindex);
/* The request bytes (nlmsghdr + inet_diag_req_v2) into buf; 0 if cap is too small.
 * family is 4 or 6; with dump, t may be NULL. */
size_t sockdiag_build_request(void *buf, size_t cap, int family, const struct flow_tuple *t, bool dump,
                              uint32_t ifindex, uint32_t seq);

struct sockdiag;
struct sockdiag *sockdiag_open(char *why, size_t why_len);
void sockdiag_close(struct sockdiag *sd);
/* Exact lookup, then a strict dump match (the socket's own family, then
 * AF_INET6 for a v4 flow: dual-stack sockets). */
bool sockdiag_find(struct sockdiag *sd, const struct flow_tuple *t, uint32_t ifindex, struct sockdiag_entry *out,
                   enum sockdiag_match *how, bool *by_dump);
uint64_t sockdiag_queries(const struct sockdiag *sd);

#endif
