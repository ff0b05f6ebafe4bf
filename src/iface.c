/* iface.c — see iface.h. */
#include "iface.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hash_index.h"

enum {
    LINKTYPE_NULL = 0, LINKTYPE_ETHERNET = 1, LINKTYPE_PPP = 9, LINKTYPE_RAW_12 = 12,
    LINKTYPE_PPP_HDLC = 50, LINKTYPE_RAW = 101, LINKTYPE_LOOP = 108, LINKTYPE_LINUX_SLL = 113,
    LINKTYPE_IPV4 = 228, LINKTYPE_IPV6 = 229, LINKTYPE_LINUX_SLL2 = 276,
};

/* ARPHRD_* values that mean "no link layer: a tunnel" or "loopback". */
enum {
    ARPHRD_PPP = 512, ARPHRD_RAWIP = 519, ARPHRD_TUNNEL = 768, ARPHRD_TUNNEL6 = 769,
    ARPHRD_LOOPBACK = 772, ARPHRD_SIT = 776, ARPHRD_IPGRE = 778, ARPHRD_IP6GRE = 823,
    ARPHRD_NONE = 0xfffe,
};

/* How long a VPN transport seen on an underlay keeps the VPN "up" by evidence. */
#define VPN_EVIDENCE_WINDOW_NS (180ull * 1000000000ull)
enum { HOST_ADDR_CAP = 1024, IFACE_CAP = 4096 };

enum { IFACE_CACHE_SLOTS = 16 };

struct iface_table {
    GPtrArray *ifaces;        /* struct iface*, index == id */
    GHashTable *by_key;       /* key string → struct iface* */
    GHashTable *ifindex_names;/* GINT_TO_POINTER(index) → name from --ifname */
    char **vpn_globs;
    char *single_name;
    /* Host addresses: asked twice an event (settle_direction), so a dense
     * array indexed by hash_index rather than a GHashTable of copies. */
    struct hash_index host_index;
    struct ip_addr *host_addrs;
    uint32_t host_count, host_cap;
    bool user_declared_vpn;   /* --vpn-if given, or --ifname names a VPN-like device */
    /* Direct-mapped cache of recent interfaces by (capture interface,
     * ifindex, hatype): a cooked or multi-interface capture interleaves its
     * interfaces packet by packet, so one entry would miss nearly always. */
    struct iface_cache_slot {
        struct iface *ifc;
        int source, ifindex, hatype;
    } cache[IFACE_CACHE_SLOTS];
    uint64_t hosts_not_learned, ifaces_over_cap; /* caps reached */
    /* live routing: GINT_TO_POINTER(ifindex) → struct routed_link* */
    GHashTable *routed;
    bool routes_known;
    bool state_reported, state_up;
    char state_what[IFACE_NAME_MAX], state_why[224];
};

/* A host link as routing sees it, with the role its name/kind/type give. */
struct routed_link {
    struct iface as_iface;    /* name, kind, hatype, ifindex, role */
    bool up, default_route;
    char route[96];
};

/* Name prefixes that VPN clients give their tunnel devices. */
static const char *const vpn_name_prefixes[] = {
    "tun", "tap", "wg", "ppp", "ipsec", "utun", "nordlynx", "nordtun", "proton", "tailscale",
    "mullvad", "vti", "ip_vti", "cscotun", "gpd", "ovpn", "wt0", "zt", NULL,
};
static const char *const vpn_name_suffixes[] = { "-mullvad", NULL };
static const char *const loopback_names[] = { "lo", "lo0", NULL };

static bool str_has_prefix_ci(const char *s, const char *prefix)
{
    return g_ascii_strncasecmp(s, prefix, strlen(prefix)) == 0;
}

enum iface_role iface_role_from_name(const char *name)
{
    if (!name || !*name)
        return IFACE_ROLE_PHYSICAL;
    for (const char *const *l = loopback_names; *l; l++)
        if (g_ascii_strcasecmp(name, *l) == 0)
            return IFACE_ROLE_LOOPBACK;
    for (const char *const *p = vpn_name_prefixes; *p; p++)
        if (str_has_prefix_ci(name, *p))
            return IFACE_ROLE_VPN;
    for (const char *const *s = vpn_name_suffixes; *s; s++)
        if (g_str_has_suffix(name, *s))
            return IFACE_ROLE_VPN;
    return IFACE_ROLE_PHYSICAL;
}

