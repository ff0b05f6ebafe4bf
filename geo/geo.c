/* geo.c — mmdb discovery, checking, layout by database_type, lookups, cache.
 * See geo.h. Database files are read only through libmaxminddb, and every
 * file is checked (search tree and data records) before its first lookup,
 * so a corrupt file is refused at start rather than met mid-run.
 */
#include "geo.h"

#include <errno.h>
#include <maxminddb.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>

G_DEFINE_QUARK(leakaudit-geo-error-quark, geo_error)

enum { GEO_DEFAULT_CACHE = 4096, GEO_MIN_CACHE = 4, GEO_VERIFY_MAX_RECORDS = 16384 };

struct geo_db {
    MMDB_s mmdb;
    char *path;
    enum geo_db_kind kind;
};

/* One cache slot; slots form an LRU list by index (no allocation per lookup). */
struct geo_slot {
    struct geo_info info;
    uint32_t prev, next;
};

#define SLOT_NONE UINT32_MAX

struct geo {
    GPtrArray *dbs;        /* struct geo_db * */
    GPtrArray *skipped;    /* char *: "PATH: reason" */
    struct geo_slot *slots;
    uint32_t cap, entries;
    uint32_t lru_head, lru_tail; /* head = most recent */
    GHashTable *index;     /* struct ip_addr * (inside the slot) → slot index + 1 */
    struct geo_stats stats;
};

static void copy_text(char *dst, size_t cap, const char *src, size_t len);

/* Metadata text is hostile too: printable, valid UTF-8, bounded. */
static void printable_type(const char *type, char *buf, size_t cap)
{
    copy_text(buf, cap, type ? type : "", type ? strlen(type) : 0);
}

/* ---- database types ---- */

static bool type_has(const char *type, const char *word)
{
    return strcasestr(type, word) != NULL;
}

enum geo_db_kind geo_db_kind_from_type(const char *t)
{
    if (!t || !*t)
        return GEO_DB_UNKNOWN;
    /* Order matters: "DBIP-ASN-Lite (compat=GeoLite2-ASN)", "GeoIP2-Precision-Enterprise". */
    if (type_has(t, "ipinfo"))
        return GEO_DB_IPINFO;
    if (type_has(t, "Enterprise"))
        return GEO_DB_ENTERPRISE;
    if (type_has(t, "Anonymous"))
        return GEO_DB_ANONYMOUS_IP;
    if (type_has(t, "Connection-Type") || type_has(t, "Connection_Type"))
        return GEO_DB_CONNECTION_TYPE;
    if (type_has(t, "City"))
        return GEO_DB_CITY;
    if (type_has(t, "Country"))
        return GEO_DB_COUNTRY;
    if (type_has(t, "ASN"))
        return GEO_DB_ASN;
    if (type_has(t, "ISP"))
        return GEO_DB_ISP;
    return GEO_DB_UNKNOWN;
}

const char *geo_db_kind_name(enum geo_db_kind k)
{
    switch (k) {
    case GEO_DB_CITY: return "city";
    case GEO_DB_COUNTRY: return "country";
    case GEO_DB_ENTERPRISE: return "enterprise";
    case GEO_DB_ASN: return "asn";
    case GEO_DB_ISP: return "isp";
    case GEO_DB_CONNECTION_TYPE: return "connection-type";
    case GEO_DB_ANONYMOUS_IP: return "anonymous-ip";
    case GEO_DB_IPINFO: return "ipinfo";
    default: return "unknown";
    }
}

/* ---- opening and checking one file ---- */

static void db_free(struct geo_db *d)
{
    if (!d)
        return;
    MMDB_close(&d->mmdb);
    g_free(d->path);
    g_free(d);
}

/* Every node of the search tree must point at another node, nothing, or a
 * data record inside the data section, and data records must decode. The
 * tree is read once, in order; data records are decoded up to a bound so a
 * full-size City database still opens in well under a second. */
