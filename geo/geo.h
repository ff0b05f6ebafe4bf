/* geo.h — GeoIP / ASN / ISP annotation of addresses from MaxMind DB files.
 *
 * Owns: finding mmdb files (named files or directories, or the default
 * search path), checking each one (structure and metadata) before use,
 * choosing the record layout from the file's metadata `database_type`
 * (GeoIP2/GeoLite2 City, Country, ASN, ISP, Connection-Type, Anonymous-IP,
 * Enterprise, DB-IP lite, IPinfo lite), looking addresses up into a
 * struct geo_info, labelling addresses that are not public instead of
 * looking them up, and a bounded per-address cache.
 * Knows nothing of packets, flows or verdicts; geo_enrich.c adapts it to
 * the enrichment stage and geo_output.c to the sinks.
 */
#ifndef LEAKAUDIT_GEO_H
#define LEAKAUDIT_GEO_H

#include <glib.h>
#include <stdbool.h>
#include <stdint.h>

#include "addr.h"

enum { GEO_NAME_MAX = 128, GEO_SHORT_MAX = 40 };

/* What the databases (or the address class) say about one address.
 * Strings are empty when unknown; they are valid UTF-8 without control
 * characters (database text is hostile too). */
struct geo_info {
    struct ip_addr addr;
    enum addr_class addr_class;
    const char *label;          /* static text for non-public addresses ("private network"), or NULL */
    bool found;                 /* at least one database had a record for it */

    char country_iso[4];        /* "US" */
    char country_name[GEO_NAME_MAX];
    char city[GEO_NAME_MAX];
    bool has_location;
    double latitude, longitude;
    uint32_t accuracy_radius_km; /* 0 = not given */

    uint32_t asn;               /* 0 = unknown */
    char as_org[GEO_NAME_MAX];
    char isp[GEO_NAME_MAX];
    char organization[GEO_NAME_MAX];
    char connection_type[GEO_SHORT_MAX]; /* "Cable/DSL", "Corporate", "Cellular" … */

    bool has_anonymous;         /* an Anonymous-IP database answered */
    bool is_anonymous, is_anonymous_vpn, is_hosting_provider, is_public_proxy, is_residential_proxy,
        is_tor_exit_node;
};

/* How a database's records are laid out, from its metadata database_type. */
enum geo_db_kind {
    GEO_DB_UNKNOWN = 0,
    GEO_DB_CITY,            /* GeoIP2/GeoLite2-City, DBIP-City-Lite: country, city, location */
    GEO_DB_COUNTRY,         /* GeoIP2/GeoLite2-Country, DBIP-Country-Lite */
    GEO_DB_ENTERPRISE,      /* City layout plus traits.{autonomous_system_*, isp, organization, connection_type} */
    GEO_DB_ASN,             /* GeoLite2-ASN, DBIP-ASN-Lite */
    GEO_DB_ISP,             /* GeoIP2-ISP: ASN plus isp, organization */
    GEO_DB_CONNECTION_TYPE, /* GeoIP2-Connection-Type */
    GEO_DB_ANONYMOUS_IP,    /* GeoIP2-Anonymous-IP, GeoIP-Anonymous-Plus */
    GEO_DB_IPINFO,          /* IPinfo lite / country_asn: flat country_code, asn "AS123", as_name */
};

enum geo_db_kind geo_db_kind_from_type(const char *database_type);
const char *geo_db_kind_name(enum geo_db_kind k);

struct geo;

struct geo_config {
    /* Files or directories (every *.mmdb inside) the user named: each must
     * exist and hold a usable database, or geo_open fails; inside a named
     * directory, files of a type leakaudit does not read are skipped. NULL or empty:
     * the default search (geo_default_dirs), where unusable files are
     * skipped and listed by geo_skipped(). */
    const char *const *paths;
    uint32_t cache_cap;         /* addresses kept (default 4096, at least 4) */
};

#define GEO_ERROR (geo_error_quark())
enum geo_error_code {
    GEO_ERROR_UNUSABLE = 1, /* missing, unreadable, corrupt */
    GEO_ERROR_TYPE,         /* a sound file of a database type leakaudit does not read */
};
GQuark geo_error_quark(void);

/* NULL and *err when a named path is missing, unreadable, corrupt or of a
 * database type leakaudit cannot read. A geo with no databases is valid:
 * it still labels non-public addresses. */
struct geo *geo_open(const struct geo_config *cfg, GError **err);
/* Opens one file alone (tests, tools): same checks as a named path. */
struct geo *geo_open_file(const char *path, GError **err);
void geo_free(struct geo *g);

/* The directories searched when no path is named, in order: the value of
 * $LEAKAUDIT_GEOIP_PATH (colon-separated) if set, else /usr/share/GeoIP,
 * /var/lib/GeoIP, /usr/local/share/GeoIP and $XDG_DATA_HOME/GeoIP
 * (~/.local/share/GeoIP). Free with g_strfreev. */
char **geo_default_dirs(void);

unsigned geo_db_count(const struct geo *g);
/* "GeoLite2-City (city) /usr/share/GeoIP/GeoLite2-City.mmdb, built 2024-05-01" */
void geo_db_describe(const struct geo *g, unsigned i, GString *out);
/* Messages for files the default search skipped ("PATH: why"). */
const GPtrArray *geo_skipped(const struct geo *g);

/* The annotation of one address, from the cache or looked up once.
 * Never NULL for a valid address. The pointer stays valid until
 * cache_cap - 1 other addresses have been looked up after it. */
const struct geo_info *geo_lookup(struct geo *g, const struct ip_addr *a);
/* Looks up without the cache into *out (tests; the cache uses this). */
void geo_lookup_uncached(struct geo *g, const struct ip_addr *a, struct geo_info *out);

/* The label for an address class that is not looked up, or NULL for public. */
const char *geo_class_label(enum addr_class c);

struct geo_stats {
    uint64_t lookups;       /* geo_lookup calls */
    uint64_t hits;          /* answered from the cache */
    uint64_t db_lookups;    /* database searches (misses of public addresses) */
    uint64_t evictions;     /* cache entries reused for another address */
    uint64_t db_errors;     /* database errors met while looking up (treated as no data) */
    uint32_t entries, cap;
};
void geo_get_stats(const struct geo *g, struct geo_stats *out);

/* Text: "AS64500 ExampleNet, Denver US", "private network"; nothing when
 * nothing is known. Appends to out; false when it appended nothing. */
bool geo_describe(const struct geo_info *gi, GString *out);

/* Appends lead, the description and trail ("exposed … — AS64500 …"), or
 * nothing at all when gi is NULL or nothing is known. */
void geo_text_annotate(GString *out, const char *lead, const struct geo_info *gi, const char *trail);

struct json_writer;
/* ECS-style members inside the currently open JSON object:
 * "geo": {country_iso_code, country_name, city_name, location{lat,lon},
 * accuracy_radius}, "as": {number, organization{name}}, "isp", "organization",
 * "connection_type", "anonymous" {...}, "address_class" and "address_label"
 * for addresses that are not public. Writes nothing for gi NULL. */
void geo_json_write_fields(struct json_writer *w, const struct geo_info *gi);
/* The same inside a new object named key ("source", "destination"); no
 * object at all for gi NULL. */
void geo_json_write_object(struct json_writer *w, const char *key, const struct geo_info *gi);

#endif
