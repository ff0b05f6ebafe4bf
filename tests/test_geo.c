/* test_geo.c — geo/ against real databases: MaxMind's test databases versus
 * the source JSON they were built from (IPv4 and IPv6; City, Country, ASN,
 * ISP, Enterprise, Connection-Type, Anonymous-IP), every corrupt file in
 * MaxMind's bad-data refused cleanly, labels instead of lookups for
 * non-public addresses, the bounded cache, and the demo databases of the
 * bundled samples versus their source (no corpus needed).
 */
#include <glib.h>
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include <math.h>
#include <string.h>

#include "geo.h"
#include "json.h"
#include "testutil.h"

/* What a source record is compared on. */
enum {
    WANT_COUNTRY = 1 << 0,
    WANT_CITY = 1 << 1,     /* city name, location, accuracy radius */
    WANT_ASN = 1 << 2,      /* top-level autonomous_system_*, isp, organization */
    WANT_TRAITS = 1 << 3,   /* Enterprise: traits.* */
    WANT_CONN = 1 << 4,
    WANT_ANON = 1 << 5,
};

struct source_net {
    struct ip_addr net;
    unsigned plen;
    JsonObject *rec;
};

/* "1.0.0.0/24", "2001:218::/32", "::1.0.128.0/113" (IPv4 inside ::/96). */
static bool parse_network(const char *text, struct source_net *out)
{
    char **parts = g_strsplit(text, "/", 2);
    bool ok = parts[0] && parts[1] && addr_parse(&out->net, parts[0]);
    if (ok) {
        out->plen = (unsigned)atoi(parts[1]);
        static const uint8_t zero[12];
        if (out->net.family == 6 && out->plen >= 96 && memcmp(out->net.bytes, zero, 12) == 0) {
            uint8_t v4[4];
            memcpy(v4, out->net.bytes + 12, 4);
            addr_from_v4(&out->net, v4);
            out->plen -= 96;
        }
    }
    g_strfreev(parts);
    return ok;
}

static bool net_contains(const struct source_net *n, const struct ip_addr *a)
{
    if (n->net.family != a->family)
        return false;
    unsigned full = n->plen / 8, rest = n->plen % 8;
    if (memcmp(n->net.bytes, a->bytes, full) != 0)
        return false;
    if (!rest)
        return true;
    uint8_t mask = (uint8_t)(0xff << (8 - rest));
    return (n->net.bytes[full] & mask) == (a->bytes[full] & mask);
}

static JsonNode *member_path(JsonObject *o, const char *const *path)
{
    JsonNode *node = NULL;
    for (int i = 0; path[i]; i++) {
        if (!o || !json_object_has_member(o, path[i]))
            return NULL;
        node = json_object_get_member(o, path[i]);
        o = JSON_NODE_HOLDS_OBJECT(node) ? json_node_get_object(node) : NULL;
    }
    return node;
}

#define P(...) ((const char *const[]){ __VA_ARGS__, NULL })

static const char *str_at(JsonObject *o, const char *const *path)
{
    JsonNode *n = member_path(o, path);
    return n && JSON_NODE_HOLDS_VALUE(n) && json_node_get_value_type(n) == G_TYPE_STRING ? json_node_get_string(n)
                                                                                           : "";
}

static bool num_at(JsonObject *o, const char *const *path, double *out)
{
    JsonNode *n = member_path(o, path);
    if (!n || !JSON_NODE_HOLDS_VALUE(n))
        return false;
    GType t = json_node_get_value_type(n);
    if (t == G_TYPE_INT64)
        *out = (double)json_node_get_int(n);
    else if (t == G_TYPE_DOUBLE)
        *out = json_node_get_double(n);
    else
        return false;
    return true;
}

static bool bool_at(JsonObject *o, const char *key)
{
    JsonNode *n = member_path(o, P(key));
    return n && JSON_NODE_HOLDS_VALUE(n) && json_node_get_value_type(n) == G_TYPE_BOOLEAN && json_node_get_boolean(n);
}

struct compare {
    unsigned checked_v4, checked_v6, skipped_local, mismatches;
    GString *report;
};

static void expect_str(struct compare *c, const char *ip, const char *field, const char *want, const char *got,
                       size_t cap)
{
    /* Long database text is cut to the struct's buffer at a character boundary. */
    bool ok = strlen(want) < cap ? strcmp(want, got) == 0 : g_str_has_prefix(want, got) && strlen(got) > cap - 8;
    if (!ok) {
        c->mismatches++;
        if (c->mismatches <= 10)
            g_string_append_printf(c->report, "%s %s: want '%s' got '%s'\n", ip, field, want, got);
    }
}