static enum iface_role role_from_hatype(uint16_t hatype)
{
    switch (hatype) {
    case ARPHRD_LOOPBACK:
        return IFACE_ROLE_LOOPBACK;
    case ARPHRD_NONE: case ARPHRD_PPP: case ARPHRD_RAWIP: case ARPHRD_TUNNEL:
    case ARPHRD_TUNNEL6: case ARPHRD_SIT: case ARPHRD_IPGRE: case ARPHRD_IP6GRE:
        return IFACE_ROLE_VPN;
    default:
        return IFACE_ROLE_PHYSICAL;
    }
}

static enum iface_role role_from_linktype(int linktype)
{
    switch (linktype) {
    case LINKTYPE_RAW_12: case LINKTYPE_RAW: case LINKTYPE_IPV4: case LINKTYPE_IPV6:
    case LINKTYPE_PPP: case LINKTYPE_PPP_HDLC:
        return IFACE_ROLE_VPN;
    default:
        return IFACE_ROLE_PHYSICAL;
    }
}

static const char *hatype_short_name(uint16_t hatype)
{
    switch (hatype) {
    case 1: return "ether";
    case ARPHRD_LOOPBACK: return "loopback";
    case ARPHRD_NONE: return "none";
    case ARPHRD_PPP: return "ppp";
    case ARPHRD_RAWIP: return "rawip";
    default: return NULL;
    }
}

/* rtnetlink link kinds that are tunnels. */
static const char *const vpn_link_kinds[] = { "wireguard", "tun", "ipip", "ip6tnl", "gre", "ip6gre", "vti",
                                              "vti6", "xfrm", "sit", "ppp", NULL };

static void assign_role(const struct iface_table *t, struct iface *ifc)
{
    if (t->vpn_globs && t->vpn_globs[0]) {
        /* The user named the VPN: trust that alone, but keep loopback local. */
        for (char **g = t->vpn_globs; *g; g++) {
            if (g_pattern_match_simple(*g, ifc->name)) {
                ifc->role = IFACE_ROLE_VPN;
                ifc->role_source = ROLE_BY_USER;
                return;
            }
        }
        enum iface_role r = iface_role_from_name(ifc->name);
        if (r == IFACE_ROLE_LOOPBACK || role_from_hatype(ifc->hatype) == IFACE_ROLE_LOOPBACK) {
            ifc->role = IFACE_ROLE_LOOPBACK;
            ifc->role_source = ROLE_BY_NAME;
        }
        return;
    }
    enum iface_role by_name = iface_role_from_name(ifc->name);
    if (by_name != IFACE_ROLE_PHYSICAL) {
        ifc->role = by_name;
        ifc->role_source = ROLE_BY_NAME;
        return;
    }
    for (const char *const *k = vpn_link_kinds; ifc->kind[0] && *k; k++) {
        if (strcmp(ifc->kind, *k) == 0) {
            ifc->role = IFACE_ROLE_VPN;
            ifc->role_source = ROLE_BY_LINKTYPE;
            return;
        }
    }
    enum iface_role by_link = ifc->hatype ? role_from_hatype(ifc->hatype) : role_from_linktype(ifc->linktype);
    if (by_link != IFACE_ROLE_PHYSICAL) {
        ifc->role = by_link;
        ifc->role_source = ROLE_BY_LINKTYPE;
    }
}

/* Any bytes past an IPv4 address's four are zero (addr_from_v4), so the
 * whole struct hashes: equal addresses, equal hashes. */
static uint32_t host_hash(const struct ip_addr *a)
{
    uint64_t hi, lo;
    memcpy(&hi, a->bytes, sizeof hi);
    memcpy(&lo, a->bytes + 8, sizeof lo);
    uint64_t h = (hi * 0x9e3779b97f4a7c15ull) ^ (lo * 0xc2b2ae3d27d4eb4full) ^ a->family;
    h ^= h >> 31;
    h *= 0xff51afd7ed558ccdull;
    return (uint32_t)(h ^ h >> 32);
}

struct host_match {
    const struct iface_table *t;
    const struct ip_addr *a;
};

static bool host_matches(const void *ctx, uint32_t entry)
{
    const struct host_match *m = ctx;
    return addr_equal(&m->t->host_addrs[entry], m->a);
}

static uint32_t host_find(const struct iface_table *t, const struct ip_addr *a, uint32_t hash)
{
    struct host_match m = { t, a };
    return hash_index_find(&t->host_index, hash, host_matches, &m);
}

