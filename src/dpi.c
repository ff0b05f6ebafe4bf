/* dpi.c — see dpi.h. nDPI 4.2 (Debian bookworm) API: 5-argument
 * ndpi_detection_process_packet, 4-argument ndpi_detection_giveup.
 *
 * The stop rule copies ndpiReader 4.2 (example/reader_util.c) so that our
 * labels can be checked against it flow by flow: feed every packet; once the
 * app is known stop unless nDPI still wants more (DNS answer, TLS
 * certificate); when the packet count passes the budget, stop and give up
 * with guessing.
 */
#include "dpi.h"

#include <ndpi_api.h>
#include <stdalign.h>
#include <stddef.h>
#include <string.h>

#if !defined(NDPI_MAJOR) || NDPI_MAJOR != 4 || NDPI_MINOR != 2
#error "dpi.c is written against the nDPI 4.2 API (process_packet with 5 arguments, giveup with 4)"
#endif

enum { IPPROTO_TCP_ = 6, IPPROTO_UDP_ = 17, IPPROTO_ESP_ = 50, IPPROTO_AH_ = 51 };
enum { NDPI_PACKET_LEN_MAX = 65535 }; /* process_packet takes an unsigned short length */
enum { NS_PER_MS = 1000000 };
enum { DPI_LABEL_MAX = 64 };
enum { TLS_VERSION_1_3 = 0x0304 };

/* Per-flow state while a flow is under classification: our packet count and
 * nDPI's flow struct right after it (its size is only known at run time). */
struct dpi_flow {
    struct flow *owner;
    struct dpi_flow *older, *newer; /* the flows under classification, by last packet */
    uint64_t last_ns;          /* capture time of the flow's last packet */
    uint32_t packets;
    ndpi_protocol labelled;    /* what label_flow last wrote, while nDPI still dissects */
    alignas(max_align_t) unsigned char ndpi[];
};

struct dpi {
    struct ndpi_detection_module_struct *mod;
    size_t ndpi_flow_size;
    struct dpi_flow *newest, *oldest;
    struct dpi_stats st;
};

/* nDPI protocols that are a VPN's own transport, and the name leakaudit uses
 * for them (audit.c's port heuristics use the same spellings). nDPI 4.2 has
 * no Tailscale or Mullvad protocol (both are WireGuard underneath and come out
 * as WireGuard or Unknown) and labels Cloudflare WARP only as "Cloudflare" by
 * IP, which is not evidence of a tunnel, so none of them is here. Tor is an
 * anonymity overlay, not an interface's underlay: not listed either.
 * accept_guess: an id nDPI only guessed at give-up is evidence too. Only for
 * IPsec: nDPI "guesses" it from the IP protocol number (ESP 50 / AH 51) or the
 * IKE ports, which are as specific as it gets; a port guess for OpenVPN (1194)
 * or WireGuard (51820) could be anything, and a false VPN transport would make
 * leaks look like tunnel traffic. */
static const struct vpn_transport {
    uint16_t ndpi_id;
    const char *name;
    bool accept_guess;
} vpn_transports[] = {
    { NDPI_PROTOCOL_WIREGUARD, "WireGuard", false },
    { NDPI_PROTOCOL_OPENVPN, "OpenVPN", false },
    { NDPI_PROTOCOL_IP_IPSEC, "IPsec", true },
    { NDPI_PROTOCOL_CISCOVPN, "CiscoVPN", false },
    { NDPI_PROTOCOL_TINC, "tinc", false },
    { NDPI_PROTOCOL_HOTSPOT_SHIELD, "HotspotShield", false },
    { NDPI_PROTOCOL_PPTP, "PPTP", false },
};

/* nDPI protocol names that mean DNS carried inside an encrypted transport. */
static const char *const encrypted_dns_names[] = {
    "DoH_DoT",  /* NDPI_PROTOCOL_DOH_DOT: DoH, DoT and DoQ */
    "DNScrypt", /* NDPI_PROTOCOL_DNSCRYPT */
};

struct dpi *dpi_new(GError **err)
{
    struct ndpi_detection_module_struct *mod = ndpi_init_detection_module(ndpi_no_prefs);
    if (!mod) {
        g_set_error(err, g_quark_from_static_string("leakaudit-dpi"), 1,
                    "nDPI %s: cannot initialise the detection module", ndpi_revision());
        return NULL;
    }
    NDPI_PROTOCOL_BITMASK all;
    NDPI_BITMASK_SET_ALL(all);
    ndpi_set_protocol_detection_bitmask2(mod, &all);
    ndpi_finalize_initialization(mod);
    struct dpi *d = g_new0(struct dpi, 1);
    d->mod = mod;
    d->ndpi_flow_size = ndpi_detection_get_sizeof_ndpi_flow_struct();
    return d;
}

