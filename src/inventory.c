/* inventory.c — see inventory.h. Netlink messages come from the kernel, but
 * are still walked with the documented RTA_* / NLMSG_* bounds macros. */
#include "inventory.h"

#include <errno.h>
#include <linux/fib_rules.h>
#include <linux/if.h>
#include <linux/if_link.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

/* One default route out of one link (a multipath route gives one per hop). */
struct default_route {
    uint8_t family;
    uint32_t table;
    int oif;
};

struct inventory {
    int fd;
    GHashTable *links;    /* index → struct inventory_link* */
    GHashTable *routes;   /* key string → struct default_route* */
    GHashTable *rules;    /* key string (rule bytes) → GUINT (family << 32 | table) as struct rule_ref* */
    inventory_fn fn;
    void *user;
    bool dumping;         /* initial dump: report links once routing is known */
    uint32_t seq;
    GHashTable *addrs;    /* "family/index/hex" → struct host_addr* */
    inventory_addr_fn addr_fn;
    void *addr_user;
};

struct host_addr {
    int index, family;
    uint8_t bytes[16];
};

struct rule_ref {
    uint8_t family;
    uint32_t table;
};

const char *inventory_table_name(uint32_t table, char *buf, size_t len)
{
    switch (table) {
    case RT_TABLE_MAIN: return "main";
    case RT_TABLE_LOCAL: return "local";
    case RT_TABLE_DEFAULT: return "default";
    default: snprintf(buf, len, "%u", table); return buf;
    }
}

static void parse_linkinfo(struct rtattr *info, struct inventory_link *l)
{
    int len = RTA_PAYLOAD(info);
    for (struct rtattr *a = RTA_DATA(info); RTA_OK(a, len); a = RTA_NEXT(a, len))
        if (a->rta_type == IFLA_INFO_KIND)
            g_strlcpy(l->kind, RTA_DATA(a), MIN(sizeof l->kind, (size_t)RTA_PAYLOAD(a) + 1));
}

/* IPv4 drops a link's routes without telling anyone when the link goes down
 * or away; forget them the same way. */
static void forget_routes_of(struct inventory *inv, int oif, bool ipv4_only)
{
    GHashTableIter it;
    gpointer k, v;
    g_hash_table_iter_init(&it, inv->routes);
    while (g_hash_table_iter_next(&it, &k, &v)) {
        const struct default_route *r = v;
        if (r->oif == oif && (!ipv4_only || r->family == AF_INET))
            g_hash_table_iter_remove(&it);
    }
}

static void handle_link(struct inventory *inv, struct nlmsghdr *h)
{
    struct ifinfomsg *ifi = NLMSG_DATA(h);
    if (h->nlmsg_len < NLMSG_LENGTH(sizeof *ifi))
        return;
    struct inventory_link l = { .index = ifi->ifi_index, .type = ifi->ifi_type, .flags = ifi->ifi_flags };
    int len = IFLA_PAYLOAD(h);
    for (struct rtattr *a = IFLA_RTA(ifi); RTA_OK(a, len); a = RTA_NEXT(a, len)) {
        if (a->rta_type == IFLA_IFNAME)
            g_strlcpy(l.name, RTA_DATA(a), MIN(sizeof l.name, (size_t)RTA_PAYLOAD(a) + 1));
        else if (a->rta_type == IFLA_LINKINFO)
            parse_linkinfo(a, &l);
    }
    struct inventory_link *old = g_hash_table_lookup(inv->links, GINT_TO_POINTER(l.index));
    if (h->nlmsg_type == RTM_DELLINK) {
        forget_routes_of(inv, l.index, false);
        if (old) {
            if (!inv->dumping)
                inv->fn(old, INVENTORY_REMOVED, inv->user);
            g_hash_table_remove(inv->links, GINT_TO_POINTER(l.index));
        }
        return;
    }
    if (!(l.flags & IFF_UP))
        forget_routes_of(inv, l.index, true);
    if (old && strcmp(old->name, l.name) == 0 && old->flags == l.flags && strcmp(old->kind, l.kind) == 0)
        return;
    if (old) {
        l.default_route = old->default_route;
        memcpy(l.route, old->route, sizeof l.route);
    }
    if (old && strcmp(old->name, l.name) != 0) {
        /* A rename is a different interface as far as labels go. */
        if (!inv->dumping)
            inv->fn(old, INVENTORY_REMOVED, inv->user);
        old = NULL;
    }
    struct inventory_link *copy = g_new(struct inventory_link, 1);
    *copy = l;
    g_hash_table_replace(inv->links, GINT_TO_POINTER(l.index), copy);
    if (!inv->dumping)
        inv->fn(copy, old ? INVENTORY_CHANGED : INVENTORY_ADDED, inv->user);
}

