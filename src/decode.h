/* decode.h — link layer, IPv4/IPv6 (+ extension headers) and UDP/TCP.
 *
 * Owns: turning a frame into addresses, ports and the transport payload,
 * through the bounds-checked cursor only. Knows nothing of flows or verdicts.
 */
#ifndef LEAKAUDIT_DECODE_H
#define LEAKAUDIT_DECODE_H

#include <stdbool.h>
#include <stdint.h>

#include "addr.h"
#include "cursor.h"
#include "frame.h"

enum decode_status {
    DECODE_OK = 0,           /* IP with a transport header decoded (see l4_proto) */
    DECODE_NOT_IP,           /* ARP, LLDP, … : nothing to audit */
    DECODE_UNSUPPORTED_LINK, /* link type we do not decode */
    DECODE_MALFORMED,        /* truncated or inconsistent headers */
    DECODE_FRAGMENT,         /* a non-first IP fragment: counted, not decoded */
};

struct packet {
    const struct frame *frame;
    /* link layer */
    int ifindex;            /* SLL2 interface index; 0 when the link has none */
    uint16_t hatype;        /* SLL/SLL2 ARPHRD_* type; 0 when none */
    enum direction dir;     /* SLL/SLL2 pkttype, else the frame's, else UNKNOWN */
    uint16_t vlan;          /* outermost 802.1Q VLAN id, 0 when untagged */
    /* network layer (of the innermost packet when tunnels were peeled) */
    const char *encap;      /* outermost tunnel ("GRE", "VXLAN", "GTP-U", …), NULL when none */
    uint8_t encap_depth;    /* tunnels peeled */
    uint8_t ip_version;     /* 4 or 6: everything from here on is reset per tunnel level */
    struct ip_addr src, dst;
    uint8_t ttl;            /* TTL / hop limit */
    struct cursor l3;       /* the IP packet as captured (clipped to its length) */
    uint8_t l4_proto;       /* IPPROTO_* after IPv6 extension headers */
    bool first_fragment;    /* decoded, but more fragments follow */
    /* transport */
    uint16_t sport, dport;
    uint32_t tcp_seq;
    uint8_t tcp_flags;      /* TH_SYN 0x02, TH_FIN 0x01, TH_RST 0x04, TH_ACK 0x10 … */
    struct cursor payload;  /* UDP/TCP payload as captured (clipped to IP/UDP length) */
};

enum {
    TCP_FIN = 0x01, TCP_SYN = 0x02, TCP_RST = 0x04, TCP_PSH = 0x08, TCP_ACK = 0x10,
};

/* Decodes one frame. out->payload and out->l3 borrow the frame's bytes. */
enum decode_status decode_frame(const struct frame *f, struct packet *out);
/* The same through the table-driven decoders alone, without decode_frame's
 * fast path for the common shapes: the reference that path must match. */
enum decode_status decode_frame_general(const struct frame *f, struct packet *out);
const char *decode_status_name(enum decode_status s);
/* True when decode_frame knows this link type. */
bool decode_linktype_supported(int linktype);
const char *decode_linktype_name(int linktype); /* "EN10MB", "LINUX_SLL2", …; NULL when unsupported */

#endif
