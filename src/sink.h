/* sink.h — where events and alerts go. One shape for every output
 * (text, JSON lines, syslog, evidence pcapng, report): open elsewhere, then
 * emit / finish / close. Sinks only read events; they never judge.
 */
#ifndef LEAKAUDIT_SINK_H
#define LEAKAUDIT_SINK_H

#include <glib.h>
#include <stdbool.h>
#include <stdio.h>

#include "event.h"

struct audit_counters;
struct iface_table;

/* Live: the VPN came up or went down (as the host's routing shows it). */
struct vpn_state_change {
    uint64_t ts_ns;
    bool up;
    const char *vpn;   /* the VPN interface or declaration; NULL when down */
    const char *why;   /* "wg0 carries the default route (IPv4 default, table main)" */
};

struct sink_ops {
    const char *name;
    /* Every judged event; alerts are the ones with event_is_alert(). */
    void (*emit)(void *self, const struct event *ev);
    /* End of run: totals and interfaces (may be NULL). */
    void (*finish)(void *self, const struct audit_counters *c, const struct iface_table *ifaces);
    /* Pushes buffered output out; false (and *err) when it could not. */
    bool (*flush)(void *self, GError **err);
    void (*close)(void *self);
    /* SIGHUP: close and reopen the output file (logrotate moved it); may be NULL. */
    bool (*reopen)(void *self, GError **err);
    /* A VPN state change (may be NULL: the sink ignores them). */
    void (*vpn_state)(void *self, const struct vpn_state_change *c);
};

struct sink {
    const struct sink_ops *ops;
    void *self;
};

struct text_sink_options {
    bool events;     /* every event, not only alerts */
    bool color;
    bool quiet;
};
struct sink *sink_text_new(FILE *out, const struct text_sink_options *opt);

struct json_sink_options {
    bool events;     /* every event, not only alerts */
};
/* path "-" is standard output. */
struct sink *sink_json_open(const char *path, const struct json_sink_options *opt, GError **err);

void sink_free(struct sink *s);

struct json_writer;
/* The JSON object of one event (shared by the JSON sink and others). */
void json_write_event(struct json_writer *w, const struct event *ev);

/* One-line description of what an event carries ("Binding request user=a:b",
 * "query A example.com", "ClientHello DTLS 1.2 use_srtp=…"): shared by sinks. */
void event_describe(const struct event *ev, GString *out);

#endif
