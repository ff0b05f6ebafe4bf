/* geo_enrich.c — the enrichment-stage adapter for geo.h: every judged event
 * gets its destination, source and exposed address annotated from the
 * per-address cache (one database search per address, not per packet).
 * Knows nothing of output formats.
 */
#include "geo_enrich.h"

struct geo_enricher {
    struct enricher base;
    struct geo *geo;
    FILE *warn;
    bool warned;
};

/* NULL when there is nothing to say (a public address no database knows). */
static const struct geo_info *annotate(struct geo *g, const struct ip_addr *a)
{
    const struct geo_info *gi = geo_lookup(g, a);
    return gi && (gi->found || gi->label) ? gi : NULL;
}

static void warn_no_database(struct geo_enricher *ge)
{
    ge->warned = true;
    char **dirs = geo_default_dirs();
    char *where = g_strjoinv(", ", dirs);
    fprintf(ge->warn,
            "leakaudit: warning: no GeoIP database in %s; alerts carry no country or ASN "
            "(install GeoLite2 with geoipupdate, or a free DB-IP lite .mmdb, or use --geoip PATH; "
            "--no-geoip silences this)\n",
            where);
    g_free(where);
    g_strfreev(dirs);
}

static void geo_enrich(void *self, struct event *ev)
{
    struct geo_enricher *ge = self;
    if (!geo_db_count(ge->geo)) {
        if (ge->warn && !ge->warned && event_is_alert(ev))
            warn_no_database(ge);
        return;
    }
    ev->dst_geo = annotate(ge->geo, &ev->dst);
    ev->src_geo = annotate(ge->geo, &ev->src);
    ev->exposed_geo = ev->has_exposed ? annotate(ge->geo, &ev->exposed) : NULL;
}

static const struct enricher_ops geo_enricher_ops = { .name = "geo", .enrich = geo_enrich, .close = NULL };

struct enricher *geo_enricher_new(struct geo *g, FILE *warn)
{
    struct geo_enricher *ge = g_new0(struct geo_enricher, 1);
    ge->base.ops = &geo_enricher_ops;
    ge->base.self = ge;
    ge->geo = g;
    ge->warn = warn;
    return &ge->base;
}

struct geo *geo_enricher_geo(const struct enricher *e)
{
    return ((const struct geo_enricher *)e->self)->geo;
}

void geo_enricher_free(struct enricher *e)
{
    if (!e)
        return;
    struct geo_enricher *ge = e->self;
    geo_free(ge->geo);
    g_free(ge);
}

struct enricher *geo_enricher_from_options(const char *const *paths, bool quiet, bool verbose, GError **err)
{
    struct geo_config cfg = { .paths = paths };
    struct geo *g = geo_open(&cfg, err);
    if (!g)
        return NULL;
    if (!quiet) {
        const GPtrArray *skipped = geo_skipped(g);
        for (guint i = 0; i < skipped->len; i++)
            fprintf(stderr, "leakaudit: warning: GeoIP: skipped %s\n", (const char *)g_ptr_array_index(skipped, i));
    }
    if (verbose) {
        GString *line = g_string_new(NULL);
        for (unsigned i = 0; i < geo_db_count(g); i++) {
            g_string_truncate(line, 0);
            geo_db_describe(g, i, line);
            fprintf(stderr, "leakaudit: GeoIP database: %s\n", line->str);
        }
        g_string_free(line, TRUE);
    }
    return geo_enricher_new(g, quiet ? NULL : stderr);
}

void geo_enricher_report(const struct enricher *e, FILE *out)
{
    struct geo_stats st;
    geo_get_stats(geo_enricher_geo(e), &st);
    fprintf(out,
            "leakaudit: GeoIP: %" G_GUINT64_FORMAT " lookups, %" G_GUINT64_FORMAT " from the cache, %" G_GUINT64_FORMAT
            " database searches, %" G_GUINT64_FORMAT " evictions (%u of %u cached), %" G_GUINT64_FORMAT " database errors\n",
            st.lookups, st.hits, st.db_lookups, st.evictions, st.entries, st.cap, st.db_errors);
}
