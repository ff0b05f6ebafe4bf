/* inventory.h — this host's interfaces and default routes from rtnetlink,
 * kept current.
 *
 * Owns: a netlink socket subscribed to link, address, route and policy-rule
 * changes; the index → (name, kind, hardware type, flags) table; the host's
 * addresses; the default routes of
 * every routing table and the tables that policy rules look up. A VPN that
 * reconnects often gets a new index, and an old index can be reused by another
 * device: every add, rename and delete is reported so packets are never
 * labelled with a stale name. A link "carries a default route" when a table
 * that some rule consults (main through the default rules, or wg-quick's
 * fwmark table) holds a default route out of it.
 * Knows nothing of packets, VPN roles or verdicts.
 */
#ifndef LEAKAUDIT_INVENTORY_H
#define LEAKAUDIT_INVENTORY_H

#include <glib.h>
#include <stdbool.h>
#include <stdint.h>

enum { INVENTORY_NAME_MAX = 64, INVENTORY_ROUTE_MAX = 96 };

struct inventory_link {
    int index;
    char name[INVENTORY_NAME_MAX];
    char kind[32];       /* IFLA_INFO_KIND: "wireguard", "tun", "veth", "" */
    uint16_t type;       /* ARPHRD_* */
    unsigned flags;      /* IFF_* */
    /* routing: a consulted table has a default route out of this link */
    bool default_route;
    char route[INVENTORY_ROUTE_MAX];  /* "IPv4 default, table main" when default_route */
};

enum inventory_change { INVENTORY_ADDED, INVENTORY_CHANGED, INVENTORY_REMOVED, INVENTORY_ROUTE };

/* INVENTORY_ROUTE: only default_route/route of a known link changed. */
typedef void (*inventory_fn)(const struct inventory_link *link, enum inventory_change change, void *user);

struct inventory;

/* Opens the socket and dumps the current links, routes and rules; each link
 * is reported as ADDED with its routing already known. */
struct inventory *inventory_open(inventory_fn fn, void *user, GError **err);
int inventory_fd(const struct inventory *inv);
/* Reads whatever notifications are waiting (non-blocking). */
void inventory_process(struct inventory *inv);
const struct inventory_link *inventory_lookup(const struct inventory *inv, int index);
/* Calls fn(link, INVENTORY_ADDED) for every known link (index order). */
void inventory_foreach(const struct inventory *inv, inventory_fn fn, void *user);
void inventory_close(struct inventory *inv);

/* This host's addresses (IPv4/IPv6, every link), as they come and go:
 * replays the known ones (added=true) at once, then reports changes from
 * inventory_process. addr is 4 or 16 bytes per family. */
typedef void (*inventory_addr_fn)(int index, int family, const uint8_t *addr, bool added, void *user);
void inventory_watch_addresses(struct inventory *inv, inventory_addr_fn fn, void *user);

/* Pure parts, for tests: the table name used in route descriptions. */
const char *inventory_table_name(uint32_t table, char *buf, size_t len);

#endif