size_t dpi_flow_state_bytes(void)
{
    return sizeof(struct dpi_flow) + ndpi_detection_get_sizeof_ndpi_flow_struct();
}

void dpi_free(struct dpi *d)
{
    if (!d)
        return;
    ndpi_exit_detection_module(d->mod);
    g_free(d);
}

static struct ndpi_flow_struct *ndpi_flow_of(struct dpi_flow *df)
{
    return (struct ndpi_flow_struct *)(void *)df->ndpi;
}

/* Packets a flow may hand nDPI: in all, and while nothing is known yet. */
struct dpi_limits {
    uint32_t budget, unknown;
};

static struct dpi_limits limits_for(uint8_t l4_proto)
{
    if (l4_proto == IPPROTO_TCP_)
        return (struct dpi_limits){ DPI_BUDGET_TCP, DPI_UNKNOWN_TCP };
    if (l4_proto == IPPROTO_UDP_)
        return (struct dpi_limits){ DPI_BUDGET_UDP, DPI_UNKNOWN_UDP };
    return (struct dpi_limits){ DPI_BUDGET_OTHER, DPI_UNKNOWN_OTHER };
}

/* nDPI 4.2 wants a TLS flow until it has read the server's certificate
 * (ndpi_extra_dissection_possible, with its own "TODO: add check for TLS
 * 1.3"), but TLS 1.3 sends the certificate encrypted: once the ServerHello
 * has said 1.3 nothing more can be learned, and the flow would only run the
 * TLS reassembly over application data until its budget is spent. */
static bool tls13_after_server_hello(const struct ndpi_flow_struct *nf, ndpi_protocol proto)
{
    bool tls = proto.master_protocol == NDPI_PROTOCOL_TLS || proto.app_protocol == NDPI_PROTOCOL_TLS;
    return tls && nf->protos.tls_quic.hello_processed && nf->protos.tls_quic.ja3_server[0] != '\0' &&
           nf->protos.tls_quic.ssl_version >= TLS_VERSION_1_3;
}

static bool listed(const struct dpi *d, const struct dpi_flow *df)
{
    return df->older || df->newer || d->oldest == df;
}

static void unlink_flow(struct dpi *d, struct dpi_flow *df)
{
    if (!listed(d, df))
        return;
    if (df->older)
        df->older->newer = df->newer;
    else
        d->oldest = df->newer;
    if (df->newer)
        df->newer->older = df->older;
    else
        d->newest = df->older;
    df->older = df->newer = NULL;
}

static void push_newest(struct dpi *d, struct dpi_flow *df)
{
    df->older = d->newest;
    df->newer = NULL;
    if (d->newest)
        d->newest->newer = df;
    else
        d->oldest = df;
    d->newest = df;
}

static bool proto_known(ndpi_protocol proto)
{
    return proto.app_protocol != NDPI_PROTOCOL_UNKNOWN || proto.master_protocol != NDPI_PROTOCOL_UNKNOWN;
}

/* "STUN.GoogleHangoutDuo", interned: labels form a small set, and an interned
 * string outlives the flow (events keep fl->app). NULL when unknown. */
static const char *label_of(struct dpi *d, ndpi_protocol proto)
{
    if (!proto_known(proto))
        return NULL;
    char buf[DPI_LABEL_MAX];
    ndpi_protocol2name(d->mod, proto, buf, sizeof buf);
    return g_intern_string(buf);
}

static const char *vpn_transport_of(ndpi_protocol proto, bool guessed, uint8_t l4_proto)
{
    for (size_t i = 0; i < G_N_ELEMENTS(vpn_transports); i++) {
        const struct vpn_transport *v = &vpn_transports[i];
        if (proto.app_protocol != v->ndpi_id && proto.master_protocol != v->ndpi_id)
            continue;
        bool by_ip_proto = l4_proto == IPPROTO_ESP_ || l4_proto == IPPROTO_AH_;
        if (guessed && !v->accept_guess && !by_ip_proto)
            return NULL;
        return v->name;
    }
    return NULL;
}

/* "Known Protocol on Non Standard Port,Missing SNI TLS Extension", interned
 * (a flow's risks are a small set of combinations), or NULL for none. */
