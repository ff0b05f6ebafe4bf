/* event.h — the one event model every stage after the dissectors reads.
 *
 * An event is one decoded STUN message, DTLS handshake datagram or DNS message
 * (or an encrypted-DNS connection), placed on an interface and a direction.
 * The verdict stage fills the verdict fields; enrichment fills geo/process;
 * sinks only read. Dissector outputs are borrowed (valid during emit).
 */
#ifndef LEAKAUDIT_EVENT_H
#define LEAKAUDIT_EVENT_H

#include <stdbool.h>
#include <stdint.h>

#include "addr.h"
#include "dns.h"
#include "dtls.h"
#include "frame.h"
#include "stun.h"

struct iface;
struct geo_info;
struct process_info;

enum event_kind {
    EVENT_STUN = 1,
    EVENT_DTLS,
    EVENT_DNS,
    EVENT_ENCRYPTED_DNS, /* DoT (TCP/853), DoQ (UDP/853), DoH by classification */
    EVENT_KIND_COUNT,
};

enum verdict {
    VERDICT_NONE = 0,   /* not judged (e.g. a DTLS ServerHello) */
    VERDICT_LEAK,       /* left by a non-VPN interface while a VPN is up */
    VERDICT_EXPOSURE,   /* a response by a non-VPN interface revealed our address */
    VERDICT_INSIDE_VPN, /* went through the tunnel */
    VERDICT_LOCAL,      /* loopback, link-local, LAN multicast (mDNS, LLMNR…) */
    VERDICT_NO_VPN,     /* no VPN in sight: nothing to leak from */
    VERDICT_ALLOWED,    /* the VPN's own transport / endpoint */
    VERDICT_INBOUND,    /* a request that arrived here (we are the server) */
    VERDICT_RESPONSE,   /* a reply; judged with its request */
    VERDICT_COUNT,
};

enum severity { SEVERITY_NONE = 0, SEVERITY_LOW, SEVERITY_MEDIUM, SEVERITY_HIGH };

struct event {
    enum event_kind kind;
    uint64_t ts_ns;
    uint64_t frame_number;
    const struct iface *iface;
    enum direction dir;        /* effective direction */
    bool dir_inferred;         /* from learned host addresses, not the capture */
    struct ip_addr src, dst;
    uint16_t sport, dport;
    uint8_t transport;         /* 17 UDP, 6 TCP */
    const char *tunnel;        /* outermost tunnel the packet was found in ("GRE", "GTP-U" …), or NULL */
    const char *app;           /* flow classification label, or NULL */

    const struct stun_message *stun;   /* EVENT_STUN */
    const struct dtls_message *dtls;   /* EVENT_DTLS */
    const struct dns_message *dns;     /* EVENT_DNS */
    const char *encrypted_dns_proto;   /* EVENT_ENCRYPTED_DNS: "DoT", "DoQ", "DoH" */

    /* verdict stage */
    enum verdict verdict;
    enum severity severity;
    const char *reason;        /* static text: why this verdict */
    const char *vpn_name;      /* the VPN interface (or underlay evidence) in force, or NULL */
    bool has_exposed;          /* the address a server saw (STUN XOR-MAPPED-ADDRESS) */
    struct ip_addr exposed;
    uint16_t exposed_port;

    /* enrichment (NULL when not available) */
    const struct geo_info *src_geo, *dst_geo, *exposed_geo;   /* geo/ */
    const struct process_info *process;                       /* src/attrib/: the local sender */
    uint32_t repeats;          /* suppressed repeats folded into this alert */
};

static inline bool event_is_alert(const struct event *ev)
{
    return ev->verdict == VERDICT_LEAK || ev->verdict == VERDICT_EXPOSURE;
}

const char *event_kind_name(enum event_kind k);  /* "stun", "dtls", "dns", "encrypted-dns" */
const char *verdict_name(enum verdict v);        /* "leak", "inside-vpn", … */
const char *severity_name(enum severity s);      /* "low", "medium", "high" */
const char *direction_name(enum direction d);    /* "out", "in", … */

#endif
