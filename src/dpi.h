/* dpi.h — per-flow application classification with nDPI 4.2.
 *
 * Owns: the nDPI detection module, the nDPI state of flows still under
 * classification (fl->dpi), the label/category/risk/VPN-transport results
 * written into struct flow, and the packet budget that ends classification.
 * Knows nothing of STUN/DNS decoding, verdicts or output: leakaudit decodes
 * those itself; nDPI only says "what else is this flow".
 *
 * Memory: nDPI state (~0.7 KB) exists only while a flow is being classified.
 * It is freed as soon as the flow is classified (and no extra dissection is
 * possible) or the packet budget is spent, so memory is bounded by the flows
 * under classification, not by all flows.
 *
 * One struct dpi per thread: nDPI 4.2 keeps per-packet scratch and LRU caches
 * inside the module.
 */
#ifndef LEAKAUDIT_DPI_H
#define LEAKAUDIT_DPI_H

#include <glib.h>
#include <stdbool.h>
#include <stdint.h>

#include "decode.h"
#include "flow.h"

/* Packets per flow handed to nDPI before giving up. UDP: ndpiReader 4.2's
 * -U default (16 already loses labels on nDPI's own captures, e.g. the
 * SnapchatCall of snapchat_call.pcapng). TCP: 32, the per-flow limit later
 * nDPI releases apply inside the library ("packets_limit_per_flow"), instead
 * of ndpiReader's -T 80, which only kept unclassifiable bulk flows (and TLS
 * flows waiting for a certificate that never comes) in nDPI's dissectors and
 * reassembly buffers for 48 more packets; tests/test_dpi finds no label that
 * changes on nDPI's 85 captures. */
enum { DPI_BUDGET_UDP = 24, DPI_BUDGET_TCP = 32, DPI_BUDGET_OTHER = 24 };

/* A flow nDPI still knows nothing about after this many packets gives up
 * then (with nDPI's guess), instead of running every dissector over the rest
 * of its budget; a flow with a label keeps the whole budget for nDPI's extra
 * dissection (certificate, answer, sub-protocol). Across the 336 captures of
 * the corpus nDPI 4.2 gave no flow its first label later than packet 12 on
 * TCP (FTP control in emix.pcap, after the login) or packet 7 on UDP
 * (STUN.Azure in stun_msteams_unidir.pcapng); these limits leave a margin,
 * and tests/test_dpi finds no label that changes on nDPI's 85 captures even
 * at 8. On the benchmark mix, unknown flows stop 15-20 packets earlier. */
enum { DPI_UNKNOWN_TCP = 16, DPI_UNKNOWN_UDP = 12, DPI_UNKNOWN_OTHER = 12 };

/* Quiet flows under pressure: while more than DPI_QUIET_KEEP flows hold nDPI
 * state, a UDP flow nDPI knows nothing about yet that has had no packet for
 * DPI_QUIET_NS (capture time) gives up now and frees its state, instead of
 * when the flow table retires it (120 s idle). Should it send again it is
 * classified afresh, as the flow table would make a new flow of it after a
 * longer quiet. Below the threshold nothing changes, so labels follow
 * ndpiReader; on a busy link the state of STUN checks nDPI 4.2 cannot confirm
 * (a request, a response, then quiet) no longer piles up for two minutes. */
enum { DPI_QUIET_KEEP = 4096 };
#define DPI_QUIET_NS (10ull * 1000000000ull)

struct dpi_stats {
    uint64_t packets;          /* packets handed to nDPI */
    uint64_t flows_started;    /* flows that got nDPI state */
    uint64_t flows_detected;   /* finished with a label found by inspection */
    uint64_t flows_guessed;    /* finished with a label guessed at give-up (port/IP) */
    uint64_t flows_unknown;    /* finished with no label */
    uint64_t flows_budget;     /* gave up because the packet budget ran out */
    uint64_t flows_unknown_early; /* of those, unknown at DPI_UNKNOWN_* packets */
    uint64_t flows_tls13;      /* TLS 1.3 with the ServerHello seen: nothing more to learn */
    uint64_t flows_quiet;       /* gave up quiet under pressure (DPI_QUIET_KEEP, DPI_QUIET_NS) */
    uint64_t flows_resumed;    /* of those, classified afresh from a later packet (still one flow) */
    uint32_t active;           /* flows holding nDPI state now */
    uint32_t peak_active;      /* most at once: the memory bound at work */
};

struct dpi;

/* Creates the detection module with every protocol enabled. NULL and *err on failure. */
struct dpi *dpi_new(GError **err);
void dpi_free(struct dpi *d);

/* Bytes of one flow's nDPI state while it is under classification (our
 * header plus nDPI's flow struct, ~0.7 KB): memcap.c's per-flow cost. */
size_t dpi_flow_state_bytes(void);

/* Feeds one decoded packet of flow fl to nDPI (the IP packet through the
 * decoder's bounds-checked L3 view). A no-op once fl->dpi_done. Sets fl->app,
 * fl->vpn_proto, fl->dpi_category, fl->dpi_risk, fl->dpi_guessed (and their
 * names) when nDPI knows the flow. True when this packet changed them. */
bool dpi_packet(struct dpi *d, struct flow *fl, const struct packet *p);

/* The flow leaves the table (call from the flow table's evict callback, or at
 * end of input): a flow still under classification gives up with guessing,
 * gets its label, and its nDPI state is freed. Safe to call more than once. */
void dpi_flow_end(struct dpi *d, struct flow *fl);

/* A flow nDPI has not labelled yet (its event comes before the packets that
 * decide): nDPI's guess from the first packet's port and addresses, without
 * giving up. False when there is none, or the flow is labelled already. */
bool dpi_flow_provisional(struct dpi *d, const struct flow *fl, const char **label, const char **category);

/* Category name of a finished flow ("VoIP", "VPN", "Web", …), or NULL when unknown. */
const char *dpi_flow_category(struct dpi *d, const struct flow *fl);

/* Comma-separated nDPI risk names of a finished flow appended to out
 * ("Known Protocol on Non Standard Port,Missing SNI TLS Extension").
 * Returns false (out untouched) when the flow has none. */
bool dpi_flow_risks(const struct flow *fl, GString *out);

struct dpi_stats dpi_stats(const struct dpi *d);

/* True for nDPI labels that mean DNS inside an encrypted transport
 * (DoH_DoT, DNScrypt, alone or as either half of "TLS.DoH_DoT"). */
bool dpi_label_is_encrypted_dns(const char *label);

#endif
