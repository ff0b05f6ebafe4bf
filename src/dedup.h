/* dedup.h — the stage between enrichment and the sinks: folds repeats of
 * one leak into one alert, keeps the run's alert totals, and offers the
 * token bucket that protects syslog from floods.
 *
 * Owns: suppression windows (after Zeek's notice suppression: the first
 * alert of a leak goes out at once, the same leak again within the window is
 * folded into it), the totals by kind, interface, process, destination and
 * exposed address that the summary prints, and rate limits.
 * "The same leak" = same kind, verdict, interface, transport, remote address
 * and port, process (pid and name, when known) and, for DNS, the first
 * question's name and type: a query for another name is another leak.
 * Knows nothing of output formats or of how events were judged.
 */
#ifndef LEAKAUDIT_DEDUP_H
#define LEAKAUDIT_DEDUP_H

#include <glib.h>
#include <stdbool.h>
#include <stdint.h>

#include "event.h"

struct json_writer;

struct dedup_config {
    uint64_t window_ns;   /* 0: every alert goes out (totals are still kept) */
    unsigned max_keys;    /* leaks tracked at once (default 16384); beyond it alerts are not folded */
};

struct dedup_totals {
    uint64_t seen;        /* alert-worthy events, repeats included */
    uint64_t alerts;      /* delivered as alerts */
    uint64_t folded;      /* repeats folded: within a window, or STUN retransmissions */
    uint64_t untracked;   /* delivered unfolded because the key table was full */
};

struct dedup;

void dedup_config_defaults(struct dedup_config *cfg);
struct dedup *dedup_new(const struct dedup_config *cfg);
void dedup_free(struct dedup *d);

/* For an alert (event_is_alert): true when it goes out as an alert, with
 * ev->repeats grown by the repeats of this leak folded since its previous
 * alert; false when it is a repeat inside the window (ev->folded is set: the
 * sinks see it as an event, not an alert). Uses the capture time ev->ts_ns. */
bool dedup_admit(struct dedup *d, struct event *ev);

const struct dedup_totals *dedup_totals(const struct dedup *d);
/* Summary lines (each starts with prefix, ends with '\n'): alerts by kind,
 * interface, process (only when some alert had one), destination, and what
 * was exposed. Nothing when there was no alert. */
void dedup_summary_text(const struct dedup *d, const char *prefix, GString *out);
/* The same as members of the JSON object being written: "repeats_folded",
 * "by_kind", "by_interface", "by_process", "by_destination", "exposed_addresses". */
void dedup_summary_json(const struct dedup *d, struct json_writer *w);

/* Token bucket: `per_second` messages on average, bursts of `burst`. */
struct rate_limit {
    double per_second, burst, tokens;
    uint64_t last_ns;
    uint64_t suppressed;
};
/* per_second 0 = unlimited. */
void rate_limit_init(struct rate_limit *r, double per_second, double burst);
/* True when one message may go now (monotonic now_ns); else counts it. */
bool rate_limit_take(struct rate_limit *r, uint64_t now_ns);

#endif