static void route_key(char *key, size_t len, const struct rtmsg *rtm, uint32_t table, uint32_t metric, int oif)
{
    snprintf(key, len, "%u/%u/%u/%u/%d", rtm->rtm_family, table, rtm->rtm_tos, metric, oif);
}

static void store_route(struct inventory *inv, bool add, const struct rtmsg *rtm, uint32_t table, uint32_t metric,
                        int oif)
{
    char key[80];
    route_key(key, sizeof key, rtm, table, metric, oif);
    if (!add) {
        g_hash_table_remove(inv->routes, key);
        return;
    }
    struct default_route *r = g_new(struct default_route, 1);
    *r = (struct default_route){ .family = rtm->rtm_family, .table = table, .oif = oif };
    g_hash_table_replace(inv->routes, g_strdup(key), r);
}

/* Only default routes matter: where traffic goes when nothing more specific does. */
static void handle_route(struct inventory *inv, struct nlmsghdr *h)
{
    struct rtmsg *rtm = NLMSG_DATA(h);
    if (h->nlmsg_len < NLMSG_LENGTH(sizeof *rtm))
        return;
    if (rtm->rtm_dst_len != 0 || rtm->rtm_type != RTN_UNICAST ||
        (rtm->rtm_family != AF_INET && rtm->rtm_family != AF_INET6))
        return;
    bool add = h->nlmsg_type == RTM_NEWROUTE;
    uint32_t table = rtm->rtm_table, metric = 0;
    int oif = 0;
    struct rtattr *multipath = NULL;
    int len = RTM_PAYLOAD(h);
    for (struct rtattr *a = RTM_RTA(rtm); RTA_OK(a, len); a = RTA_NEXT(a, len)) {
        if (a->rta_type == RTA_TABLE && RTA_PAYLOAD(a) >= sizeof(uint32_t))
            memcpy(&table, RTA_DATA(a), sizeof table);
        else if (a->rta_type == RTA_OIF && RTA_PAYLOAD(a) >= sizeof(int))
            memcpy(&oif, RTA_DATA(a), sizeof oif);
        else if (a->rta_type == RTA_PRIORITY && RTA_PAYLOAD(a) >= sizeof(uint32_t))
            memcpy(&metric, RTA_DATA(a), sizeof metric);
        else if (a->rta_type == RTA_MULTIPATH)
            multipath = a;
    }
    if (oif > 0)
        store_route(inv, add, rtm, table, metric, oif);
    if (multipath) {
        int left = RTA_PAYLOAD(multipath);
        struct rtnexthop *nh = RTA_DATA(multipath);
        while (left >= (int)sizeof *nh && nh->rtnh_len >= sizeof *nh && nh->rtnh_len <= left) {
            if (nh->rtnh_ifindex > 0)
                store_route(inv, add, rtm, table, metric, nh->rtnh_ifindex);
            left -= RTNH_ALIGN(nh->rtnh_len);
            nh = RTNH_NEXT(nh);
        }
    }
}

/* Which tables the policy rules consult. The whole rule is the key: a delete
 * notification carries the same bytes as the add. */
