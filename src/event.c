/* event.c — names for the event model's enums (see event.h). */
#include "event.h"

#include <glib.h>

const char *event_kind_name(enum event_kind k)
{
    static const char *const names[] = {
        [EVENT_STUN] = "stun", [EVENT_DTLS] = "dtls", [EVENT_DNS] = "dns",
        [EVENT_ENCRYPTED_DNS] = "encrypted-dns",
    };
    return (unsigned)k < G_N_ELEMENTS(names) && names[k] ? names[k] : "unknown";
}

const char *verdict_name(enum verdict v)
{
    static const char *const names[] = {
        [VERDICT_NONE] = "none", [VERDICT_LEAK] = "leak", [VERDICT_EXPOSURE] = "exposure",
        [VERDICT_INSIDE_VPN] = "inside-vpn", [VERDICT_LOCAL] = "local", [VERDICT_NO_VPN] = "no-vpn",
        [VERDICT_ALLOWED] = "allowed", [VERDICT_INBOUND] = "inbound", [VERDICT_RESPONSE] = "response",
    };
    return (unsigned)v < G_N_ELEMENTS(names) && names[v] ? names[v] : "unknown";
}

const char *severity_name(enum severity s)
{
    static const char *const names[] = { "none", "low", "medium", "high" };
    return (unsigned)s < G_N_ELEMENTS(names) ? names[s] : "unknown";
}

const char *direction_name(enum direction d)
{
    static const char *const names[] = { "unknown", "in", "out", "other-host" };
    return (unsigned)d < G_N_ELEMENTS(names) ? names[d] : "unknown";
}