static bool db_verify(struct geo_db *d, GError **err)
{
    MMDB_s *m = &d->mmdb;
    GHashTable *seen = g_hash_table_new(g_direct_hash, g_direct_equal);
    bool ok = true;
    for (uint32_t n = 0; n < m->metadata.node_count && ok; n++) {
        MMDB_search_node_s node;
        int rc = MMDB_read_node(m, n, &node);
        if (rc != MMDB_SUCCESS) {
            g_set_error(err, GEO_ERROR, GEO_ERROR_UNUSABLE, "%s: corrupt search tree (node %u: %s)", d->path, n, MMDB_strerror(rc));
            ok = false;
            break;
        }
        for (int side = 0; side < 2 && ok; side++) {
            uint8_t type = side ? node.right_record_type : node.left_record_type;
            MMDB_entry_s entry = side ? node.right_record_entry : node.left_record_entry;
            uint64_t record = side ? node.right_record : node.left_record;
            if (type == MMDB_RECORD_TYPE_SEARCH_NODE || type == MMDB_RECORD_TYPE_EMPTY)
                continue;
            if (type != MMDB_RECORD_TYPE_DATA || record < (uint64_t)m->metadata.node_count + 16 ||
                record - m->metadata.node_count - 16 >= m->data_section_size) {
                g_set_error(err, GEO_ERROR, GEO_ERROR_UNUSABLE, "%s: corrupt search tree (node %u points outside the data)", d->path,
                            n);
                ok = false;
                break;
            }
            gpointer key = GUINT_TO_POINTER((guint)entry.offset + 1);
            if (g_hash_table_size(seen) >= GEO_VERIFY_MAX_RECORDS || g_hash_table_contains(seen, key))
                continue;
            g_hash_table_add(seen, key);
            MMDB_entry_data_list_s *list = NULL;
            rc = MMDB_get_entry_data_list(&entry, &list);
            MMDB_free_entry_data_list(list);
            if (rc != MMDB_SUCCESS) {
                g_set_error(err, GEO_ERROR, GEO_ERROR_UNUSABLE, "%s: corrupt data record (%s)", d->path, MMDB_strerror(rc));
                ok = false;
            }
        }
    }
    g_hash_table_destroy(seen);
    return ok;
}

static struct geo_db *db_open(const char *path, GError **err)
{
    struct geo_db *d = g_new0(struct geo_db, 1);
    d->path = g_strdup(path);
    int rc = MMDB_open(path, MMDB_MODE_MMAP, &d->mmdb);
    if (rc != MMDB_SUCCESS) {
        if (rc == MMDB_IO_ERROR)
            g_set_error(err, GEO_ERROR, GEO_ERROR_UNUSABLE, "%s: %s", path, g_strerror(errno ? errno : EIO));
        else
            g_set_error(err, GEO_ERROR, GEO_ERROR_UNUSABLE, "%s: not a usable MaxMind DB file (%s)", path, MMDB_strerror(rc));
        g_free(d->path);
        g_free(d);
        return NULL;
    }
    const MMDB_metadata_s *md = &d->mmdb.metadata;
    if (md->binary_format_major_version != 2 || (md->ip_version != 4 && md->ip_version != 6) ||
        (md->record_size != 24 && md->record_size != 28 && md->record_size != 32)) {
        g_set_error(err, GEO_ERROR, GEO_ERROR_UNUSABLE, "%s: unsupported MaxMind DB format (version %u, IPv%u, %u-bit records)", path,
                    md->binary_format_major_version, md->ip_version, md->record_size);
        db_free(d);
        return NULL;
    }
    if (!db_verify(d, err)) {
        db_free(d);
        return NULL;
    }
    d->kind = geo_db_kind_from_type(md->database_type);
    if (d->kind == GEO_DB_UNKNOWN) {
        char type[GEO_NAME_MAX];
        printable_type(md->database_type, type, sizeof type);
        g_set_error(err, GEO_ERROR, GEO_ERROR_TYPE,
                    "%s: database type '%s' is not one leakaudit reads (City, Country, ASN, ISP, Connection-Type, "
                    "Anonymous-IP, Enterprise, DB-IP or IPinfo lite)",
                    path, type);
        db_free(d);
        return NULL;
    }
    return d;
}

