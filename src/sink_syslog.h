/* sink_syslog.h — alerts to syslog: the local socket (/dev/log) or a remote
 * collector with RFC 5424 messages over UDP, TCP (RFC 6587 octet counting)
 * or a unix socket.
 *
 * Owns: the message format (structured data [leakaudit@32473 kind=… iface=…
 * src=… dst=… proc=…], SD-PARAM escaping), a bounded queue drained by a
 * sender thread (so a collector that is down or slow never blocks capture),
 * reconnect with back-off, the global rate limit, and honest counts of what
 * was delivered, dropped and rate-limited. Knows nothing of dissectors or policy.
 */
#ifndef LEAKAUDIT_SINK_SYSLOG_H
#define LEAKAUDIT_SINK_SYSLOG_H

#include <glib.h>
#include <stdbool.h>
#include <stdint.h>

#include "sink.h"

enum { SYSLOG_QUEUE_DEFAULT = 1024 };

struct syslog_sink_options {
    const char *remote;   /* NULL: local syslog; else udp://HOST:PORT, tcp://HOST:PORT or unix:/PATH */
    int facility;         /* facility code 0..23 (daemon = 3) */
    double rate;          /* messages per second on average, bursts of 5 s worth; 0 = unlimited */
    unsigned queue;       /* messages held while the collector is away (0 = default) */
};

struct syslog_sink_stats {
    uint64_t delivered;    /* handed to the transport (UDP: not refused by ICMP) */
    uint64_t dropped;      /* queue full, collector unreachable at exit, or refused */
    uint64_t rate_limited; /* not sent because of the rate limit */
    uint64_t reconnects;   /* connections made after the first */
};

/* Facility by name (kern, user, mail, daemon, auth, syslog, lpr, news, uucp,
 * cron, authpriv, ftp, local0 … local7); false when unknown. */
bool syslog_facility_parse(const char *name, int *facility);

/* Checks the target (syntax, host name) and starts the sender; the first
 * connection is made by the sender, so a collector that is down is no error. */
struct sink *sink_syslog_open(const struct syslog_sink_options *opt, GError **err);
/* Statistics so far (after flush: final). */
void sink_syslog_stats(const struct sink *s, struct syslog_sink_stats *out);
/* "udp://127.0.0.1:514", "local /dev/log" … */
const char *sink_syslog_target(const struct sink *s);
/* A VPN interface came up, went down or disappeared (severity info). */
void sink_syslog_vpn_state(struct sink *s, const char *iface, const char *state);

#endif