static void expect_num(struct compare *c, const char *ip, const char *field, bool has_want, double want, bool has_got,
                       double got)
{
    if (has_want != has_got || (has_want && fabs(want - got) > 1e-9 * (fabs(want) + 1))) {
        c->mismatches++;
        if (c->mismatches <= 10)
            g_string_append_printf(c->report, "%s %s: want %s%g got %s%g\n", ip, field, has_want ? "" : "none ",
                                   want, has_got ? "" : "none ", got);
    }
}

static void compare_record(struct compare *c, const char *ip, JsonObject *rec, const struct geo_info *gi,
                           unsigned want)
{
    if (!gi->found) {
        c->mismatches++;
        g_string_append_printf(c->report, "%s: not found\n", ip);
        return;
    }
    double d = 0;
    if (want & WANT_COUNTRY) {
        expect_str(c, ip, "country.iso_code", str_at(rec, P("country", "iso_code")), gi->country_iso,
                   sizeof gi->country_iso);
        expect_str(c, ip, "country.names.en", str_at(rec, P("country", "names", "en")), gi->country_name,
                   sizeof gi->country_name);
    }
    if (want & WANT_CITY) {
        expect_str(c, ip, "city.names.en", str_at(rec, P("city", "names", "en")), gi->city, sizeof gi->city);
        double lat = 0, lon = 0;
        bool has = num_at(rec, P("location", "latitude"), &lat) && num_at(rec, P("location", "longitude"), &lon);
        expect_num(c, ip, "location.latitude", has, lat, gi->has_location, gi->latitude);
        expect_num(c, ip, "location.longitude", has, lon, gi->has_location, gi->longitude);
        bool has_r = has && num_at(rec, P("location", "accuracy_radius"), &d);
        expect_num(c, ip, "location.accuracy_radius", has_r, d, gi->accuracy_radius_km != 0, gi->accuracy_radius_km);
    }
    if (want & (WANT_ASN | WANT_TRAITS)) {
        const char *base = want & WANT_TRAITS ? "traits" : NULL;
        const char *const *num = base ? P("traits", "autonomous_system_number") : P("autonomous_system_number");
        const char *const *org =
            base ? P("traits", "autonomous_system_organization") : P("autonomous_system_organization");
        bool has = num_at(rec, num, &d);
        expect_num(c, ip, "autonomous_system_number", has, d, gi->asn != 0, gi->asn);
        expect_str(c, ip, "autonomous_system_organization", str_at(rec, org), gi->as_org, sizeof gi->as_org);
        expect_str(c, ip, "isp", str_at(rec, base ? P("traits", "isp") : P("isp")), gi->isp, sizeof gi->isp);
        expect_str(c, ip, "organization", str_at(rec, base ? P("traits", "organization") : P("organization")),
                   gi->organization, sizeof gi->organization);
    }
    if (want & (WANT_CONN | WANT_TRAITS))
        expect_str(c, ip, "connection_type",
                   str_at(rec, want & WANT_TRAITS ? P("traits", "connection_type") : P("connection_type")),
                   gi->connection_type, sizeof gi->connection_type);
    if (want & WANT_ANON) {
        static const char *const keys[] = { "is_anonymous", "is_anonymous_vpn", "is_hosting_provider",
                                            "is_public_proxy", "is_residential_proxy", "is_tor_exit_node" };
        const bool got[] = { gi->is_anonymous, gi->is_anonymous_vpn, gi->is_hosting_provider,
                             gi->is_public_proxy, gi->is_residential_proxy, gi->is_tor_exit_node };
        for (unsigned i = 0; i < G_N_ELEMENTS(keys); i++)
            expect_num(c, ip, keys[i], true, bool_at(rec, keys[i]), true, got[i]);
    }
}

/* For every network of the source file: its first address, looked up, must
 * answer what the most specific source network holding it says. */
