/* geo_enrich.h — the GeoIP enricher: fills ev->src_geo, ev->dst_geo and
 * ev->exposed_geo from a struct geo (see geo.h) for every judged event.
 *
 * Owns: which addresses of an event are annotated, and the one warning when
 * no database is loaded. Knows nothing of output formats.
 */
#ifndef LEAKAUDIT_GEO_ENRICH_H
#define LEAKAUDIT_GEO_ENRICH_H

#include <stdio.h>

#include "enrich.h"
#include "geo.h"

/* Takes ownership of g. With no database loaded the enricher annotates
 * nothing and, when warn is not NULL, prints one warning there at the first
 * alert saying how to get a database. */
struct enricher *geo_enricher_new(struct geo *g, FILE *warn);
struct geo *geo_enricher_geo(const struct enricher *e);
void geo_enricher_free(struct enricher *e);

/* What main wants: the named paths (--geoip) or the default search; warns
 * on stderr about skipped files unless quiet, lists the databases when
 * verbose. NULL and *err when a named database is missing or unusable. */
/* One line of cache counters (lookups, hits, database searches, evictions). */
void geo_enricher_report(const struct enricher *e, FILE *out);
struct enricher *geo_enricher_from_options(const char *const *paths, bool quiet, bool verbose, GError **err);

#endif
