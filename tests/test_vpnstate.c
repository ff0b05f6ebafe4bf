/* test_vpnstate.c — the VPN state that live routing gives (iface.c): a VPN
 * link is up only while it carries a default route, transitions are reported
 * once each, --vpn-if declares the VPN up, and WireGuard seen on an underlay no
 * longer makes the VPN up once the host's routes are known. The rtnetlink side
 * (inventory.c) is exercised for real by tests/t_vpn_state.sh. */
#include <glib.h>
#include <string.h>

#include "iface.h"
#include "inventory.h"

enum { ARPHRD_ETHER_ = 1, ARPHRD_NONE_ = 0xfffe };

static struct iface_table *table_new(char **vpn_globs)
{
    struct iface_config cfg = { .vpn_globs = vpn_globs };
    GError *err = NULL;
    struct iface_table *t = iface_table_new(&cfg, &err);
    g_assert_no_error(err);
    return t;
}

static void test_route_transitions(void)
{
    struct iface_table *t = table_new(NULL);
    bool up;
    const char *what, *why, *vpn = NULL;
    g_assert_false(iface_table_vpn_state_changed(t, &up, &what, &why)); /* routing not known yet */
    iface_table_route_update(t, 2, "eth0", "veth", ARPHRD_ETHER_, true, true, "IPv4 default, table main");
    iface_table_route_update(t, 3, "wg0", "", ARPHRD_NONE_, true, false, "");
    g_assert_true(iface_table_vpn_state_changed(t, &up, &what, &why));
    g_assert_false(up);
    g_assert_null(what);
    g_assert_cmpstr(why, ==, "no VPN interface carries a default route");
    g_assert_false(iface_table_vpn_state_changed(t, &up, &what, &why)); /* once per change */
    g_assert_false(iface_table_vpn_up(t, 0, &vpn));

    iface_table_route_update(t, 3, "wg0", "", ARPHRD_NONE_, true, true, "IPv4 default, table 51820");
    g_assert_true(iface_table_vpn_state_changed(t, &up, &what, &why));
    g_assert_true(up);
    g_assert_cmpstr(what, ==, "wg0");
    g_assert_cmpstr(why, ==, "wg0 carries the default route (IPv4 default, table 51820)");
    g_assert_true(iface_table_vpn_up(t, 0, &vpn));
    g_assert_cmpstr(vpn, ==, "wg0");

    /* Administratively down: routes or not, it carries nothing. */
    iface_table_route_update(t, 3, "wg0", "", ARPHRD_NONE_, false, true, "IPv4 default, table 51820");
    g_assert_true(iface_table_vpn_state_changed(t, &up, &what, &why));
    g_assert_false(up);
    g_assert_false(iface_table_vpn_up(t, 0, NULL));

    /* A reconnect: the old index goes, a new one (kind wireguard, any name) comes. */
    iface_table_route_removed(t, 3);
    iface_table_route_update(t, 7, "office", "wireguard", ARPHRD_NONE_, true, true, "IPv4 default, table main");
    g_assert_true(iface_table_vpn_state_changed(t, &up, &what, &why));
    g_assert_true(up);
    g_assert_cmpstr(what, ==, "office");
    iface_table_free(t);
}

static void test_evidence_yields_to_routes(void)
{
    struct iface_table *t = table_new(NULL);
    struct frame f = { .linktype = 1, .iface = 0 };
    struct packet p = { 0 };
    struct iface *eth0 = iface_for_packet(t, &f, &p, "eth0");
    struct ip_addr endpoint;
    g_assert_true(addr_parse(&endpoint, "192.0.2.1"));
    iface_note_vpn_transport(t, eth0, "WireGuard", &endpoint, 51820, 1000);
    const char *vpn = NULL;
    g_assert_true(iface_table_vpn_up(t, 2000, &vpn)); /* offline: evidence is all there is */
    g_assert_cmpstr(vpn, ==, "WireGuard over eth0");
    iface_table_route_update(t, 2, "eth0", "veth", ARPHRD_ETHER_, true, true, "IPv4 default, table main");
    g_assert_false(iface_table_vpn_up(t, 2000, &vpn)); /* live: the routes say no VPN carries traffic */
    iface_table_free(t);
}

static void test_declared_vpn(void)
{
    char *globs[] = { "tun*", NULL };
    struct iface_table *t = table_new(globs);
    bool up;
    const char *what, *why, *vpn = NULL;
    iface_table_route_update(t, 2, "eth0", "veth", ARPHRD_ETHER_, true, true, "IPv4 default, table main");
    /* wg0 is not tun*: with --vpn-if only the user's names are VPNs. */
    iface_table_route_update(t, 3, "wg0", "wireguard", ARPHRD_NONE_, true, true, "IPv4 default, table main");
    g_assert_true(iface_table_vpn_state_changed(t, &up, &what, &why));
    g_assert_true(up);
    g_assert_cmpstr(what, ==, "tun*");
    g_assert_cmpstr(why, ==, "declared by the user");
    iface_table_route_update(t, 4, "tun0", "tun", ARPHRD_NONE_, true, true, "IPv6 default, table main");
    g_assert_true(iface_table_vpn_state_changed(t, &up, &what, &why));
    g_assert_cmpstr(what, ==, "tun0");
    g_assert_true(iface_table_vpn_up(t, 0, &vpn));
    g_assert_cmpstr(vpn, ==, "tun0");
    iface_table_free(t);
}

static void test_table_names(void)
{
    char buf[16];
    g_assert_cmpstr(inventory_table_name(254, buf, sizeof buf), ==, "main");
    g_assert_cmpstr(inventory_table_name(255, buf, sizeof buf), ==, "local");
    g_assert_cmpstr(inventory_table_name(51820, buf, sizeof buf), ==, "51820");
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/vpnstate/route-transitions", test_route_transitions);
    g_test_add_func("/vpnstate/evidence-yields-to-routes", test_evidence_yields_to_routes);
    g_test_add_func("/vpnstate/declared", test_declared_vpn);
    g_test_add_func("/vpnstate/table-names", test_table_names);
    return g_test_run();
}