static void compare_source(struct geo *g, const char *json_path, unsigned want, struct compare *c)
{
    GError *err = NULL;
    JsonParser *parser = json_parser_new();
    g_assert_true(json_parser_load_from_file(parser, json_path, &err));
    g_assert_no_error(err);
    JsonArray *list = json_node_get_array(json_parser_get_root(parser));
    GArray *nets = g_array_new(FALSE, TRUE, sizeof(struct source_net));
    for (guint i = 0; i < json_array_get_length(list); i++) {
        JsonObject *entry = json_array_get_object_element(list, i);
        GList *keys = json_object_get_members(entry);
        for (GList *k = keys; k; k = k->next) {
            struct source_net n = { 0 };
            g_assert_true(parse_network(k->data, &n));
            n.rec = json_object_get_object_member(entry, k->data);
            g_array_append_val(nets, n);
        }
        g_list_free(keys);
    }
    g_assert_cmpuint(nets->len, >, 0);
    for (guint i = 0; i < nets->len; i++) {
        const struct source_net *n = &g_array_index(nets, struct source_net, i);
        const struct source_net *best = NULL;
        for (guint j = 0; j < nets->len; j++) {
            const struct source_net *m = &g_array_index(nets, struct source_net, j);
            if (net_contains(m, &n->net) && (!best || m->plen >= best->plen))
                best = m;
        }
        char ip[ADDR_STRLEN];
        addr_format(&n->net, ip, sizeof ip);
        struct geo_info gi;
        geo_lookup_uncached(g, &n->net, &gi);
        enum addr_class cls = addr_classify(&n->net);
        if (cls != ADDR_PUBLIC && cls != ADDR_DOCUMENTATION) {
            /* Not looked up by design; it must carry its label instead. */
            g_assert_false(gi.found);
            g_assert_nonnull(gi.label);
            c->skipped_local++;
            continue;
        }
        compare_record(c, ip, best->rec, &gi, want);
        if (n->net.family == 4)
            c->checked_v4++;
        else
            c->checked_v6++;
    }
    g_array_free(nets, TRUE);
    g_object_unref(parser);
}

struct source_case {
    const char *db;     /* under MaxMind-DB/test-data */
    const char *source; /* under MaxMind-DB/source-data */
    enum geo_db_kind kind;
    unsigned want;
};

static void test_source_case(gconstpointer data)
{
    const struct source_case *sc = data;
    char *db_rel = g_build_filename("MaxMind-DB", "test-data", sc->db, NULL);
    char *src_rel = g_build_filename("MaxMind-DB", "source-data", sc->source, NULL);
    char *db = test_corpus_path(db_rel), *src = test_corpus_path(src_rel);
    g_free(db_rel);
    g_free(src_rel);
    if (!db || !src) {
        printf("# SKIP-NOTE corpus not found (../shared/corpus): MaxMind test databases skipped\n");
        g_test_skip("MaxMind test data not found");
        g_free(db);
        g_free(src);
        return;
    }
    GError *err = NULL;
    struct geo *g = geo_open_file(db, &err);
    g_assert_no_error(err);
    g_assert_nonnull(g);
    g_assert_cmpuint(geo_db_count(g), ==, 1);
    GString *desc = g_string_new(NULL);
    geo_db_describe(g, 0, desc);
    g_assert_nonnull(strstr(desc->str, geo_db_kind_name(sc->kind)));
    g_string_free(desc, TRUE);

    struct compare c = { .report = g_string_new(NULL) };
    compare_source(g, src, sc->want, &c);
    g_test_message("%s: %u IPv4 and %u IPv6 networks compared, %u non-public labelled", sc->db, c.checked_v4,
                   c.checked_v6, c.skipped_local);
    if (c.mismatches)
        g_test_message("%s", c.report->str);
    g_assert_cmpuint(c.mismatches, ==, 0);
    g_assert_cmpuint(c.checked_v4, >, 0);
    g_assert_cmpuint(c.checked_v6, >, 0);
    struct geo_stats st;
    geo_get_stats(g, &st);
    g_assert_cmpuint(st.db_errors, ==, 0);
    g_string_free(c.report, TRUE);
    geo_free(g);
    g_free(db);
    g_free(src);
}

static const struct source_case source_cases[] = {
    { "GeoIP2-City-Test.mmdb", "GeoIP2-City-Test.json", GEO_DB_CITY, WANT_COUNTRY | WANT_CITY },
    { "GeoLite2-City-Test.mmdb", "GeoLite2-City-Test.json", GEO_DB_CITY, WANT_COUNTRY | WANT_CITY },
    { "GeoIP2-Country-Test.mmdb", "GeoIP2-Country-Test.json", GEO_DB_COUNTRY, WANT_COUNTRY },
    { "GeoLite2-Country-Test.mmdb", "GeoLite2-Country-Test.json", GEO_DB_COUNTRY, WANT_COUNTRY },
    { "GeoLite2-ASN-Test.mmdb", "GeoLite2-ASN-Test.json", GEO_DB_ASN, WANT_ASN },
    { "GeoIP2-ISP-Test.mmdb", "GeoIP2-ISP-Test.json", GEO_DB_ISP, WANT_ASN },
    { "GeoIP2-Enterprise-Test.mmdb", "GeoIP2-Enterprise-Test.json", GEO_DB_ENTERPRISE,
      WANT_COUNTRY | WANT_CITY | WANT_TRAITS },
    { "GeoIP2-Connection-Type-Test.mmdb", "GeoIP2-Connection-Type-Test.json", GEO_DB_CONNECTION_TYPE, WANT_CONN },
    { "GeoIP2-Anonymous-IP-Test.mmdb", "GeoIP2-Anonymous-IP-Test.json", GEO_DB_ANONYMOUS_IP, WANT_ANON },
};

