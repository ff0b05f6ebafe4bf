/* verdict.c — see verdict.h. */
#include "verdict.h"

#include <string.h>

#include "iface.h"

bool verdict_event_is_request(const struct event *ev)
{
    switch (ev->kind) {
    case EVENT_STUN:
        return !ev->stun->channel_data &&
               (ev->stun->cls == STUN_CLASS_REQUEST || ev->stun->cls == STUN_CLASS_INDICATION);
    case EVENT_DNS:
        return !ev->dns->is_response;
    case EVENT_DTLS:
        return ev->dtls->hello.present && ev->dtls->hello.handshake_type == DTLS_HS_CLIENT_HELLO;
    case EVENT_ENCRYPTED_DNS:
        return true;
    default:
        return false;
    }
}

bool verdict_event_is_response(const struct event *ev)
{
    switch (ev->kind) {
    case EVENT_STUN:
        return !ev->stun->channel_data &&
               (ev->stun->cls == STUN_CLASS_SUCCESS || ev->stun->cls == STUN_CLASS_ERROR);
    case EVENT_DNS:
        return ev->dns->is_response;
    default:
        return false;
    }
}

static void set(struct event *ev, enum verdict v, enum severity s, const char *reason)
{
    ev->verdict = v;
    ev->severity = s;
    ev->reason = reason;
}

/* Destinations that never leave the local link: loopback, link-local,
 * multicast (mDNS 224.0.0.251, LLMNR 224.0.0.252, SSDP 239.255.255.250,
 * ff02::/16 …), broadcast. */
static bool link_local_destination(const struct event *ev, enum addr_class dst_class)
{
    switch (dst_class) { /* addr_is_local_scope's classes */
    case ADDR_LOOPBACK:
    case ADDR_LINK_LOCAL:
    case ADDR_MULTICAST:
    case ADDR_BROADCAST:
    case ADDR_UNSPECIFIED:
        return true;
    default:
        return ev->kind == EVENT_DNS && ev->dns->flavor != DNS_FLAVOR_DNS;
    }
}

static bool lan_destination(enum addr_class dst_class)
{
    return dst_class == ADDR_PRIVATE || dst_class == ADDR_CGNAT;
}

static void judge_request(const struct verdict_config *cfg, struct iface_table *ifaces, struct event *ev)
{
    if (ev->dir == DIR_IN) {
        set(ev, VERDICT_INBOUND, SEVERITY_NONE, "arrived at this host (it answers, it did not ask)");
        return;
    }
    enum addr_class dst_class = addr_classify(&ev->dst); /* once: every test below asks */
    if (ev->iface->role == IFACE_ROLE_LOOPBACK || dst_class == ADDR_LOOPBACK) {
        set(ev, VERDICT_LOCAL, SEVERITY_NONE, "loopback");
        return;
    }
    if (link_local_destination(ev, dst_class)) {
        set(ev, VERDICT_LOCAL, SEVERITY_NONE, "link-local or LAN multicast (mDNS, LLMNR, SSDP)");
        return;
    }
    const char *vpn = NULL;
    bool vpn_up = iface_table_vpn_up(ifaces, ev->ts_ns, &vpn);
    ev->vpn_name = vpn;
    if (ev->iface->role == IFACE_ROLE_VPN) {
        set(ev, VERDICT_INSIDE_VPN, SEVERITY_NONE, "sent through the VPN interface");
        ev->vpn_name = ev->iface->name;
        return;
    }
    if (!vpn_up) {
        if (cfg->require_vpn)
            set(ev, VERDICT_LEAK, ev->kind == EVENT_ENCRYPTED_DNS ? SEVERITY_MEDIUM : SEVERITY_HIGH,
                "no VPN is up (--require-vpn)");
        else
            set(ev, VERDICT_NO_VPN, SEVERITY_NONE, "no VPN in sight");
        return;
    }
    if (iface_table_is_vpn_endpoint(ifaces, &ev->dst, ev->dport)) {
        set(ev, VERDICT_ALLOWED, SEVERITY_NONE, "the VPN's own endpoint");
        return;
    }
    bool lan = lan_destination(dst_class);
    switch (ev->kind) {
    case EVENT_DNS:
        set(ev, VERDICT_LEAK, SEVERITY_HIGH,
            lan ? "DNS query to a LAN resolver outside the VPN" : "DNS query outside the VPN");
        break;
    case EVENT_STUN:
        if (lan)
            set(ev, VERDICT_LEAK, SEVERITY_LOW, "STUN to a LAN address outside the VPN (ICE check)");
        else
            set(ev, VERDICT_LEAK, SEVERITY_HIGH, "STUN outside the VPN reveals the real address");
        break;
    case EVENT_DTLS:
        set(ev, VERDICT_LEAK, lan ? SEVERITY_LOW : SEVERITY_MEDIUM,
            lan ? "DTLS handshake to a LAN address outside the VPN" : "DTLS handshake outside the VPN");
        break;
    case EVENT_ENCRYPTED_DNS:
        set(ev, VERDICT_LEAK, SEVERITY_MEDIUM, "encrypted DNS outside the VPN (resolver sees the real address)");
        break;
    default:
        set(ev, VERDICT_NONE, SEVERITY_NONE, NULL);
        break;
    }
}

static const struct dissect_addr *stun_reflected_address(const struct stun_message *m)
{
    if (m->xor_mapped.family)
        return &m->xor_mapped;
    if (m->mapped.family)
        return &m->mapped;
    return NULL;
}

static void judge_response(const struct verdict_config *cfg, struct iface_table *ifaces, struct event *ev)
{
    set(ev, VERDICT_RESPONSE, SEVERITY_NONE, "a reply");
    if (ev->kind != EVENT_STUN || ev->stun->cls != STUN_CLASS_SUCCESS)
        return;
    const struct dissect_addr *seen = stun_reflected_address(ev->stun);
    if (!seen)
        return;
    ev->has_exposed = true;
    ev->exposed.family = seen->family;
    memcpy(ev->exposed.bytes, seen->bytes, sizeof ev->exposed.bytes);
    ev->exposed_port = seen->port;
    if (ev->dir == DIR_OUT || ev->iface->role != IFACE_ROLE_PHYSICAL)
        return;
    const char *vpn = NULL;
    bool vpn_up = iface_table_vpn_up(ifaces, ev->ts_ns, &vpn);
    ev->vpn_name = vpn;
    if (vpn_up || cfg->require_vpn)
        set(ev, VERDICT_EXPOSURE, SEVERITY_HIGH, "a STUN server outside the VPN saw the real address");
}

void verdict_judge(const struct verdict_config *cfg, struct iface_table *ifaces, struct event *ev)
{
    ev->has_exposed = false;
    ev->vpn_name = NULL;
    if (verdict_event_is_request(ev))
        judge_request(cfg, ifaces, ev);
    else if (verdict_event_is_response(ev))
        judge_response(cfg, ifaces, ev);
    else
        set(ev, VERDICT_NONE, SEVERITY_NONE, NULL);
}