static void handle_rule(struct inventory *inv, struct nlmsghdr *h)
{
    struct fib_rule_hdr *frh = NLMSG_DATA(h);
    if (h->nlmsg_len < NLMSG_LENGTH(sizeof *frh))
        return;
    size_t payload = h->nlmsg_len - NLMSG_LENGTH(0);
    GString *key = g_string_sized_new(payload * 2 + 1);
    const uint8_t *bytes = NLMSG_DATA(h);
    for (size_t i = 0; i < payload; i++)
        g_string_append_printf(key, "%02x", bytes[i]);
    if (h->nlmsg_type == RTM_DELRULE || frh->action != FR_ACT_TO_TBL) {
        g_hash_table_remove(inv->rules, key->str);
        g_string_free(key, TRUE);
        return;
    }
    uint32_t table = frh->table;
    int len = h->nlmsg_len - NLMSG_LENGTH(sizeof *frh);
    for (struct rtattr *a = (struct rtattr *)(frh + 1); RTA_OK(a, len); a = RTA_NEXT(a, len))
        if (a->rta_type == FRA_TABLE && RTA_PAYLOAD(a) >= sizeof(uint32_t))
            memcpy(&table, RTA_DATA(a), sizeof table);
    struct rule_ref *r = g_new(struct rule_ref, 1);
    *r = (struct rule_ref){ .family = frh->family, .table = table };
    g_hash_table_replace(inv->rules, g_string_free(key, FALSE), r);
}

static void handle_addr(struct inventory *inv, struct nlmsghdr *h)
{
    struct ifaddrmsg *ifa = NLMSG_DATA(h);
    if (h->nlmsg_len < NLMSG_LENGTH(sizeof *ifa) || (ifa->ifa_family != AF_INET && ifa->ifa_family != AF_INET6))
        return;
    size_t want = ifa->ifa_family == AF_INET ? 4 : 16;
    const uint8_t *local = NULL, *address = NULL;
    int len = IFA_PAYLOAD(h);
    for (struct rtattr *a = IFA_RTA(ifa); RTA_OK(a, len); a = RTA_NEXT(a, len)) {
        if (RTA_PAYLOAD(a) < want)
            continue;
        if (a->rta_type == IFA_LOCAL)
            local = RTA_DATA(a);
        else if (a->rta_type == IFA_ADDRESS)
            address = RTA_DATA(a);
    }
    /* On point-to-point links IFA_ADDRESS is the peer; IFA_LOCAL is ours. */
    const uint8_t *mine = local ? local : address;
    if (!mine)
        return;
    struct host_addr ha = { .index = (int)ifa->ifa_index, .family = ifa->ifa_family };
    memcpy(ha.bytes, mine, want);
    char key[64];
    int used = snprintf(key, sizeof key, "%d/%d/", ha.family, ha.index);
    for (size_t i = 0; i < want && used + 2 < (int)sizeof key; i++)
        used += snprintf(key + used, sizeof key - used, "%02x", ha.bytes[i]);
    bool added = h->nlmsg_type == RTM_NEWADDR;
    bool known = g_hash_table_contains(inv->addrs, key);
    if (added == known)
        return;
    if (added)
        g_hash_table_insert(inv->addrs, g_strdup(key), g_memdup2(&ha, sizeof ha));
    else
        g_hash_table_remove(inv->addrs, key);
    if (inv->addr_fn)
        inv->addr_fn(ha.index, ha.family, ha.bytes, added, inv->addr_user);
}

void inventory_watch_addresses(struct inventory *inv, inventory_addr_fn fn, void *user)
{
    inv->addr_fn = fn;
    inv->addr_user = user;
    GHashTableIter it;
    gpointer k, v;
    g_hash_table_iter_init(&it, inv->addrs);
    while (g_hash_table_iter_next(&it, &k, &v)) {
        const struct host_addr *ha = v;
        fn(ha->index, ha->family, ha->bytes, true, user);
    }
}

static bool table_consulted(const struct inventory *inv, uint8_t family, uint32_t table)
{
    bool any_rule = false;
    GHashTableIter it;
    gpointer k, v;
    g_hash_table_iter_init(&it, inv->rules);
    while (g_hash_table_iter_next(&it, &k, &v)) {
        const struct rule_ref *r = v;
        if (r->family != family)
            continue;
        any_rule = true;
        if (r->table == table)
            return true;
    }
    /* No rules known (kernel without policy routing): only main is used. */
    return !any_rule && table == RT_TABLE_MAIN;
}

