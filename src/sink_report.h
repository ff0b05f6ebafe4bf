/* sink_report.h — --report FILE.html: one self-contained page of the run.
 *
 * Owns: gathering what the page needs while events pass (a compact point per
 * event for the timeline, the alerts, tables per process, per destination,
 * per exposed address and per leaked DNS name), and writing the page at the
 * end of the run: verdict headline, counts, an inline-SVG timeline per
 * interface with leaks marked, and the tables. No external assets, no
 * script; every string from the wire is HTML-escaped.
 * Knows nothing of dissectors, policy or the layout of enrichment data: geo/
 * and src/attrib/ hand it formatters through the options.
 */
#ifndef LEAKAUDIT_SINK_REPORT_H
#define LEAKAUDIT_SINK_REPORT_H

#include <glib.h>
#include <stdbool.h>

#include "sink.h"

struct geo_info;

struct report_sink_options {
    const char *input;   /* what was audited: a file name or the capture interfaces */
    /* One short text for an enrichment record ("DE, Example GmbH (AS64500)",
     * "firefox(4242)"), false when there is nothing to say; NULL leaves those
     * columns empty. Shaped so geo/'s geo_describe() plugs in as it is. */
    bool (*describe_geo)(const struct geo_info *g, GString *out);
    bool (*describe_process)(const struct event *ev, GString *out);
};

/* Creates (truncates) path now, so a bad path fails before the run; the page
 * is written when the run finishes. */
struct sink *sink_report_open(const char *path, const struct report_sink_options *opt, GError **err);

/* Appends s to out escaped for HTML text and attribute values; invalid UTF-8
 * becomes U+FFFD and control characters become '?'. */
void html_escape_append(GString *out, const char *s);

#endif