static const char *risk_text(ndpi_risk risk)
{
    if (!risk)
        return NULL;
    struct flow tmp = { .dpi_risk = risk };
    GString *s = g_string_sized_new(96);
    const char *text = dpi_flow_risks(&tmp, s) ? g_intern_string(s->str) : NULL;
    g_string_free(s, TRUE);
    return text;
}

/* Labels a flow from what nDPI has now; while classification is still running
 * the label may be refined later ("TLS" → "TLS.Google" once the SNI is seen). */
static void label_flow(struct dpi *d, struct flow *fl, ndpi_protocol proto, bool guessed, ndpi_risk risk)
{
    fl->app = label_of(d, proto);
    fl->dpi_guessed = guessed && fl->app;
    fl->dpi_category = proto_known(proto) ? (uint16_t)ndpi_get_proto_category(d->mod, proto) : 0;
    fl->app_category = dpi_flow_category(d, fl);
    fl->vpn_proto = vpn_transport_of(proto, guessed, fl->key.proto);
    if (risk != fl->dpi_risk || (risk && !fl->app_risks)) {
        fl->dpi_risk = risk;
        fl->app_risks = risk_text(risk);
    }
}

/* How a finished flow counts in the stats: unknown, guessed or detected. */
static uint64_t *outcome_counter(struct dpi *d, const struct flow *fl)
{
    return !fl->app ? &d->st.flows_unknown : fl->dpi_guessed ? &d->st.flows_guessed : &d->st.flows_detected;
}

/* Ends classification, then frees the nDPI state. With give_up, nDPI has its
 * final word first: a known protocol stays as it is, an unknown one gets a
 * guess from port or IP (and the flow is marked as guessed). */
static void finish(struct dpi *d, struct flow *fl, ndpi_protocol proto, bool give_up)
{
    struct dpi_flow *df = fl->dpi;
    struct ndpi_flow_struct *nf = ndpi_flow_of(df);
    bool guessed = false;
    if (give_up) {
        uint8_t was_guessed = 0;
        proto = ndpi_detection_giveup(d->mod, nf, 1, &was_guessed);
        guessed = was_guessed != 0;
    }
    label_flow(d, fl, proto, guessed, nf->risk);
    (*outcome_counter(d, fl))++;
    ndpi_free_flow_data(nf); /* the members nDPI allocated; the block is ours */
    unlink_flow(d, df);
    g_free(df);
    fl->dpi = NULL;
    fl->dpi_done = true;
    d->st.active--;
}

/* See DPI_QUIET_KEEP. The list holds only unknown UDP flows, oldest first.
 * Written without last_ns + quiet, which can wrap. */
static void give_up_quiet(struct dpi *d, uint64_t now_ns)
{
    while (d->st.active > DPI_QUIET_KEEP && d->oldest && now_ns >= d->oldest->last_ns &&
           now_ns - d->oldest->last_ns >= DPI_QUIET_NS) {
        struct flow *fl = d->oldest->owner;
        d->st.flows_quiet++;
        finish(d, fl, (ndpi_protocol){ 0 }, true);
        fl->dpi_quiet_gave_up = true;
    }
}

