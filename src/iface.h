/* iface.h — the interfaces a capture shows, and which of them is the VPN.
 *
 * Owns: the interface table (pcapng IDBs, SLL2 ifindexes named by the user,
 * SLL v1 hardware types), each interface's role (VPN, physical, loopback) and
 * why, VPN-by-evidence (a VPN's own encrypted transport seen on an underlay),
 * the host addresses (learned from traffic, or live from rtnetlink), and live
 * the routing view: which VPN link carries a default route, so whether the
 * VPN is up, and each up/down transition.
 * Knows nothing of dissectors or output.
 */
#ifndef LEAKAUDIT_IFACE_H
#define LEAKAUDIT_IFACE_H

#include <glib.h>
#include <stdbool.h>
#include <stdint.h>

#include "addr.h"
#include "decode.h"
#include "frame.h"

enum iface_role {
    IFACE_ROLE_PHYSICAL = 0, /* default: anything not recognised as VPN or loopback */
    IFACE_ROLE_VPN,
    IFACE_ROLE_LOOPBACK,
};

enum iface_role_source {
    ROLE_BY_DEFAULT = 0,
    ROLE_BY_USER,      /* --vpn-if */
    ROLE_BY_NAME,      /* tun*, wg*, utun*, … */
    ROLE_BY_LINKTYPE,  /* raw IP link, SLL hatype NONE/PPP/tunnel, loopback */
};

enum { IFACE_NAME_MAX = 64 };

struct iface {
    unsigned id;                 /* index in the table */
    char name[IFACE_NAME_MAX];
    int linktype;
    uint16_t hatype;             /* SLL/SLL2 hardware type, 0 when none */
    int ifindex;                 /* SLL2 index, 0 when none */
    enum iface_role role;
    enum iface_role_source role_source;
    uint64_t packets;
    /* VPN by evidence: this interface carries a VPN's own transport */
    uint64_t vpn_transport_packets;
    uint64_t vpn_transport_last_ns;
    const char *vpn_transport_proto;  /* "WireGuard", "OpenVPN", "IPsec" */
    struct ip_addr vpn_endpoint;
    uint16_t vpn_endpoint_port;
    char vpn_evidence[IFACE_NAME_MAX + 32]; /* "WireGuard over eth0": names the VPN in alerts */
    char kind[32];               /* live: rtnetlink link kind ("wireguard", "tun", "veth") */
    bool down;                   /* live: the link is administratively down */
    bool gone;                   /* live: deleted or renamed; a new entry takes its index */
};

struct iface_config {
    char **vpn_globs;       /* --vpn-if (NULL-terminated, may be NULL): disables auto-detection */
    char **ifname_map;      /* --ifname N=NAME */
    const char *single_name;/* --interface NAME for a one-interface capture */
    bool require_vpn;
};

struct iface_table;

/* Validates --ifname syntax; returns NULL and *err on a bad value. */
struct iface_table *iface_table_new(const struct iface_config *cfg, GError **err);
void iface_table_free(struct iface_table *t);

/* The interface a decoded packet belongs to (registered on first sight). */
struct iface *iface_for_packet(struct iface_table *t, const struct frame *f, const struct packet *p,
                               const char *source_name);

/* Registers an interface the capture declares before any packet (pcapng IDB),
 * so a VPN interface counts from the start of the capture. */
void iface_table_declare(struct iface_table *t, int source_iface, const char *name, int linktype);

/* Live capture on "any": the host's link `ifindex` appeared or changed
 * (rtnetlink). Names the index from now on; the kind ("wireguard", "tun")
 * and hardware type decide the role. */
void iface_table_link_update(struct iface_table *t, int source_iface, int ifindex, const char *name,
                             const char *kind, uint16_t hatype, bool up);
/* The link went away (or was renamed): packets with this index from now on
 * belong to whatever takes the index next. */
void iface_table_link_removed(struct iface_table *t, int source_iface, int ifindex);

/* Live: the host's routing (rtnetlink) for link `ifindex`: whether it is up
 * and carries a default route in a table some policy rule consults (`route`
 * says which, e.g. "IPv4 default, table 51820"). From the first call on, the
 * VPN is up only while a VPN link carries a default route (or the user
 * declared one with --vpn-if): the host's own routes say better than traffic,
 * so VPN transport seen on an underlay no longer makes the VPN up by itself. */
void iface_table_route_update(struct iface_table *t, int ifindex, const char *name, const char *kind,
                              uint16_t hatype, bool up, bool default_route, const char *route);
void iface_table_route_removed(struct iface_table *t, int ifindex);
/* True once per change of the VPN state that routing shows (and on the first
 * call after routing is known): *up, *what (the VPN, or NULL) and *why stay
 * valid until the next call. */
bool iface_table_vpn_state_changed(struct iface_table *t, bool *up, const char **what, const char **why);

/* A VPN's own transport packet (WireGuard, OpenVPN, IKE/ESP) seen on `ifc`:
 * makes `ifc` an underlay and the VPN "up" by evidence. */
void iface_note_vpn_transport(struct iface_table *t, struct iface *ifc, const char *proto,
                              const struct ip_addr *endpoint, uint16_t port, uint64_t ts_ns);

/* Is a VPN up at time ts? On true, *what names it ("wg0", or "WireGuard on eth0"). */
bool iface_table_vpn_up(struct iface_table *t, uint64_t ts_ns, const char **what);
/* Is (addr, port) the endpoint of a VPN transport seen so far? */
bool iface_table_is_vpn_endpoint(const struct iface_table *t, const struct ip_addr *a, uint16_t port);

/* Host addresses learned from traffic (the side that sends queries/requests). */
void iface_table_learn_host(struct iface_table *t, const struct ip_addr *a);
bool iface_table_is_host(const struct iface_table *t, const struct ip_addr *a);
/* Live: the address left the host (rtnetlink). */
void iface_table_forget_host(struct iface_table *t, const struct ip_addr *a);

/* How often a cap was reached: new host addresses not remembered (set full),
 * packets put on the last interface (table full). */
void iface_table_cap_counts(const struct iface_table *t, uint64_t *hosts_not_learned, uint64_t *ifaces_over_cap);

unsigned iface_table_count(const struct iface_table *t);
const struct iface *iface_table_get(const struct iface_table *t, unsigned i);

const char *iface_role_name(enum iface_role r);
const char *iface_role_source_name(enum iface_role_source s);
/* Role a name alone suggests (VPN for tun/wg/…, LOOPBACK for lo), else PHYSICAL. */
enum iface_role iface_role_from_name(const char *name);

#endif