static void describe_routes(const struct inventory *inv, const struct inventory_link *l, char *out, size_t len)
{
    out[0] = '\0';
    for (uint8_t fam = AF_INET; fam; fam = fam == AF_INET ? AF_INET6 : 0) {
        GHashTableIter it;
        gpointer k, v;
        g_hash_table_iter_init(&it, inv->routes);
        while (g_hash_table_iter_next(&it, &k, &v)) {
            const struct default_route *r = v;
            if (r->oif != l->index || r->family != fam || !table_consulted(inv, fam, r->table))
                continue;
            char tb[16];
            size_t used = strlen(out);
            snprintf(out + used, len - used, "%s%s default, table %s", used ? "; " : "",
                     fam == AF_INET ? "IPv4" : "IPv6", inventory_table_name(r->table, tb, sizeof tb));
            break;
        }
    }
}

/* After a batch of messages: which links now carry a default route. */
static void recompute_routing(struct inventory *inv)
{
    GHashTableIter it;
    gpointer k, v;
    g_hash_table_iter_init(&it, inv->links);
    while (g_hash_table_iter_next(&it, &k, &v)) {
        struct inventory_link *l = v;
        char route[INVENTORY_ROUTE_MAX];
        describe_routes(inv, l, route, sizeof route);
        bool has = route[0] && (l->flags & IFF_UP);
        if (has == l->default_route && strcmp(route, l->route) == 0)
            continue;
        l->default_route = has;
        g_strlcpy(l->route, has ? route : "", sizeof l->route);
        if (!inv->dumping)
            inv->fn(l, INVENTORY_ROUTE, inv->user);
    }
}

static int read_messages(struct inventory *inv, bool until_done)
{
    char buf[32768];
    for (;;) {
        ssize_t n = recv(inv->fd, buf, sizeof buf, until_done ? 0 : MSG_DONTWAIT);
        if (n < 0) {
            if (errno == ENOBUFS) /* notifications lost: what we hold may be stale */
                continue;
            return errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR ? 0 : -1;
        }
        if (n == 0)
            return 0;
        size_t left = (size_t)n;
        for (struct nlmsghdr *h = (struct nlmsghdr *)buf; NLMSG_OK(h, left); h = NLMSG_NEXT(h, left)) {
            if (h->nlmsg_type == NLMSG_DONE && until_done && h->nlmsg_seq == inv->seq)
                return 0;
            if (h->nlmsg_type == NLMSG_ERROR) {
                if (until_done && h->nlmsg_seq == inv->seq)
                    return -1;
                continue;
            }
            switch (h->nlmsg_type) {
            case RTM_NEWLINK: case RTM_DELLINK: handle_link(inv, h); break;
            case RTM_NEWROUTE: case RTM_DELROUTE: handle_route(inv, h); break;
            case RTM_NEWRULE: case RTM_DELRULE: handle_rule(inv, h); break;
            case RTM_NEWADDR: case RTM_DELADDR: handle_addr(inv, h); break;
            default: break;
            }
        }
    }
}

static int dump(struct inventory *inv, uint16_t type, uint8_t family)
{
    struct {
        struct nlmsghdr h;
        struct rtgenmsg g;
        char pad[3];
    } req = { .h = { .nlmsg_len = NLMSG_LENGTH(sizeof(struct rtgenmsg)), .nlmsg_type = type,
                     .nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP, .nlmsg_seq = ++inv->seq },
              .g = { .rtgen_family = family } };
    /* RTM_GETLINK wants a full ifinfomsg on strict kernels; a zeroed one is fine for all. */
    struct {
        struct nlmsghdr h;
        struct ifinfomsg ifi;
    } link_req = { .h = { .nlmsg_len = sizeof link_req, .nlmsg_type = type,
                          .nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP, .nlmsg_seq = inv->seq },
                   .ifi = { .ifi_family = family } };
    ssize_t sent = type == RTM_GETLINK ? send(inv->fd, &link_req, sizeof link_req, 0)
                                       : send(inv->fd, &req, req.h.nlmsg_len, 0);
    if (sent < 0)
        return -1;
    return read_messages(inv, true);
}