struct iface_table *iface_table_new(const struct iface_config *cfg, GError **err)
{
    struct iface_table *t = g_new0(struct iface_table, 1);
    t->ifaces = g_ptr_array_new_with_free_func(g_free);
    t->by_key = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
    t->ifindex_names = g_hash_table_new_full(g_direct_hash, g_direct_equal, NULL, g_free);
    hash_index_init(&t->host_index, 16);
    t->routed = g_hash_table_new_full(g_direct_hash, g_direct_equal, NULL, g_free);
    t->vpn_globs = cfg ? g_strdupv(cfg->vpn_globs) : NULL;
    t->single_name = cfg && cfg->single_name ? g_strdup(cfg->single_name) : NULL;
    for (char **m = cfg ? cfg->ifname_map : NULL; m && *m; m++) {
        const char *eq = strchr(*m, '=');
        char *end = NULL;
        long idx = eq ? strtol(*m, &end, 10) : 0;
        if (!eq || end != eq || idx <= 0 || idx > 0x7fffffff || !eq[1] || strlen(eq + 1) >= IFACE_NAME_MAX) {
            g_set_error(err, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                        "--ifname '%s': expected INDEX=NAME, e.g. 3=wg0", *m);
            iface_table_free(t);
            return NULL;
        }
        g_hash_table_replace(t->ifindex_names, GINT_TO_POINTER((int)idx), g_strdup(eq + 1));
        if (!(t->vpn_globs && t->vpn_globs[0]) && iface_role_from_name(eq + 1) == IFACE_ROLE_VPN)
            t->user_declared_vpn = true;
    }
    if (t->vpn_globs && t->vpn_globs[0])
        t->user_declared_vpn = true;
    return t;
}

void iface_table_free(struct iface_table *t)
{
    if (!t)
        return;
    g_ptr_array_free(t->ifaces, TRUE);
    g_hash_table_destroy(t->by_key);
    g_hash_table_destroy(t->ifindex_names);
    hash_index_free(&t->host_index);
    g_free(t->host_addrs);
    g_hash_table_destroy(t->routed);
    g_strfreev(t->vpn_globs);
    g_free(t->single_name);
    g_free(t);
}

/* The key says what makes two packets "the same interface" for this link. */
static void packet_iface_key(const struct frame *f, const struct packet *p, char *key, size_t len)
{
    if (p->ifindex > 0)
        snprintf(key, len, "%d/idx%d", f->iface, p->ifindex);
    else if (f->linktype == LINKTYPE_LINUX_SLL)
        snprintf(key, len, "%d/ha%u", f->iface, p->hatype);
    else
        snprintf(key, len, "%d", f->iface);
}

static void packet_iface_name(const struct iface_table *t, const struct frame *f, const struct packet *p,
                              const char *source_name, char *name, size_t len)
{
    const char *base = source_name && *source_name ? source_name : t->single_name;
    if (p->ifindex > 0) {
        /* --ifname wins; else a pcapng interface named after one device (our
         * own evidence files) names it; "any" names nothing. */
        const char *mapped = g_hash_table_lookup(t->ifindex_names, GINT_TO_POINTER(p->ifindex));
        if (mapped)
            snprintf(name, len, "%s", mapped);
        else if (source_name && *source_name && strcmp(source_name, "any") != 0)
            snprintf(name, len, "%s", source_name);
        else
            snprintf(name, len, "if%d", p->ifindex);
    } else if (f->linktype == LINKTYPE_LINUX_SLL) {
        const char *ha = hatype_short_name(p->hatype);
        if (ha)
            snprintf(name, len, "%s:%s", base ? base : "any", ha);
        else
            snprintf(name, len, "%s:hatype%u", base ? base : "any", p->hatype);
    } else if (base) {
        snprintf(name, len, "%s", base);
    } else {
        snprintf(name, len, "if%d", f->iface < 0 ? 0 : f->iface);
    }
}

static struct iface *iface_add(struct iface_table *t, const char *key, const char *name, int linktype,
                               uint16_t hatype, int ifindex)
{
    if (t->ifaces->len >= IFACE_CAP) { /* hostile capture with endless interfaces */
        t->ifaces_over_cap++;
        return g_ptr_array_index(t->ifaces, t->ifaces->len - 1);
    }
    struct iface *ifc = g_new0(struct iface, 1);
    ifc->id = t->ifaces->len;
    ifc->linktype = linktype;
    ifc->hatype = hatype;
    ifc->ifindex = ifindex;
    g_strlcpy(ifc->name, name, sizeof ifc->name);
    assign_role(t, ifc);
    g_ptr_array_add(t->ifaces, ifc);
    g_hash_table_insert(t->by_key, g_strdup(key), ifc);
    return ifc;
}

