/* flow.h — the flow table: one entry per bidirectional 5-tuple.
 *
 * Owns: canonical keys, an open-addressing hash index, LRU order, idle expiry
 * and a hard cap on entries (the least recently used flow is evicted and
 * counted). Per-flow state for later stages hangs off struct flow; an
 * eviction callback lets its owners release it.
 * Knows nothing of protocols or output.
 */
#ifndef LEAKAUDIT_FLOW_H
#define LEAKAUDIT_FLOW_H

#include <stdbool.h>
#include <stdint.h>

#include "decode.h"
#include "reasm.h"

struct flow_key {
    uint8_t family;        /* 4 or 6 */
    uint8_t proto;         /* IPPROTO_* */
    uint16_t port_lo, port_hi;
    uint8_t addr_lo[16], addr_hi[16]; /* (addr_lo, port_lo) sorts before (addr_hi, port_hi) */
    uint8_t pad[2];        /* zero: the key hashes as five 64-bit words */
};
_Static_assert(sizeof(struct flow_key) == 40, "flow_key hashes as 5 x 64 bits");

enum flow_stream_mode {
    STREAM_UNDECIDED = 0,
    STREAM_DNS,            /* DNS over TCP: 2-byte length prefix */
    STREAM_STUN,           /* STUN/TURN over TCP, self-delimiting */
    STREAM_STUN_RFC4571,   /* ICE-TCP: 2-byte length prefix, then STUN */
    STREAM_IGNORED,        /* nothing we dissect */
};

struct flow {
    struct flow_key key;
    uint32_t hash;
    uint32_t lru_prev, lru_next; /* slot indices; FLOW_NIL ends the list */
    uint64_t first_ns, last_ns;
    uint64_t packets;
    uint32_t dir_packets[2];     /* per direction (0 = lo→hi); saturates */
    uint8_t stream_mode[2];      /* per direction: 0 = lo→hi, 1 = hi→lo */
    struct tcp_stream *stream[2];
    void *dpi;                   /* classification state, owned by dpi.c */
    const char *app;             /* classification label (static or owned by dpi.c) */
    const char *vpn_proto;       /* this flow is a VPN's own transport */
    bool dpi_done;
    bool dpi_quiet_gave_up;       /* dpi_done because the flow went quiet: a new packet starts over */
    bool encrypted_dns_reported; /* DoT/DoQ: one event per connection */
    bool dpi_guessed;            /* app was guessed at give-up (port/IP), not found by inspection */
    uint16_t dpi_category;       /* ndpi_protocol_category_t of app (0 = unspecified) */
    uint64_t dpi_risk;           /* ndpi_risk bitmask (bit n = ndpi_risk_enum n) */
    const char *app_category;    /* name of dpi_category ("VoIP"), NULL when unknown; owned by dpi.c */
    const char *app_risks;       /* dpi_risk as comma-separated names, NULL for none; owned by dpi.c */
    bool audited;                /* the auditor keeps stream state here (DNS/STUN over TCP, DoT) */
    uint8_t first_dir;           /* direction (0 lo→hi, 1 hi→lo) of the flow's first packet */
    uint8_t first_tcp_flags;     /* TCP flags of the first packet: a SYN names the client */
};

enum { FLOW_NIL = 0xffffffffu };

struct flow_stats {
    uint64_t created;
    uint64_t evicted_idle;
    uint64_t evicted_cap;        /* pushed out by the cap: memory bound at work */
    uint32_t active;
    uint32_t peak;
    uint32_t cap;
};

typedef void (*flow_evict_fn)(struct flow *f, void *user);

struct flow_table;

struct flow_table *flow_table_new(uint32_t max_flows, uint64_t idle_timeout_ns);
void flow_table_free(struct flow_table *t); /* calls the evict callback for every flow */
void flow_table_set_evict(struct flow_table *t, flow_evict_fn fn, void *user);

/* Finds (or, with create, makes) the flow of a decoded packet. *direction is
 * 0 when the packet goes lo→hi in key order, 1 otherwise. Also retires idle
 * flows from the LRU tail. Returns NULL only when create is false and the
 * flow is unknown. */
struct flow *flow_lookup(struct flow_table *t, const struct packet *p, uint64_t now_ns, bool create,
                         int *direction);

/* Evicts every flow idle at now_ns (end of capture: pass UINT64_MAX). */
void flow_table_expire(struct flow_table *t, uint64_t now_ns);
struct flow_stats flow_table_stats(const struct flow_table *t);

/* The direction (0 lo→hi, 1 hi→lo) of the flow's client→server packets: the
 * sender of a first SYN (the receiver of a first SYN+ACK); else the side away
 * from a port below 1024 when only one is; else the first packet's sender. */
int flow_client_dir(const struct flow *f);

#endif