/* Every file of a directory tree, recursively. */
static void list_files(const char *dir, GPtrArray *out)
{
    GDir *d = g_dir_open(dir, 0, NULL);
    g_assert_nonnull(d);
    const char *name;
    while ((name = g_dir_read_name(d))) {
        char *p = g_build_filename(dir, name, NULL);
        if (g_file_test(p, G_FILE_TEST_IS_DIR)) {
            list_files(p, out);
            g_free(p);
        } else {
            g_ptr_array_add(out, p);
        }
    }
    g_dir_close(d);
}

static void test_bad_data(void)
{
    TEST_NEED_CORPUS(dir, "MaxMind-DB/bad-data");
    GPtrArray *files = g_ptr_array_new_with_free_func(g_free);
    list_files(dir, files);
    unsigned refused = 0, structural = 0;
    for (guint i = 0; i < files->len; i++) {
        const char *f = g_ptr_array_index(files, i);
        if (!g_str_has_suffix(f, ".mmdb"))
            continue;
        GError *err = NULL;
        struct geo *g = geo_open_file(f, &err);
        if (g)
            g_test_message("accepted: %s", f);
        g_assert_null(g);
        g_assert_nonnull(err);
        g_assert_nonnull(strstr(err->message, f)); /* the message names the file */
        g_test_message("%s", err->message);
        if (!strstr(err->message, "database type"))
            structural++;
        refused++;
        g_error_free(err);
    }
    /* Also the broken files among the test databases, which carry known types,
     * so only the structural check can refuse them. */
    static const char *const broken[] = { "GeoIP2-City-Test-Broken-Double-Format.mmdb",
                                          "MaxMind-DB-test-broken-pointers-24.mmdb",
                                          "MaxMind-DB-test-broken-search-tree-24.mmdb" };
    for (unsigned i = 0; i < G_N_ELEMENTS(broken); i++) {
        char *rel = g_build_filename("MaxMind-DB", "test-data", broken[i], NULL);
        char *f = test_corpus_path(rel);
        g_free(rel);
        g_assert_nonnull(f);
        GError *err = NULL;
        struct geo *g = geo_open_file(f, &err);
        g_assert_null(g);
        g_assert_nonnull(err);
        g_test_message("%s", err->message);
        g_error_free(err);
        g_free(f);
    }
    g_test_message("%u bad-data files refused, %u of them by the structural check", refused, structural);
    g_assert_cmpuint(refused, >=, 20);
    g_assert_cmpuint(structural, >=, refused - 4);
    g_ptr_array_free(files, TRUE);
    g_free(dir);
}

/* Every test database either opens and answers lookups, or is refused with
 * a message; none crashes (the ASan run checks the "cleanly"). */
static void test_every_test_database(void)
{
    TEST_NEED_CORPUS(dir, "MaxMind-DB/test-data");
    GPtrArray *files = g_ptr_array_new_with_free_func(g_free);
    list_files(dir, files);
    unsigned opened = 0, refused = 0;
    static const char *const probes[] = { "1.1.1.1", "81.2.69.160", "2001:218::1", "2a02:cf40::1", "89.160.20.112",
                                          "::1.2.3.4", "216.160.83.56", "67.43.156.1" };
    for (guint i = 0; i < files->len; i++) {
        const char *f = g_ptr_array_index(files, i);
        if (!g_str_has_suffix(f, ".mmdb"))
            continue;
        GError *err = NULL;
        struct geo *g = geo_open_file(f, &err);
        if (!g) {
            g_assert_nonnull(err);
            g_assert_cmpuint(strlen(err->message), >, strlen(f));
            g_error_free(err);
            refused++;
            continue;
        }
        opened++;
        for (unsigned p = 0; p < G_N_ELEMENTS(probes); p++) {
            struct ip_addr a;
            g_assert_true(addr_parse(&a, probes[p]));
            g_assert_nonnull(geo_lookup(g, &a));
        }
        geo_free(g);
    }
    g_test_message("test-data: %u opened, %u refused", opened, refused);
    g_assert_cmpuint(opened, >=, 12);
    g_assert_cmpuint(refused, >=, 3);
    g_ptr_array_free(files, TRUE);
    g_free(dir);
}

