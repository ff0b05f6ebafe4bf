/* enrich.h — the stage after the verdict: annotate an event before sinks
 * see it (GeoIP/ASN in geo/, the owning process in src/attrib/).
 *
 * Owns: the one shape every enricher has. An enricher fills only the
 * enrichment fields of struct event (src_geo, dst_geo, exposed_geo,
 * process …), pointing at data it owns and keeps valid at least until the
 * next call (a per-address or per-flow cache is the intended home).
 * It never changes the verdict. Enrichers run in the order they were added,
 * on every judged event; an enricher that is costly should act only on
 * event_is_alert(ev) or cache its answers.
 * Knows nothing of output formats.
 */
#ifndef LEAKAUDIT_ENRICH_H
#define LEAKAUDIT_ENRICH_H

#include "event.h"

struct enricher_ops {
    const char *name;
    void (*enrich)(void *self, struct event *ev);
    void (*close)(void *self);   /* may be NULL */
};

struct enricher {
    const struct enricher_ops *ops;
    void *self;
};

#endif