static gint by_index(gconstpointer a, gconstpointer b)
{
    return (*(const struct inventory_link *const *)a)->index - (*(const struct inventory_link *const *)b)->index;
}

void inventory_foreach(const struct inventory *inv, inventory_fn fn, void *user)
{
    GPtrArray *all = g_ptr_array_new();
    GHashTableIter it;
    gpointer k, v;
    g_hash_table_iter_init(&it, inv->links);
    while (g_hash_table_iter_next(&it, &k, &v))
        g_ptr_array_add(all, v);
    g_ptr_array_sort(all, by_index);
    for (guint i = 0; i < all->len; i++)
        fn(g_ptr_array_index(all, i), INVENTORY_ADDED, user);
    g_ptr_array_free(all, TRUE);
}

struct inventory *inventory_open(inventory_fn fn, void *user, GError **err)
{
    int fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
    if (fd < 0) {
        g_set_error(err, G_FILE_ERROR, g_file_error_from_errno(errno), "rtnetlink: %s", g_strerror(errno));
        return NULL;
    }
    struct sockaddr_nl sa = { .nl_family = AF_NETLINK,
                              .nl_groups = RTMGRP_LINK | RTMGRP_IPV4_ROUTE | RTMGRP_IPV6_ROUTE |
                                           RTMGRP_IPV4_IFADDR | RTMGRP_IPV6_IFADDR };
    if (bind(fd, (struct sockaddr *)&sa, sizeof sa) != 0) {
        g_set_error(err, G_FILE_ERROR, g_file_error_from_errno(errno), "rtnetlink bind: %s", g_strerror(errno));
        close(fd);
        return NULL;
    }
    int groups[] = { RTNLGRP_IPV4_RULE, RTNLGRP_IPV6_RULE };
    for (size_t i = 0; i < G_N_ELEMENTS(groups); i++)
        (void)setsockopt(fd, SOL_NETLINK, NETLINK_ADD_MEMBERSHIP, &groups[i], sizeof groups[i]);
    struct inventory *inv = g_new0(struct inventory, 1);
    inv->fd = fd;
    inv->links = g_hash_table_new_full(g_direct_hash, g_direct_equal, NULL, g_free);
    inv->routes = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
    inv->rules = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
    inv->addrs = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
    inv->fn = fn;
    inv->user = user;
    inv->dumping = true;
    if (dump(inv, RTM_GETLINK, AF_UNSPEC) < 0) {
        g_set_error(err, G_FILE_ERROR, g_file_error_from_errno(errno), "rtnetlink dump: %s", g_strerror(errno));
        inventory_close(inv);
        return NULL;
    }
    /* Routes and rules are best effort: without them the VPN state comes
     * from names and traffic only. */
    dump(inv, RTM_GETROUTE, AF_INET);
    dump(inv, RTM_GETROUTE, AF_INET6);
    dump(inv, RTM_GETRULE, AF_INET);
    dump(inv, RTM_GETRULE, AF_INET6);
    dump(inv, RTM_GETADDR, AF_UNSPEC);
    recompute_routing(inv);
    inv->dumping = false;
    inventory_foreach(inv, fn, user);
    return inv;
}

int inventory_fd(const struct inventory *inv) { return inv->fd; }

void inventory_process(struct inventory *inv)
{
    read_messages(inv, false);
    recompute_routing(inv);
}

const struct inventory_link *inventory_lookup(const struct inventory *inv, int index)
{
    return g_hash_table_lookup(inv->links, GINT_TO_POINTER(index));
}

void inventory_close(struct inventory *inv)
{
    if (!inv)
        return;
    close(inv->fd);
    g_hash_table_destroy(inv->links);
    g_hash_table_destroy(inv->routes);
    g_hash_table_destroy(inv->rules);
    g_hash_table_destroy(inv->addrs);
    g_free(inv);
}