static gint compare_paths(gconstpointer a, gconstpointer b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static bool is_mmdb_name(const char *name)
{
    return g_str_has_suffix(name, ".mmdb");
}

/* Adds the file, or every *.mmdb file of the directory (sorted, so the
 * order, and with it which database answers first, is stable). named:
 * failures are errors; otherwise they are remembered as skipped. */
static bool add_path(struct geo *g, const char *path, bool named, GError **err)
{
    struct stat st;
    if (stat(path, &st) != 0) {
        if (!named)
            return true;
        g_set_error(err, GEO_ERROR, GEO_ERROR_UNUSABLE, "GeoIP database %s: %s", path, g_strerror(errno));
        return false;
    }
    if (!S_ISDIR(st.st_mode)) {
        GError *e = NULL;
        struct geo_db *d = db_open(path, &e);
        if (d) {
            g_ptr_array_add(g->dbs, d);
            return true;
        }
        if (named) {
            g_propagate_error(err, e);
            return false;
        }
        g_ptr_array_add(g->skipped, g_strdup(e->message));
        g_error_free(e);
        return true;
    }
    GError *e = NULL;
    GDir *dir = g_dir_open(path, 0, &e);
    if (!dir) {
        if (named) {
            g_set_error(err, GEO_ERROR, GEO_ERROR_UNUSABLE, "GeoIP directory %s: %s", path, e->message);
            g_error_free(e);
            return false;
        }
        g_error_free(e);
        return true;
    }
    GPtrArray *names = g_ptr_array_new_with_free_func(g_free);
    const char *name;
    while ((name = g_dir_read_name(dir)))
        if (is_mmdb_name(name))
            g_ptr_array_add(names, g_build_filename(path, name, NULL));
    g_dir_close(dir);
    g_ptr_array_sort(names, compare_paths);
    bool ok = true;
    guint before = g->dbs->len;
    for (guint i = 0; i < names->len && ok; i++) {
        const char *file = g_ptr_array_index(names, i);
        GError *fe = NULL;
        struct geo_db *d = db_open(file, &fe);
        if (d) {
            g_ptr_array_add(g->dbs, d);
        } else if (named && !g_error_matches(fe, GEO_ERROR, GEO_ERROR_TYPE)) {
            g_propagate_error(err, fe);
            ok = false;
        } else {
            g_ptr_array_add(g->skipped, g_strdup(fe->message));
            g_error_free(fe);
        }
    }
    if (ok && named && g->dbs->len == before) {
        g_set_error(err, GEO_ERROR, GEO_ERROR_UNUSABLE, "GeoIP directory %s holds no .mmdb file", path);
        ok = false;
    }
    g_ptr_array_free(names, TRUE);
    return ok;
}

char **geo_default_dirs(void)
{
    const char *env = g_getenv("LEAKAUDIT_GEOIP_PATH");
    if (env)
        return g_strsplit(env, ":", -1);
    GStrvBuilder *b = g_strv_builder_new();
    g_strv_builder_add(b, "/usr/share/GeoIP");
    g_strv_builder_add(b, "/var/lib/GeoIP");
    g_strv_builder_add(b, "/usr/local/share/GeoIP");
    char *user = g_build_filename(g_get_user_data_dir(), "GeoIP", NULL);
    g_strv_builder_add(b, user);
    g_free(user);
    char **dirs = g_strv_builder_end(b);
    g_strv_builder_unref(b);
    return dirs;
}

/* ---- the cache ---- */

static guint addr_hash(gconstpointer p)
{
    const struct ip_addr *a = p;
    guint h = 2166136261u ^ a->family;
    for (int i = 0; i < (a->family == 4 ? 4 : 16); i++)
        h = (h ^ a->bytes[i]) * 16777619u;
    return h;
}

static gboolean addr_eq(gconstpointer a, gconstpointer b)
{
    return addr_equal(a, b);
}

static struct geo *geo_new(uint32_t cap)
{
    struct geo *g = g_new0(struct geo, 1);
    g->dbs = g_ptr_array_new_with_free_func((GDestroyNotify)db_free);
    g->skipped = g_ptr_array_new_with_free_func(g_free);
    g->cap = cap ? (cap < GEO_MIN_CACHE ? GEO_MIN_CACHE : cap) : GEO_DEFAULT_CACHE;
    g->slots = g_new0(struct geo_slot, g->cap);
    g->index = g_hash_table_new(addr_hash, addr_eq);
    g->lru_head = g->lru_tail = SLOT_NONE;
    g->stats.cap = g->cap;
    return g;
}

struct geo *geo_open(const struct geo_config *cfg, GError **err)
{
    struct geo *g = geo_new(cfg ? cfg->cache_cap : 0);
    bool named = cfg && cfg->paths && cfg->paths[0];
    if (named) {
        for (int i = 0; cfg->paths[i]; i++)
            if (!add_path(g, cfg->paths[i], true, err)) {
                geo_free(g);
                return NULL;
            }
        return g;
    }
    char **dirs = geo_default_dirs();
    for (int i = 0; dirs[i]; i++)
        if (dirs[i][0])
            add_path(g, dirs[i], false, NULL);
    g_strfreev(dirs);
    return g;
}

struct geo *geo_open_file(const char *path, GError **err)
{
    const char *paths[] = { path, NULL };
    struct geo_config cfg = { .paths = paths };
    return geo_open(&cfg, err);
}

void geo_free(struct geo *g)
{
    if (!g)
        return;
    g_hash_table_destroy(g->index);
    g_free(g->slots);
    g_ptr_array_free(g->dbs, TRUE);
    g_ptr_array_free(g->skipped, TRUE);
    g_free(g);
}

unsigned geo_db_count(const struct geo *g)
{
    return g ? g->dbs->len : 0;
}

const GPtrArray *geo_skipped(const struct geo *g)
{
    return g->skipped;
}

void geo_db_describe(const struct geo *g, unsigned i, GString *out)
{
    if (i >= g->dbs->len)
        return;
    const struct geo_db *d = g_ptr_array_index(g->dbs, i);
    char type[GEO_NAME_MAX];
    printable_type(d->mmdb.metadata.database_type, type, sizeof type);
    g_string_append_printf(out, "%s (%s) %s", type, geo_db_kind_name(d->kind), d->path);
    /* build_epoch is hostile too: UINT64_MAX must not overflow time_t. */
    uint64_t epoch = d->mmdb.metadata.build_epoch;
    if (epoch && epoch < (uint64_t)G_MAXINT32 * 4) {
        time_t t = (time_t)epoch;
        struct tm tm;
        char day[16];
        if (gmtime_r(&t, &tm) && strftime(day, sizeof day, "%Y-%m-%d", &tm))
            g_string_append_printf(out, ", built %s", day);
    }
}

/* ---- address classes ---- */

const char *geo_class_label(enum addr_class c)
{
    switch (c) {
    case ADDR_PUBLIC: return NULL;
    case ADDR_LOOPBACK: return "loopback";
    case ADDR_PRIVATE: return "private network";
    case ADDR_CGNAT: return "carrier-grade NAT (shared address space)";
    case ADDR_LINK_LOCAL: return "link-local";
    case ADDR_MULTICAST: return "multicast";
    case ADDR_BROADCAST: return "broadcast";
    case ADDR_DOCUMENTATION: return "documentation range";
    case ADDR_UNSPECIFIED: return "unspecified address";
    case ADDR_RESERVED: return "reserved range";
    default: return "no address";
    }
}

/* ---- reading records ---- */

/* Copies at most cap-1 bytes of database text, cut at a character boundary,
 * with invalid UTF-8 and control characters replaced. */
static void copy_text(char *dst, size_t cap, const char *src, size_t len)
{
    size_t o = 0;
    const char *p = src, *end = src + len;
    while (p < end && o + 1 < cap) {
        gunichar c = g_utf8_get_char_validated(p, end - p);
        if (c == (gunichar)-1 || c == (gunichar)-2) {
            dst[o++] = '?';
            p++;
            continue;
        }
        int n = g_utf8_next_char(p) - p;
        if (c < 0x20 || c == 0x7f || (c >= 0x80 && c < 0xa0)) {
            dst[o++] = ' ';
        } else {
            if (o + (size_t)n > cap - 1)
                break;
            memcpy(dst + o, p, (size_t)n);
            o += (size_t)n;
        }
        p += n;
    }
    dst[o] = '\0';
}

/* A value at path, of the wanted type; false (and no value) otherwise. */
static bool get_value(MMDB_entry_s *entry, MMDB_entry_data_s *data, const char *const *path, struct geo *g)
{
    int rc = MMDB_aget_value(entry, data, path);
    if (rc != MMDB_SUCCESS) {
        if (rc != MMDB_LOOKUP_PATH_DOES_NOT_MATCH_DATA_ERROR && rc != MMDB_INVALID_LOOKUP_PATH_ERROR)
            g->stats.db_errors++;
        return false;
    }
    return data->has_data;
}

#define PATH(...) ((const char *const[]){ __VA_ARGS__, NULL })

static void fill_string(struct geo *g, MMDB_entry_s *e, const char *const *path, char *dst, size_t cap)
{
    if (dst[0])
        return; /* an earlier database answered */
    MMDB_entry_data_s d;
    if (get_value(e, &d, path, g) && d.type == MMDB_DATA_TYPE_UTF8_STRING)
        copy_text(dst, cap, d.utf8_string, d.data_size);
}

static bool get_uint(struct geo *g, MMDB_entry_s *e, const char *const *path, uint64_t *out)
{
    MMDB_entry_data_s d;
    if (!get_value(e, &d, path, g))
        return false;
    switch (d.type) {
    case MMDB_DATA_TYPE_UINT16: *out = d.uint16; return true;
    case MMDB_DATA_TYPE_UINT32: *out = d.uint32; return true;
    case MMDB_DATA_TYPE_UINT64: *out = d.uint64; return true;
    case MMDB_DATA_TYPE_INT32: if (d.int32 < 0) return false; *out = (uint64_t)d.int32; return true;
    default: return false;
    }
}

static bool get_double(struct geo *g, MMDB_entry_s *e, const char *const *path, double *out)
{
    MMDB_entry_data_s d;
    if (!get_value(e, &d, path, g))
        return false;
    if (d.type == MMDB_DATA_TYPE_DOUBLE)
        *out = d.double_value;
    else if (d.type == MMDB_DATA_TYPE_FLOAT)
        *out = d.float_value;
    else if (d.type == MMDB_DATA_TYPE_UTF8_STRING) { /* IPinfo writes coordinates as text */
        char buf[32];
        copy_text(buf, sizeof buf, d.utf8_string, d.data_size);
        char *endp;
        *out = g_ascii_strtod(buf, &endp);
        if (endp == buf || *endp)
            return false;
    } else
        return false;
    return *out == *out && *out >= -360 && *out <= 360; /* finite, plausible */
}

static void fill_bool(struct geo *g, MMDB_entry_s *e, const char *key, bool *dst)
{
    MMDB_entry_data_s d;
    if (get_value(e, &d, PATH(key), g) && d.type == MMDB_DATA_TYPE_BOOLEAN && d.boolean)
        *dst = true;
}

static void fill_asn(struct geo *g, MMDB_entry_s *e, const char *const *num_path, const char *const *org_path,
                     struct geo_info *out)
{
    if (!out->asn) {
        uint64_t v;
        if (get_uint(g, e, num_path, &v) && v > 0 && v <= UINT32_MAX)
            out->asn = (uint32_t)v;
    }
    fill_string(g, e, org_path, out->as_org, sizeof out->as_org);
}

static void fill_geoip2_location(struct geo *g, MMDB_entry_s *e, struct geo_info *out, bool with_city)
{
    fill_string(g, e, PATH("country", "iso_code"), out->country_iso, sizeof out->country_iso);
    fill_string(g, e, PATH("country", "names", "en"), out->country_name, sizeof out->country_name);
    if (!with_city)
        return;
    fill_string(g, e, PATH("city", "names", "en"), out->city, sizeof out->city);
    if (!out->has_location) {
        double lat, lon;
        if (get_double(g, e, PATH("location", "latitude"), &lat) &&
            get_double(g, e, PATH("location", "longitude"), &lon)) {
            out->has_location = true;
            out->latitude = lat;
            out->longitude = lon;
            uint64_t r;
            if (get_uint(g, e, PATH("location", "accuracy_radius"), &r) && r <= UINT32_MAX)
                out->accuracy_radius_km = (uint32_t)r;
        }
    }
}

static void fill_ipinfo(struct geo *g, MMDB_entry_s *e, struct geo_info *out)
{
    /* IPinfo lite: country_code + country (name); older country_asn:
     * country (code) + country_name. */
    char code[8] = "", name[GEO_NAME_MAX] = "";
    fill_string(g, e, PATH("country_code"), code, sizeof code);
    if (code[0]) {
        fill_string(g, e, PATH("country"), name, sizeof name);
    } else {
        fill_string(g, e, PATH("country"), code, sizeof code);
        fill_string(g, e, PATH("country_name"), name, sizeof name);
    }
    if (!out->country_iso[0] && strlen(code) == 2)
        memcpy(out->country_iso, code, 3);
    if (!out->country_name[0] && name[0])
        memcpy(out->country_name, name, sizeof name);
    fill_string(g, e, PATH("city"), out->city, sizeof out->city);
    if (!out->has_location) {
        double lat, lon;
        if (get_double(g, e, PATH("latitude"), &lat) && (get_double(g, e, PATH("longitude"), &lon) ||
                                                         get_double(g, e, PATH("lng"), &lon))) {
            out->has_location = true;
            out->latitude = lat;
            out->longitude = lon;
        }
    }
    if (!out->asn) {
        char asn[24] = "";
        fill_string(g, e, PATH("asn"), asn, sizeof asn);
        const char *digits = (asn[0] == 'A' || asn[0] == 'a') && (asn[1] == 'S' || asn[1] == 's') ? asn + 2 : asn;
        char *endp;
        guint64 v = g_ascii_strtoull(digits, &endp, 10);
        if (*digits && !*endp && v > 0 && v <= UINT32_MAX)
            out->asn = (uint32_t)v;
    }
    fill_string(g, e, PATH("as_name"), out->as_org, sizeof out->as_org);
}

static void fill_from(struct geo *g, const struct geo_db *d, MMDB_entry_s *e, struct geo_info *out)
{
    switch (d->kind) {
    case GEO_DB_CITY:
        fill_geoip2_location(g, e, out, true);
        break;
    case GEO_DB_COUNTRY:
        fill_geoip2_location(g, e, out, false);
        break;
    case GEO_DB_ENTERPRISE:
        fill_geoip2_location(g, e, out, true);
        fill_asn(g, e, PATH("traits", "autonomous_system_number"), PATH("traits", "autonomous_system_organization"),
                 out);
        fill_string(g, e, PATH("traits", "isp"), out->isp, sizeof out->isp);
        fill_string(g, e, PATH("traits", "organization"), out->organization, sizeof out->organization);
        fill_string(g, e, PATH("traits", "connection_type"), out->connection_type, sizeof out->connection_type);
        break;
    case GEO_DB_ASN:
        fill_asn(g, e, PATH("autonomous_system_number"), PATH("autonomous_system_organization"), out);
        break;
    case GEO_DB_ISP:
        fill_asn(g, e, PATH("autonomous_system_number"), PATH("autonomous_system_organization"), out);
        fill_string(g, e, PATH("isp"), out->isp, sizeof out->isp);
        fill_string(g, e, PATH("organization"), out->organization, sizeof out->organization);
        break;
    case GEO_DB_CONNECTION_TYPE:
        fill_string(g, e, PATH("connection_type"), out->connection_type, sizeof out->connection_type);
        break;
    case GEO_DB_ANONYMOUS_IP:
        out->has_anonymous = true;
        fill_bool(g, e, "is_anonymous", &out->is_anonymous);
        fill_bool(g, e, "is_anonymous_vpn", &out->is_anonymous_vpn);
        fill_bool(g, e, "is_hosting_provider", &out->is_hosting_provider);
        fill_bool(g, e, "is_public_proxy", &out->is_public_proxy);
        fill_bool(g, e, "is_residential_proxy", &out->is_residential_proxy);
        fill_bool(g, e, "is_tor_exit_node", &out->is_tor_exit_node);
        break;
    case GEO_DB_IPINFO:
        fill_ipinfo(g, e, out);
        break;
    default:
        break;
    }
}

/* Only public addresses are looked up, and documentation ranges: they are in
 * no real database, so a database that does carry them (the demo database
 * for the bundled samples) was written for them on purpose. */
static bool worth_lookup(enum addr_class c)
{
    return c == ADDR_PUBLIC || c == ADDR_DOCUMENTATION;
}

void geo_lookup_uncached(struct geo *g, const struct ip_addr *a, struct geo_info *out)
{
    memset(out, 0, sizeof *out);
    out->addr = *a;
    addr_unmap(&out->addr);
    out->addr_class = addr_classify(&out->addr);
    out->label = geo_class_label(out->addr_class);
    if (!worth_lookup(out->addr_class) || !g)
        return;
    struct sockaddr_storage ss;
    memset(&ss, 0, sizeof ss);
    if (out->addr.family == 4) {
        struct sockaddr_in *s4 = (struct sockaddr_in *)&ss;
        s4->sin_family = AF_INET;
        memcpy(&s4->sin_addr, out->addr.bytes, 4);
    } else {
        struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)&ss;
        s6->sin6_family = AF_INET6;
        memcpy(&s6->sin6_addr, out->addr.bytes, 16);
    }
    for (guint i = 0; i < g->dbs->len; i++) {
        struct geo_db *d = g_ptr_array_index(g->dbs, i);
        if (out->addr.family == 6 && d->mmdb.metadata.ip_version == 4)
            continue;
        int rc = MMDB_SUCCESS;
        g->stats.db_lookups++;
        MMDB_lookup_result_s r = MMDB_lookup_sockaddr(&d->mmdb, (const struct sockaddr *)&ss, &rc);
        if (rc != MMDB_SUCCESS) {
            g->stats.db_errors++;
            continue;
        }
        if (!r.found_entry)
            continue;
        out->found = true;
        fill_from(g, d, &r.entry, out);
    }
}