void iface_table_declare(struct iface_table *t, int source_iface, const char *name, int linktype)
{
    char key[96];
    snprintf(key, sizeof key, "%d", source_iface);
    /* Cooked captures name their interfaces per packet (ifindex/hatype), not per IDB. */
    if (linktype == LINKTYPE_LINUX_SLL || linktype == LINKTYPE_LINUX_SLL2 || g_hash_table_contains(t->by_key, key))
        return;
    char fallback[IFACE_NAME_MAX];
    if ((!name || !*name) && t->single_name)
        name = t->single_name;
    if (!name || !*name) {
        snprintf(fallback, sizeof fallback, "if%d", source_iface);
        name = fallback;
    }
    iface_add(t, key, name, linktype, 0, 0);
}

/* The interface of a packet its cache slot does not hold: by key, or new.
 * Out of line, so the cache hit in iface_for_packet() needs no stack frame
 * for these buffers. */
__attribute__((noinline)) static struct iface *iface_lookup(struct iface_table *t, const struct frame *f,
                                                            const struct packet *p, const char *source_name,
                                                            int hatype_key, struct iface_cache_slot *slot)
{
    char key[96];
    packet_iface_key(f, p, key, sizeof key);
    struct iface *ifc = g_hash_table_lookup(t->by_key, key);
    if (!ifc) {
        char name[IFACE_NAME_MAX];
        packet_iface_name(t, f, p, source_name, name, sizeof name);
        ifc = iface_add(t, key, name, f->linktype, p->hatype, p->ifindex);
    }
    *slot = (struct iface_cache_slot){ ifc, f->iface, p->ifindex, hatype_key };
    return ifc;
}

struct iface *iface_for_packet(struct iface_table *t, const struct frame *f, const struct packet *p,
                               const char *source_name)
{
    int hatype_key = f->linktype == LINKTYPE_LINUX_SLL ? p->hatype : -1;
    unsigned mix = (unsigned)f->iface * 5u + (unsigned)p->ifindex * 3u + (unsigned)hatype_key;
    struct iface_cache_slot *slot = &t->cache[mix % IFACE_CACHE_SLOTS];
    if (slot->ifc && slot->source == f->iface && slot->ifindex == p->ifindex && slot->hatype == hatype_key)
        return slot->ifc;
    return iface_lookup(t, f, p, source_name, hatype_key, slot);
}

/* After a live link change: the names behind an index may have changed. */
static void forget_cached_ifaces(struct iface_table *t)
{
    memset(t->cache, 0, sizeof t->cache);
}

void iface_table_link_update(struct iface_table *t, int source_iface, int ifindex, const char *name,
                             const char *kind, uint16_t hatype, bool up)
{
    char key[96];
    snprintf(key, sizeof key, "%d/idx%d", source_iface, ifindex);
    const char *mapped = g_hash_table_lookup(t->ifindex_names, GINT_TO_POINTER(ifindex));
    struct iface *ifc = g_hash_table_lookup(t->by_key, key);
    if (ifc && strcmp(ifc->name, mapped ? mapped : name) != 0) {
        iface_table_link_removed(t, source_iface, ifindex);
        ifc = NULL;
    }
    if (!ifc) {
        ifc = g_new0(struct iface, 1);
        ifc->id = t->ifaces->len;
        ifc->linktype = 276; /* LINKTYPE_LINUX_SLL2: what "any" delivers */
        ifc->hatype = hatype;
        ifc->ifindex = ifindex;
        g_strlcpy(ifc->name, mapped ? mapped : name, sizeof ifc->name);
        g_strlcpy(ifc->kind, kind ? kind : "", sizeof ifc->kind);
        assign_role(t, ifc);
        g_ptr_array_add(t->ifaces, ifc);
        g_hash_table_insert(t->by_key, g_strdup(key), ifc);
    }
    ifc->down = !up;
    forget_cached_ifaces(t);
}

void iface_table_link_removed(struct iface_table *t, int source_iface, int ifindex)
{
    char key[96];
    snprintf(key, sizeof key, "%d/idx%d", source_iface, ifindex);
    struct iface *ifc = g_hash_table_lookup(t->by_key, key);
    if (!ifc)
        return;
    ifc->gone = true;
    g_hash_table_remove(t->by_key, key);
    forget_cached_ifaces(t);
}

