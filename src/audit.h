/* audit.h — the pipeline: frame → decode → flow → dissect → event → verdict → enrich → sinks.
 *
 * Owns: running each stage in order for one frame, STUN transaction
 * correlation (a leaked request's alert waits briefly for its response so it
 * can say what address was exposed), TCP stream cutting for DNS/STUN over
 * TCP, VPN-transport evidence, and the run's counters.
 * Knows nothing of where frames come from or how sinks format.
 */
#ifndef LEAKAUDIT_AUDIT_H
#define LEAKAUDIT_AUDIT_H

#include <glib.h>
#include <stdint.h>

#include "decode.h"
#include "dedup.h"
#include "enrich.h"
#include "event.h"
#include "frame.h"
#include "iface.h"
#include "sink.h"
#include "verdict.h"

struct dpi;

struct audit_config {
    struct verdict_config verdict;
    struct iface_config ifaces;
    uint32_t max_flows;          /* flow table cap (default 262144) */
    uint32_t max_tcp_streams;    /* reassembly buffers at once (default 4096) */
    uint64_t flow_idle_ns;       /* idle timeout (default 120 s) */
    uint64_t stun_wait_ns;       /* how long a leaked request waits for its response (default 2 s) */
    bool no_dpi;                 /* --no-dpi: no nDPI classification (no app labels, no DoH by label) */
    struct dpi *shared_dpi;      /* borrowed nDPI module (fuzz entries reuse one: its set-up costs ~0.1 s); NULL: audit_new makes its own */
    uint32_t max_pending_stun;   /* leaked requests waiting at once (default 4096; oldest goes out first) */
    struct dedup_config dedup;   /* repeats of one leak folded within a window (default 60 s) */
};

struct audit_counters {
    uint64_t frames;
    uint64_t bytes;
    uint64_t first_ns, last_ns;
    uint64_t decode[DECODE_FRAGMENT + 1];  /* by enum decode_status */
    uint64_t events[EVENT_KIND_COUNT];
    uint64_t malformed[EVENT_KIND_COUNT];  /* looked like the protocol, failed to decode */
    uint64_t verdicts[VERDICT_COUNT];
    uint64_t alerts;                       /* events delivered as alerts */
    uint64_t alerts_by_kind[EVENT_KIND_COUNT];
    uint64_t exposures;                    /* alerts that say what address was exposed */
    uint64_t vpn_transport_packets;
    uint64_t tcp_stream_drops;             /* segments not reassembled (buffer cap, gaps) */
    uint64_t source_malformed;             /* set by the caller from the source */
    uint64_t flows_created, flows_evicted_cap;
    uint32_t flows_peak;
    /* other caps reached (memory bounds at work; nothing is lost silently) */
    uint64_t tcp_streams_refused;          /* connections cut per segment: no reassembly buffer free */
    uint64_t pending_released_early;       /* leaked STUN alerts sent before their reply: wait list full */
    uint64_t hosts_not_learned;            /* host addresses not remembered: set full */
    uint64_t ifaces_over_cap;              /* packets put on the last interface: table full */
    const struct dedup *dedup;             /* alert totals by kind, interface, process, destination */
    uint64_t vpn_state_changes;            /* live: VPN up/down events */
};

struct audit;
struct dpi_stats;
struct flow;

struct audit *audit_new(const struct audit_config *cfg, GError **err);
void audit_config_defaults(struct audit_config *cfg);
void audit_add_sink(struct audit *a, struct sink *s); /* not owned */
/* Runs after the verdict, before the sinks, in the order added (not owned). */
void audit_add_enricher(struct audit *a, const struct enricher *e);

/* Called for every flow as it leaves the table, its classification final
 * (tests compare the labels with ndpiReader's). */
typedef void (*audit_flow_fn)(const struct flow *fl, void *user);
void audit_set_flow_observer(struct audit *a, audit_flow_fn fn, void *user);
/* nDPI's counters; false when classification is off (--no-dpi). */
bool audit_dpi_stats(const struct audit *a, struct dpi_stats *out);

/* An interface the source declares before its packets (pcapng IDB). */
void audit_declare_iface(struct audit *a, int source_iface, const char *name, int linktype);
/* One frame; source_iface_name is the IDB name or NULL. */
void audit_frame(struct audit *a, const struct frame *f, const char *source_iface_name);
/* End of input: releases waiting alerts and flows, then tells the sinks. */
void audit_finish(struct audit *a);

struct pcapng_writer;
/* Frames that produce alerts (and the replies and VPN transport that explain
 * them) are written to w with their verdicts as comments; all frames with
 * write_all. w stays the caller's. */
void audit_set_evidence(struct audit *a, struct pcapng_writer *w, bool write_all);
/* False (and *err) when writing evidence failed at some point. */
bool audit_evidence_ok(struct audit *a, GError **err);

/* Live: time passes without frames; releases alerts that waited long enough. */
void audit_tick(struct audit *a, uint64_t now_ns);
/* Live: the VPN came up or went down; told to every sink that listens. */
void audit_vpn_state(struct audit *a, const struct vpn_state_change *c);
/* SIGHUP: every sink reopens its output file; false (and *err) for the first failure. */
bool audit_reopen_sinks(struct audit *a, GError **err);
/* Live: sees every decoded packet before dissection, so process attribution
 * meets each flow at its first packet (an alert may be emitted seconds later,
 * when a short-lived sender is gone). NULL turns it off. */
typedef void (*audit_packet_fn)(void *user, const struct packet *p, uint64_t ts_ns);
/* Adds to the evidence comment of an alert's frame (the process, so the
 * pcapng keeps what is known only live). */
typedef void (*audit_note_fn)(void *user, const struct event *ev, GString *comment);
void audit_set_packet_observer(struct audit *a, audit_packet_fn fn, audit_note_fn note, void *user);
/* The interface table, for live inventory updates. */
struct iface_table *audit_iface_table(struct audit *a);

struct audit_counters *audit_counters(struct audit *a);
const struct iface_table *audit_ifaces(const struct audit *a);
/* One sentence: the verdict of the run. */
void audit_verdict_sentence(const struct audit *a, GString *out);
/* The same from the counters alone (for sinks, which see only those). */
void audit_counters_sentence(const struct audit_counters *c, GString *out);
void audit_free(struct audit *a);

#endif