static char *demo_path(const char *name)
{
    char *rel = g_build_filename("samples", "geo", name, NULL);
    char *p = test_repo_path(rel);
    g_free(rel);
    return p;
}

static struct geo *open_demo(uint32_t cap)
{
    char *dir = demo_path(NULL);
    const char *paths[] = { dir, NULL };
    struct geo_config cfg = { .paths = paths, .cache_cap = cap };
    GError *err = NULL;
    struct geo *g = geo_open(&cfg, &err);
    g_assert_no_error(err);
    g_assert_nonnull(g);
    g_assert_cmpuint(geo_db_count(g), ==, 2);
    g_free(dir);
    return g;
}

/* The committed demo databases answer what their readable source says. */
static void test_demo_databases(void)
{
    struct geo *g = open_demo(0);
    char *src = demo_path("demo-geoip.json");
    struct compare c = { .report = g_string_new(NULL) };
    compare_source(g, src, WANT_COUNTRY | WANT_CITY | WANT_ASN, &c);
    if (c.mismatches)
        g_test_message("%s", c.report->str);
    g_assert_cmpuint(c.mismatches, ==, 0);
    g_assert_cmpuint(c.checked_v4, >=, 3);
    g_assert_cmpuint(c.checked_v6, >=, 1);
    g_string_free(c.report, TRUE);
    g_free(src);
    geo_free(g);
}

/* Non-public addresses are labelled and never reach a database. */
static void test_labels(void)
{
    struct geo *g = open_demo(0);
    static const struct {
        const char *ip;
        enum addr_class cls;
    } cases[] = {
        { "127.0.0.1", ADDR_LOOPBACK },      { "::1", ADDR_LOOPBACK },
        { "10.1.2.3", ADDR_PRIVATE },        { "172.16.0.1", ADDR_PRIVATE },
        { "172.31.255.254", ADDR_PRIVATE },  { "192.168.1.1", ADDR_PRIVATE },
        { "fd00::1", ADDR_PRIVATE },         { "100.64.0.1", ADDR_CGNAT },
        { "100.127.255.254", ADDR_CGNAT },   { "169.254.10.1", ADDR_LINK_LOCAL },
        { "fe80::1", ADDR_LINK_LOCAL },      { "224.0.0.251", ADDR_MULTICAST },
        { "ff02::fb", ADDR_MULTICAST },      { "0.0.0.0", ADDR_UNSPECIFIED },
        { "::ffff:10.0.0.1", ADDR_PRIVATE }, { "::ffff:192.168.0.1", ADDR_PRIVATE },
    };
    struct geo_stats before, after;
    geo_get_stats(g, &before);
    for (unsigned i = 0; i < G_N_ELEMENTS(cases); i++) {
        struct ip_addr a;
        g_assert_true(addr_parse(&a, cases[i].ip));
        const struct geo_info *gi = geo_lookup(g, &a);
        g_assert_nonnull(gi);
        g_assert_cmpint(gi->addr_class, ==, cases[i].cls);
        g_assert_false(gi->found);
        g_assert_cmpstr(gi->label, ==, geo_class_label(cases[i].cls));
        GString *s = g_string_new(NULL);
        g_assert_true(geo_describe(gi, s));
        g_assert_cmpstr(s->str, ==, gi->label);
        g_string_free(s, TRUE);
    }
    geo_get_stats(g, &after);
    g_assert_cmpuint(after.db_lookups, ==, before.db_lookups);
    g_assert_cmpstr(geo_class_label(ADDR_CGNAT), !=, geo_class_label(ADDR_PRIVATE));
    g_assert_null(geo_class_label(ADDR_PUBLIC));

    /* 100.128.0.1 is just past CGNAT: public, so it is looked up (and the
     * demo databases do not hold it). Documentation addresses are looked up
     * too: the demo databases hold them on purpose. */
    struct ip_addr a;
    g_assert_true(addr_parse(&a, "100.128.0.1"));
    const struct geo_info *gi = geo_lookup(g, &a);
    g_assert_cmpint(gi->addr_class, ==, ADDR_PUBLIC);
    g_assert_false(gi->found);
    g_assert_null(gi->label);
    geo_get_stats(g, &after);
    g_assert_cmpuint(after.db_lookups, ==, before.db_lookups + 2);
    GString *s = g_string_new(NULL);
    g_assert_false(geo_describe(gi, s));
    g_assert_cmpuint(s->len, ==, 0);
    g_string_free(s, TRUE);
    geo_free(g);
}

