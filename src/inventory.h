/* inventory.h — this host's interfaces from rtnetlink, kept current.
 *
 * Owns: a netlink socket subscribed to link changes, the index → (name, kind,
 * hardware type, flags) table. A VPN that reconnects often gets a new index,
 * and an old index can be reused by another device: every add, rename and
 * delete is reported so packets are never labelled with a stale name.
 * Knows nothing of packets or verdicts.
 */
#ifndef LEAKAUDIT_INVENTORY_H
#define LEAKAUDIT_INVENTORY_H

#include <glib.h>
#include <stdbool.h>
#include <stdint.h>

enum { INVENTORY_NAME_MAX = 64 };

struct inventory_link {
    int index;
    char name[INVENTORY_NAME_MAX];
    char kind[32];       /* IFLA_INFO_KIND: "wireguard", "tun", "veth", "" */
    uint16_t type;       /* ARPHRD_* */
    unsigned flags;      /* IFF_* */
};

enum inventory_change { INVENTORY_ADDED, INVENTORY_CHANGED, INVENTORY_REMOVED };

typedef void (*inventory_fn)(const struct inventory_link *link, enum inventory_change change, void *user);

struct inventory;

/* Opens the socket and dumps the current links (each reported as ADDED). */
struct inventory *inventory_open(inventory_fn fn, void *user, GError **err);
int inventory_fd(const struct inventory *inv);
/* Reads whatever notifications are waiting (non-blocking). */
void inventory_process(struct inventory *inv);
const struct inventory_link *inventory_lookup(const struct inventory *inv, int index);
void inventory_close(struct inventory *inv);

#endif