static void lru_unlink(struct geo *g, uint32_t i)
{
    struct geo_slot *s = &g->slots[i];
    if (s->prev != SLOT_NONE)
        g->slots[s->prev].next = s->next;
    else
        g->lru_head = s->next;
    if (s->next != SLOT_NONE)
        g->slots[s->next].prev = s->prev;
    else
        g->lru_tail = s->prev;
    s->prev = s->next = SLOT_NONE;
}

static void lru_push_front(struct geo *g, uint32_t i)
{
    struct geo_slot *s = &g->slots[i];
    s->prev = SLOT_NONE;
    s->next = g->lru_head;
    if (g->lru_head != SLOT_NONE)
        g->slots[g->lru_head].prev = i;
    g->lru_head = i;
    if (g->lru_tail == SLOT_NONE)
        g->lru_tail = i;
}

const struct geo_info *geo_lookup(struct geo *g, const struct ip_addr *a)
{
    if (a->family != 4 && a->family != 6)
        return NULL;
    g->stats.lookups++;
    struct ip_addr key = *a;
    addr_unmap(&key);
    gpointer v = g_hash_table_lookup(g->index, &key);
    if (v) {
        uint32_t i = GPOINTER_TO_UINT(v) - 1;
        g->stats.hits++;
        if (g->lru_head != i) {
            lru_unlink(g, i);
            lru_push_front(g, i);
        }
        return &g->slots[i].info;
    }
    uint32_t i;
    if (g->entries < g->cap) {
        i = g->entries++;
    } else {
        i = g->lru_tail;
        g_hash_table_remove(g->index, &g->slots[i].info.addr);
        lru_unlink(g, i);
        g->stats.evictions++;
    }
    struct geo_slot *s = &g->slots[i];
    geo_lookup_uncached(g, &key, &s->info);
    g_hash_table_insert(g->index, &s->info.addr, GUINT_TO_POINTER(i + 1));
    lru_push_front(g, i);
    return &s->info;
}

void geo_get_stats(const struct geo *g, struct geo_stats *out)
{
    *out = g->stats;
    out->entries = g->entries;
    out->cap = g->cap;
}