/* The cache is bounded: cap entries, least recently used evicted, counted. */
static void test_cache_bound(void)
{
    enum { CAP = 8, N = 100 };
    struct geo *g = open_demo(CAP);
    struct ip_addr a;
    const struct geo_info *first = NULL;
    for (unsigned i = 0; i < N; i++) {
        char ip[32];
        g_snprintf(ip, sizeof ip, "198.51.100.%u", i);
        g_assert_true(addr_parse(&a, ip));
        const struct geo_info *gi = geo_lookup(g, &a);
        g_assert_true(gi->found);
        g_assert_true(addr_equal(&gi->addr, &a));
        if (i == N - CAP)
            first = gi;
    }
    struct geo_stats st;
    geo_get_stats(g, &st);
    g_assert_cmpuint(st.cap, ==, CAP);
    g_assert_cmpuint(st.entries, ==, CAP);
    g_assert_cmpuint(st.lookups, ==, N);
    g_assert_cmpuint(st.hits, ==, 0);
    g_assert_cmpuint(st.evictions, ==, N - CAP);
    /* The oldest still cached is intact after CAP - 1 newer lookups. */
    g_assert_true(addr_parse(&a, "198.51.100.92"));
    g_assert_true(addr_equal(&first->addr, &a));
    /* The last CAP addresses are hits: no database search. */
    uint64_t searches = st.db_lookups;
    for (unsigned i = N - CAP; i < N; i++) {
        char ip[32];
        g_snprintf(ip, sizeof ip, "198.51.100.%u", i);
        g_assert_true(addr_parse(&a, ip));
        geo_lookup(g, &a);
    }
    geo_get_stats(g, &st);
    g_assert_cmpuint(st.hits, ==, CAP);
    g_assert_cmpuint(st.db_lookups, ==, searches);
    /* An evicted address is a miss again and evicts one more. */
    g_assert_true(addr_parse(&a, "198.51.100.0"));
    geo_lookup(g, &a);
    geo_get_stats(g, &st);
    g_assert_cmpuint(st.evictions, ==, N - CAP + 1);
    g_assert_cmpuint(st.db_lookups, >, searches);
    g_assert_cmpuint(st.entries, ==, CAP);
    geo_free(g);
}

/* The JSON members read back (parsed) equal the demo source record. */
static void test_json_and_text(void)
{
    struct geo *g = open_demo(0);
    char *src = demo_path("demo-geoip.json");
    JsonParser *p = json_parser_new();
    g_assert_true(json_parser_load_from_file(p, src, NULL));
    JsonObject *entry = json_array_get_object_element(json_node_get_array(json_parser_get_root(p)), 0);
    GList *keys = json_object_get_members(entry);
    struct source_net n = { 0 };
    g_assert_true(parse_network(keys->data, &n));
    JsonObject *rec = json_object_get_object_member(entry, keys->data);
    g_list_free(keys);
    const struct geo_info *gi = geo_lookup(g, &n.net);

    GString *line = g_string_new(NULL);
    struct json_writer w;
    json_begin(&w, line);
    json_object_begin(&w, NULL);
    geo_json_write_object(&w, "destination", gi);
    json_object_end(&w);
    JsonParser *out = json_parser_new();
    g_assert_true(json_parser_load_from_data(out, line->str, (gssize)line->len, NULL));
    JsonObject *root = json_node_get_object(json_parser_get_root(out));
    g_assert_cmpstr(str_at(root, P("destination", "geo", "country_iso_code")), ==,
                    str_at(rec, P("country", "iso_code")));
    g_assert_cmpstr(str_at(root, P("destination", "geo", "city_name")), ==, str_at(rec, P("city", "names", "en")));
    g_assert_cmpstr(str_at(root, P("destination", "as", "organization", "name")), ==,
                    str_at(rec, P("autonomous_system_organization")));
    double want = 0, got = 0;
    g_assert_true(num_at(rec, P("autonomous_system_number"), &want));
    g_assert_true(num_at(root, P("destination", "as", "number"), &got));
    g_assert_cmpfloat(want, ==, got);
    g_assert_true(num_at(rec, P("location", "latitude"), &want));
    g_assert_true(num_at(root, P("destination", "geo", "location", "lat"), &got));
    g_assert_cmpfloat(want, ==, got);
    g_assert_true(num_at(rec, P("location", "longitude"), &want));
    g_assert_true(num_at(root, P("destination", "geo", "location", "lon"), &got));
    g_assert_cmpfloat(want, ==, got); /* -104.9903: needs more than 6 digits */
    g_assert_cmpstr(str_at(root, P("destination", "address_class")), ==, "documentation");

    /* Text: "AS<number> <organization>, …, <city> <country>". */
    GString *text = g_string_new(NULL);
    g_assert_true(geo_describe(gi, text));
    g_assert_true(num_at(rec, P("autonomous_system_number"), &want));
    char *as = g_strdup_printf("AS%.0f %s", want, str_at(rec, P("autonomous_system_organization")));
    char *place = g_strdup_printf("%s %s", str_at(rec, P("city", "names", "en")), str_at(rec, P("country", "iso_code")));
    g_assert_true(g_str_has_prefix(text->str, as));
    g_assert_true(g_str_has_suffix(text->str, place));
    g_free(as);
    g_free(place);
    g_string_free(text, TRUE);

    /* Nothing at all for no annotation. */
    g_string_truncate(line, 0);
    json_begin(&w, line);
    json_object_begin(&w, NULL);
    geo_json_write_object(&w, "source", NULL);
    json_object_end(&w);
    g_assert_cmpstr(line->str, ==, "{}");
    g_string_free(line, TRUE);
    g_object_unref(out);
    g_object_unref(p);
    g_free(src);
    geo_free(g);
}