void iface_note_vpn_transport(struct iface_table *t, struct iface *ifc, const char *proto,
                              const struct ip_addr *endpoint, uint16_t port, uint64_t ts_ns)
{
    (void)t;
    const char *old_proto = ifc->vpn_transport_proto;
    ifc->vpn_transport_packets++;
    ifc->vpn_transport_last_ns = ts_ns;
    ifc->vpn_transport_proto = proto;
    ifc->vpn_endpoint = *endpoint;
    ifc->vpn_endpoint_port = port;
    /* "proto over name": written again only when either changed, not per packet */
    if (proto != old_proto || strcmp(ifc->vpn_evidence + strlen(proto) + strlen(" over "), ifc->name) != 0)
        snprintf(ifc->vpn_evidence, sizeof ifc->vpn_evidence, "%s over %s", proto, ifc->name);
}

void iface_table_route_update(struct iface_table *t, int ifindex, const char *name, const char *kind,
                              uint16_t hatype, bool up, bool default_route, const char *route)
{
    /* Entries are updated in place and never freed before the table: events
     * waiting for their STUN response point at the VPN's name. */
    struct routed_link *r = g_hash_table_lookup(t->routed, GINT_TO_POINTER(ifindex));
    if (!r) {
        r = g_new0(struct routed_link, 1);
        g_hash_table_insert(t->routed, GINT_TO_POINTER(ifindex), r);
    }
    g_strlcpy(r->as_iface.name, name ? name : "", sizeof r->as_iface.name);
    g_strlcpy(r->as_iface.kind, kind ? kind : "", sizeof r->as_iface.kind);
    r->as_iface.hatype = hatype;
    r->as_iface.ifindex = ifindex;
    const char *mapped = g_hash_table_lookup(t->ifindex_names, GINT_TO_POINTER(ifindex));
    if (mapped)
        g_strlcpy(r->as_iface.name, mapped, sizeof r->as_iface.name);
    r->as_iface.role = IFACE_ROLE_PHYSICAL;
    r->as_iface.role_source = ROLE_BY_DEFAULT;
    assign_role(t, &r->as_iface);
    r->up = up;
    r->default_route = default_route;
    g_strlcpy(r->route, route ? route : "", sizeof r->route);
    t->routes_known = true;
}

void iface_table_route_removed(struct iface_table *t, int ifindex)
{
    struct routed_link *r = g_hash_table_lookup(t->routed, GINT_TO_POINTER(ifindex));
    if (r)
        r->up = r->default_route = false;
}

/* The VPN link (lowest index, for a stable answer) that carries a default route. */
static const struct routed_link *routed_vpn(const struct iface_table *t)
{
    const struct routed_link *best = NULL;
    GHashTableIter it;
    gpointer k, v;
    g_hash_table_iter_init(&it, t->routed);
    while (g_hash_table_iter_next(&it, &k, &v)) {
        const struct routed_link *r = v;
        if (r->as_iface.role == IFACE_ROLE_VPN && r->up && r->default_route &&
            (!best || r->as_iface.ifindex < best->as_iface.ifindex))
            best = r;
    }
    return best;
}

bool iface_table_vpn_state_changed(struct iface_table *t, bool *up, const char **what, const char **why)
{
    if (!t->routes_known)
        return false;
    const struct routed_link *r = routed_vpn(t);
    bool now_up = r || t->user_declared_vpn;
    char now_what[IFACE_NAME_MAX], now_why[sizeof t->state_why];
    if (r) {
        g_strlcpy(now_what, r->as_iface.name, sizeof now_what);
        snprintf(now_why, sizeof now_why, "%s carries the default route (%s)", r->as_iface.name, r->route);
    } else if (t->user_declared_vpn) {
        g_strlcpy(now_what, t->vpn_globs && t->vpn_globs[0] ? t->vpn_globs[0] : "declared VPN", sizeof now_what);
        g_strlcpy(now_why, "declared by the user", sizeof now_why);
    } else {
        now_what[0] = '\0';
        g_strlcpy(now_why, "no VPN interface carries a default route", sizeof now_why);
    }
    if (t->state_reported && now_up == t->state_up && strcmp(now_what, t->state_what) == 0)
        return false;
    t->state_reported = true;
    t->state_up = now_up;
    g_strlcpy(t->state_what, now_what, sizeof t->state_what);
    g_strlcpy(t->state_why, now_why, sizeof t->state_why);
    *up = now_up;
    *what = t->state_what[0] ? t->state_what : NULL;
    *why = t->state_why;
    return true;
}