bool dpi_packet(struct dpi *d, struct flow *fl, const struct packet *p)
{
    uint64_t now_ns = p->frame ? p->frame->ts_ns : 0;
    if (d->st.active > DPI_QUIET_KEEP)
        give_up_quiet(d, now_ns);
    if (fl->dpi_done && !fl->dpi_quiet_gave_up)
        return false;
    size_t len = cursor_left(&p->l3);
    const uint8_t *l3 = cursor_view(&p->l3, len);
    if (!l3 || len == 0)
        return false;
    if (len > NDPI_PACKET_LEN_MAX)
        len = NDPI_PACKET_LEN_MAX;
    struct dpi_flow *df = fl->dpi;
    if (!df) {
        df = g_malloc0(sizeof *df + d->ndpi_flow_size);
        df->owner = fl;
        fl->dpi = df;
        if (fl->dpi_quiet_gave_up) {
            /* Quiet, given up, and now back: classified afresh, as the flow
             * table would have made it a new flow had the quiet lasted longer. */
            fl->dpi_done = false;
            fl->dpi_quiet_gave_up = false;
            d->st.flows_resumed++;
            (*outcome_counter(d, fl))--; /* a flow counts once, by how it ends */
        } else {
            d->st.flows_started++;
        }
        if (++d->st.active > d->st.peak_active)
            d->st.peak_active = d->st.active;
    }
    if (now_ns > df->last_ns)
        df->last_ns = now_ns;
    df->packets++;
    d->st.packets++;
    uint64_t ms = now_ns / NS_PER_MS;
    struct ndpi_flow_struct *nf = ndpi_flow_of(df);
    ndpi_protocol proto = ndpi_detection_process_packet(d->mod, nf, l3, (unsigned short)len, ms);
    bool known = proto.app_protocol != NDPI_PROTOCOL_UNKNOWN;
    struct dpi_limits limits = limits_for(fl->key.proto);
    bool over_budget = df->packets > limits.budget;
    if (!known && !over_budget && df->packets > limits.unknown) {
        over_budget = true;
        d->st.flows_unknown_early++;
    }
    if (known && !over_budget) {
        bool tls13_done = tls13_after_server_hello(nf, proto);
        if (tls13_done || !ndpi_extra_dissection_possible(d->mod, nf)) {
            d->st.flows_tls13 += tls13_done;
            finish(d, fl, proto, false);
            return true;
        }
        /* Known already; nDPI still wants the answer/certificate. */
        unlink_flow(d, df); /* never given up as quiet: later packets refine the label */
        if (fl->app && memcmp(&proto, &df->labelled, sizeof proto) == 0 && nf->risk == fl->dpi_risk)
            return false;
        df->labelled = proto;
        label_flow(d, fl, proto, false, nf->risk);
        return true;
    }
    if (over_budget) { /* like ndpiReader: give up only when nothing is known yet */
        d->st.flows_budget++;
        finish(d, fl, proto, proto.app_protocol == NDPI_PROTOCOL_UNKNOWN);
        return true;
    }
    if (fl->key.proto == IPPROTO_UDP_ && d->newest != df) { /* unknown so far: may give up as quiet */
        unlink_flow(d, df);
        push_newest(d, df);
    }
    return false;
}

void dpi_flow_end(struct dpi *d, struct flow *fl)
{
    if (!fl->dpi || fl->dpi_done)
        return;
    /* Unknown so far, or known and still dissecting: nDPI's give-up keeps a
     * known protocol and guesses for an unknown one. */
    finish(d, fl, (ndpi_protocol){ 0 }, true);
}

bool dpi_flow_provisional(struct dpi *d, const struct flow *fl, const char **label, const char **category)
{
    if (fl->dpi_done || !fl->dpi || fl->app)
        return false;
    const struct ndpi_flow_struct *nf = ndpi_flow_of(fl->dpi);
    ndpi_protocol proto = { .master_protocol = nf->guessed_protocol_id,
                            .app_protocol = nf->guessed_host_protocol_id };
    if (proto.app_protocol == NDPI_PROTOCOL_UNKNOWN || proto.app_protocol == proto.master_protocol) {
        proto.app_protocol = proto.master_protocol;
        proto.master_protocol = NDPI_PROTOCOL_UNKNOWN;
    }
    *label = label_of(d, proto);
    if (!*label)
        return false;
    const char *cat = ndpi_category_get_name(d->mod, ndpi_get_proto_category(d->mod, proto));
    *category = cat && *cat && strcmp(cat, "Unspecified") ? cat : NULL;
    return true;
}

const char *dpi_flow_category(struct dpi *d, const struct flow *fl)
{
    if (!fl->dpi_category)
        return NULL;
    const char *name = ndpi_category_get_name(d->mod, (ndpi_protocol_category_t)fl->dpi_category);
    return name && *name ? name : NULL;
}

bool dpi_flow_risks(const struct flow *fl, GString *out)
{
    bool any = false;
    for (int r = NDPI_NO_RISK + 1; r < NDPI_MAX_RISK; r++) {
        if (!NDPI_ISSET_BIT(fl->dpi_risk, r))
            continue;
        if (any)
            g_string_append_c(out, ',');
        g_string_append(out, ndpi_risk2str((ndpi_risk_enum)r));
        any = true;
    }
    return any;
}

struct dpi_stats dpi_stats(const struct dpi *d)
{
    return d->st;
}

bool dpi_label_is_encrypted_dns(const char *label)
{
    if (!label)
        return false;
    /* The label is "Name" or "Master.App": test each dotted part. */
    for (const char *part = label; part; ) {
        const char *dot = strchr(part, '.');
        size_t n = dot ? (size_t)(dot - part) : strlen(part);
        for (size_t i = 0; i < G_N_ELEMENTS(encrypted_dns_names); i++)
            if (strlen(encrypted_dns_names[i]) == n && memcmp(part, encrypted_dns_names[i], n) == 0)
                return true;
        part = dot ? dot + 1 : NULL;
    }
    return false;
}