/* DB-IP and IPinfo "lite" layouts (tests/data/geo, built by make-lite.pl
 * from lite-source.json): each file alone answers what its source says. */
static void test_lite_layouts(void)
{
    char *dir = test_repo_path("tests/data/geo");
    char *src = g_build_filename(dir, "lite-source.json", NULL);
    JsonParser *p = json_parser_new();
    g_assert_true(json_parser_load_from_file(p, src, NULL));
    JsonObject *files = json_node_get_object(json_parser_get_root(p));
    GList *names = json_object_get_members(files);
    unsigned checked = 0;
    for (GList *l = names; l; l = l->next) {
        JsonObject *f = json_object_get_object_member(files, l->data);
        char *file = g_strdup_printf("%s/%s-test.mmdb", dir, (const char *)l->data);
        GError *err = NULL;
        struct geo *g = geo_open_file(file, &err);
        g_assert_no_error(err);
        GString *desc = g_string_new(NULL);
        geo_db_describe(g, 0, desc);
        g_assert_true(g_str_has_prefix(desc->str, json_object_get_string_member(f, "database_type")));
        g_string_free(desc, TRUE);
        enum geo_db_kind kind = geo_db_kind_from_type(json_object_get_string_member(f, "database_type"));
        JsonArray *nets = json_object_get_array_member(f, "networks");
        for (guint i = 0; i < json_array_get_length(nets); i++) {
            JsonObject *entry = json_array_get_object_element(nets, i);
            GList *keys = json_object_get_members(entry);
            struct source_net n = { 0 };
            g_assert_true(parse_network(keys->data, &n));
            JsonObject *rec = json_object_get_object_member(entry, keys->data);
            g_list_free(keys);
            struct geo_info gi;
            geo_lookup_uncached(g, &n.net, &gi);
            g_assert_true(gi.found);
            if (kind == GEO_DB_IPINFO) {
                g_assert_cmpstr(gi.country_iso, ==, str_at(rec, P("country_code")));
                g_assert_cmpstr(gi.country_name, ==, str_at(rec, P("country")));
                g_assert_cmpstr(gi.as_org, ==, str_at(rec, P("as_name")));
                char *asn = g_strdup_printf("AS%u", gi.asn);
                g_assert_cmpstr(asn, ==, str_at(rec, P("asn")));
                g_free(asn);
            } else {
                struct compare c = { .report = g_string_new(NULL) };
                char ip[ADDR_STRLEN];
                compare_record(&c, addr_format(&n.net, ip, sizeof ip), rec, &gi,
                               kind == GEO_DB_ASN ? WANT_ASN : WANT_COUNTRY | WANT_CITY);
                if (c.mismatches)
                    g_test_message("%s", c.report->str);
                g_assert_cmpuint(c.mismatches, ==, 0);
                g_string_free(c.report, TRUE);
            }
            checked++;
        }
        geo_free(g);
        g_free(file);
    }
    g_assert_cmpuint(checked, ==, 6);
    g_list_free(names);
    g_object_unref(p);
    g_free(src);
    g_free(dir);
}