bool iface_table_vpn_up(struct iface_table *t, uint64_t ts_ns, const char **what)
{
    if (t->routes_known) {
        const struct routed_link *r = routed_vpn(t);
        if (r) {
            if (what)
                *what = r->as_iface.name;
            return true;
        }
        if (t->user_declared_vpn && what)
            *what = t->vpn_globs && t->vpn_globs[0] ? t->vpn_globs[0] : "declared VPN";
        return t->user_declared_vpn;
    }
    const struct iface *underlay = NULL;
    if (t->user_declared_vpn && what)
        *what = t->vpn_globs && t->vpn_globs[0] ? t->vpn_globs[0] : "declared VPN";
    for (guint i = 0; i < t->ifaces->len; i++) {
        const struct iface *ifc = g_ptr_array_index(t->ifaces, i);
        if (ifc->gone || ifc->down)
            continue;
        if (ifc->role == IFACE_ROLE_VPN) {
            if (what)
                *what = ifc->name;
            return true;
        }
        if (ifc->vpn_transport_packets && ts_ns <= ifc->vpn_transport_last_ns + VPN_EVIDENCE_WINDOW_NS)
            underlay = ifc;
    }
    if (t->user_declared_vpn)
        return true;
    if (underlay) {
        if (what)
            *what = underlay->vpn_evidence;
        return true;
    }
    return false;
}

bool iface_table_is_vpn_endpoint(const struct iface_table *t, const struct ip_addr *a, uint16_t port)
{
    for (guint i = 0; i < t->ifaces->len; i++) {
        const struct iface *ifc = g_ptr_array_index(t->ifaces, i);
        if (ifc->vpn_transport_packets && ifc->vpn_endpoint_port == port && addr_equal(&ifc->vpn_endpoint, a))
            return true;
    }
    return false;
}

void iface_table_learn_host(struct iface_table *t, const struct ip_addr *a)
{
    uint32_t hash = host_hash(a);
    if (host_find(t, a, hash) != HASH_INDEX_NONE)
        return;
    if (t->host_count >= HOST_ADDR_CAP) {
        t->hosts_not_learned++;
        return;
    }
    if (t->host_count == t->host_cap) {
        t->host_cap = t->host_cap ? t->host_cap * 2 : 16;
        t->host_addrs = g_renew(struct ip_addr, t->host_addrs, t->host_cap);
    }
    t->host_addrs[t->host_count] = *a;
    hash_index_add(&t->host_index, hash, t->host_count);
    t->host_count++;
}

void iface_table_forget_host(struct iface_table *t, const struct ip_addr *a)
{
    uint32_t hash = host_hash(a);
    uint32_t n = host_find(t, a, hash);
    if (n == HASH_INDEX_NONE)
        return;
    hash_index_remove(&t->host_index, hash, n);
    uint32_t last = --t->host_count;
    if (n != last) { /* the last address takes the freed place */
        t->host_addrs[n] = t->host_addrs[last];
        hash_index_move(&t->host_index, host_hash(&t->host_addrs[n]), last, n);
    }
}

bool iface_table_is_host(const struct iface_table *t, const struct ip_addr *a)
{
    return host_find(t, a, host_hash(a)) != HASH_INDEX_NONE;
}

void iface_table_cap_counts(const struct iface_table *t, uint64_t *hosts_not_learned, uint64_t *ifaces_over_cap)
{
    *hosts_not_learned = t->hosts_not_learned;
    *ifaces_over_cap = t->ifaces_over_cap;
}

unsigned iface_table_count(const struct iface_table *t) { return t->ifaces->len; }

const struct iface *iface_table_get(const struct iface_table *t, unsigned i)
{
    return i < t->ifaces->len ? g_ptr_array_index(t->ifaces, i) : NULL;
}

const char *iface_role_name(enum iface_role r)
{
    static const char *const names[] = { "physical", "vpn", "loopback" };
    return (unsigned)r < G_N_ELEMENTS(names) ? names[r] : "unknown";
}

const char *iface_role_source_name(enum iface_role_source s)
{
    static const char *const names[] = { "default", "user", "name", "link-type" };
    return (unsigned)s < G_N_ELEMENTS(names) ? names[s] : "unknown";
}
