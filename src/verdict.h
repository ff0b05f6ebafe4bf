/* verdict.h — what counts as a leak.
 *
 * Owns: event + interface role + VPN state + allow policy → verdict, severity
 * and reason. The default allow policy follows Mullvad's documented firewall
 * rules: loopback, link-local, LAN multicast (mDNS, LLMNR, SSDP) and the VPN's
 * own endpoint are never leaks. A DNS query to a LAN resolver is (the classic
 * DNS leak); STUN/DTLS to LAN unicast is a leak of low severity.
 * Knows nothing of output formats.
 */
#ifndef LEAKAUDIT_VERDICT_H
#define LEAKAUDIT_VERDICT_H

#include <stdbool.h>

#include "event.h"
#include "iface.h"

struct verdict_config {
    bool require_vpn;   /* no VPN up counts as a leak, not "no-vpn" */
};

/* Is this event the asking side (STUN request/indication, DNS query,
 * DTLS ClientHello, encrypted-DNS connection start)? */
bool verdict_event_is_request(const struct event *ev);
/* Is it the answering side (STUN success/error, DNS response)? */
bool verdict_event_is_response(const struct event *ev);

/* Fills ev->verdict, severity, reason and vpn_name. ev->dir must already be
 * the effective direction. For a STUN success response with a mapped address
 * arriving by a non-VPN interface while a VPN is up, the verdict is EXPOSURE
 * and ev->exposed is set. */
void verdict_judge(const struct verdict_config *cfg, struct iface_table *ifaces, struct event *ev);

#endif