/* Layout by metadata, not file name. */
static void test_kind_from_type(void)
{
    g_assert_cmpint(geo_db_kind_from_type("GeoLite2-City"), ==, GEO_DB_CITY);
    g_assert_cmpint(geo_db_kind_from_type("GeoIP2-Country"), ==, GEO_DB_COUNTRY);
    g_assert_cmpint(geo_db_kind_from_type("GeoLite2-ASN"), ==, GEO_DB_ASN);
    g_assert_cmpint(geo_db_kind_from_type("GeoIP2-ISP"), ==, GEO_DB_ISP);
    g_assert_cmpint(geo_db_kind_from_type("GeoIP2-Connection-Type"), ==, GEO_DB_CONNECTION_TYPE);
    g_assert_cmpint(geo_db_kind_from_type("GeoIP2-Anonymous-IP"), ==, GEO_DB_ANONYMOUS_IP);
    g_assert_cmpint(geo_db_kind_from_type("GeoIP2-Precision-Enterprise"), ==, GEO_DB_ENTERPRISE);
    g_assert_cmpint(geo_db_kind_from_type("DBIP-City-Lite"), ==, GEO_DB_CITY);
    g_assert_cmpint(geo_db_kind_from_type("DBIP-Country-Lite"), ==, GEO_DB_COUNTRY);
    g_assert_cmpint(geo_db_kind_from_type("DBIP-ASN-Lite (compat=GeoLite2-ASN)"), ==, GEO_DB_ASN);
    g_assert_cmpint(geo_db_kind_from_type("ipinfo lite.mmdb"), ==, GEO_DB_IPINFO);
    g_assert_cmpint(geo_db_kind_from_type("Test"), ==, GEO_DB_UNKNOWN);
    g_assert_cmpint(geo_db_kind_from_type(""), ==, GEO_DB_UNKNOWN);
}

static void test_named_paths(void)
{
    GError *err = NULL;
    struct geo *g = geo_open_file("/nonexistent/GeoLite2-City.mmdb", &err);
    g_assert_null(g);
    g_assert_nonnull(strstr(err->message, "No such file"));
    g_clear_error(&err);

    char *tmp = g_dir_make_tmp("geo-XXXXXX", NULL);
    g = geo_open_file(tmp, &err); /* a directory with no .mmdb */
    g_assert_null(g);
    g_assert_nonnull(strstr(err->message, "no .mmdb"));
    g_clear_error(&err);

    /* A truncated copy of a good file is refused. */
    char *good = demo_path("demo-City.mmdb");
    gchar *bytes;
    gsize len;
    g_assert_true(g_file_get_contents(good, &bytes, &len, NULL));
    char *cut = g_build_filename(tmp, "cut.mmdb", NULL);
    for (gsize keep = 0; keep < len; keep += len / 16 + 1) {
        g_assert_true(g_file_set_contents(cut, bytes, (gssize)keep, NULL));
        g = geo_open_file(cut, &err);
        g_assert_null(g);
        g_assert_nonnull(err);
        g_clear_error(&err);
    }
    /* Default search over a directory with a bad file: skipped, listed. */
    g_setenv("LEAKAUDIT_GEOIP_PATH", tmp, TRUE);
    g = geo_open(NULL, &err);
    g_assert_no_error(err);
    g_assert_cmpuint(geo_db_count(g), ==, 0);
    g_assert_cmpuint(geo_skipped(g)->len, ==, 1);
    geo_free(g);
    g_unsetenv("LEAKAUDIT_GEOIP_PATH");
    g_unlink(cut);
    g_rmdir(tmp);
    g_free(cut);
    g_free(bytes);
    g_free(good);
    g_free(tmp);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    for (unsigned i = 0; i < G_N_ELEMENTS(source_cases); i++) {
        char *name = g_strdup_printf("/geo/source-data/%s", source_cases[i].db);
        g_test_add_data_func(name, &source_cases[i], test_source_case);
        g_free(name);
    }
    g_test_add_func("/geo/bad-data", test_bad_data);
    g_test_add_func("/geo/every-test-database", test_every_test_database);
    g_test_add_func("/geo/demo-databases", test_demo_databases);
    g_test_add_func("/geo/labels", test_labels);
    g_test_add_func("/geo/cache-bound", test_cache_bound);
    g_test_add_func("/geo/json-and-text", test_json_and_text);
    g_test_add_func("/geo/kind-from-type", test_kind_from_type);
    g_test_add_func("/geo/lite-layouts", test_lite_layouts);
    g_test_add_func("/geo/named-paths", test_named_paths);
    return g_test_run();
}
