/* audit.c — see audit.h. */
#include "audit.h"

#include <string.h>

#include "dns.h"
#include "dpi.h"
#include "dtls.h"
#include "flow.h"
#include "hash_index.h"
#include "pcapng_writer.h"
#include "reasm.h"
#include "stun.h"

enum {
    IPPROTO_TCP_ = 6, IPPROTO_UDP_ = 17, IPPROTO_ESP_ = 50,
    PORT_DNS = 53, PORT_NETBIOS_NS = 137, /* NBNS: DNS's wire format, its own protocol */ PORT_MDNS = 5353, PORT_LLMNR = 5355, PORT_DOT = 853,
    PORT_STUN = 3478, PORT_STUNS = 5349, PORT_STUN_ALT = 3479, PORT_GOOGLE_STUN = 19302,
    PORT_HTTPS = 443, PORT_WIREGUARD = 51820, PORT_OPENVPN = 1194, PORT_IKE = 500, PORT_IKE_NAT = 4500,
};

enum { PENDING_NONE = UINT32_MAX };

/* A leaked STUN request waiting for its response (to learn the exposed
 * address): a slot of audit.pending, found by transaction id through
 * pending_index, and in the wait order by slot numbers (no list node, no
 * allocation per request). */
struct pending_stun {
    uint32_t prev, next;      /* wait order (oldest first); a free slot's next is the next free one */
    uint32_t hash;            /* of txid, in pending_index */
    uint8_t txid[16];
    struct event ev;
    struct stun_message msg;
    /* The request's flow, to take its classification at release time (nDPI
     * often labels a STUN flow only after the request). Flows keep their
     * address while the table lives; the key and start time tell whether the
     * slot still holds the same flow. */
    struct flow *flow;
    struct flow_key flow_key;
    uint64_t flow_first_ns;
};

struct audit {
    struct audit_config cfg;
    struct iface_table *ifaces;
    struct flow_table *flows;
    GPtrArray *sinks;
    GPtrArray *enrichers;     /* const struct enricher *, not owned */
    struct dpi *dpi;          /* nDPI classification; NULL with --no-dpi */
    bool dpi_borrowed;        /* dpi is cfg.shared_dpi: not ours to free */
    audit_flow_fn flow_observer;
    void *flow_observer_user;
    struct flow *event_flow;  /* the flow of the event being delivered, or NULL */
    bool finishing;           /* end of input: pending alerts take final labels */
    struct audit_counters c;
    struct dedup *dedup;
    uint32_t tcp_streams_active;
    struct pending_stun *pending;       /* slots, waiting or free; grown to the most waiting at once */
    uint32_t pending_cap, pending_free; /* slot count; first free slot */
    struct hash_index pending_index;    /* txid → slot */
    struct {
        uint32_t head, tail;  /* oldest and newest waiting slot */
        uint32_t length;      /* waiting requests */
    } pending_order;
    /* evidence pcapng: frames that made alerts (or all, with write_all) */
    struct pcapng_writer *evidence;
    bool evidence_all;
    bool frame_is_evidence;     /* set while a frame is processed */
    GString *frame_comment;     /* the frame's verdicts, for the EPB comment */
    GError *evidence_error;     /* first write failure, reported at the end */
    /* per-packet scratch: dissector outputs live here, not on the heap */
    struct stun_message stun;
    struct dns_message dns;
    struct dtls_message dtls;
    audit_packet_fn packet_observer;  /* live process attribution, or NULL */
    audit_note_fn packet_note;
    void *packet_observer_user;
};

void audit_config_defaults(struct audit_config *cfg)
{
    memset(cfg, 0, sizeof *cfg);
    cfg->max_flows = 262144;
    cfg->max_tcp_streams = 4096;
    cfg->flow_idle_ns = 120ull * 1000000000ull;
    cfg->stun_wait_ns = 2ull * 1000000000ull;
    cfg->max_pending_stun = 4096;
    dedup_config_defaults(&cfg->dedup);
}

static uint32_t txid_hash(const uint8_t txid[16])
{
    uint32_t h;
    memcpy(&h, txid + 4, sizeof h); /* transaction ids are random: any 4 bytes hash well */
    return h;
}

static void on_flow_evict(struct flow *f, void *user)
{
    struct audit *a = user;
    if (a->dpi)
        dpi_flow_end(a->dpi, f);
    if (a->flow_observer)
        a->flow_observer(f, a->flow_observer_user);
    for (int d = 0; d < 2; d++)
        if (f->stream[d] && a->tcp_streams_active)
            a->tcp_streams_active--;
}

struct audit *audit_new(const struct audit_config *cfg, GError **err)
{
    struct audit *a = g_new0(struct audit, 1);
    a->cfg = *cfg;
    a->ifaces = iface_table_new(&cfg->ifaces, err);
    if (!a->ifaces) {
        g_free(a);
        return NULL;
    }
    if (!cfg->no_dpi && cfg->shared_dpi) {
        a->dpi = cfg->shared_dpi;
        a->dpi_borrowed = true;
    } else if (!cfg->no_dpi) {
        a->dpi = dpi_new(err);
        if (!a->dpi) {
            iface_table_free(a->ifaces);
            g_free(a);
            return NULL;
        }
    }
    a->flows = flow_table_new(cfg->max_flows, cfg->flow_idle_ns);
    flow_table_set_evict(a->flows, on_flow_evict, a);
    a->sinks = g_ptr_array_new();
    a->enrichers = g_ptr_array_new();
    hash_index_init(&a->pending_index, 64);
    a->pending_free = a->pending_order.head = a->pending_order.tail = PENDING_NONE;
    a->dedup = dedup_new(&cfg->dedup);
    a->c.dedup = a->dedup;
    return a;
}

void audit_add_sink(struct audit *a, struct sink *s)
{
    g_ptr_array_add(a->sinks, s);
}

void audit_add_enricher(struct audit *a, const struct enricher *e)
{
    g_ptr_array_add(a->enrichers, (gpointer)e);
}

void audit_set_flow_observer(struct audit *a, audit_flow_fn fn, void *user)
{
    a->flow_observer = fn;
    a->flow_observer_user = user;
}

bool audit_dpi_stats(const struct audit *a, struct dpi_stats *out)
{
    if (!a->dpi)
        return false;
    *out = dpi_stats(a->dpi);
    return true;
}

/* The flow's classification, as far as it is known now, into the event. A
 * flow still under classification gets nDPI's port/address guess, marked
 * guessed (a STUN request is often sent before the packets that decide). */
static void event_take_labels(struct audit *a, struct event *ev, const struct flow *fl)
{
    ev->app = fl->app;
    ev->app_category = fl->app_category;
    ev->app_risks = fl->app_risks;
    ev->app_guessed = fl->dpi_guessed;
    if (!fl->app && a->dpi && dpi_flow_provisional(a->dpi, fl, &ev->app, &ev->app_category))
        ev->app_guessed = true;
}

void audit_set_packet_observer(struct audit *a, audit_packet_fn fn, audit_note_fn note, void *user)
{
    a->packet_observer = fn;
    a->packet_note = note;
    a->packet_observer_user = user;
}

void audit_declare_iface(struct audit *a, int source_iface, const char *name, int linktype)
{
    iface_table_declare(a->ifaces, source_iface, name, linktype);
}

/* ---- delivery: counters, STUN correlation, sinks ---- */

static void emit(struct audit *a, struct event *ev)
{
    for (guint i = 0; i < a->enrichers->len; i++) {
        const struct enricher *e = g_ptr_array_index(a->enrichers, i);
        e->ops->enrich(e->self, ev);
    }
    if (event_is_alert(ev) && dedup_admit(a->dedup, ev)) {
        a->c.alerts++;
        a->c.alerts_by_kind[ev->kind]++;
        if (ev->has_exposed)
            a->c.exposures++;
    }
    for (guint i = 0; i < a->sinks->len; i++) {
        struct sink *s = g_ptr_array_index(a->sinks, i);
        s->ops->emit(s->self, ev);
    }
}

struct txid_match {
    const struct audit *a;
    const uint8_t *txid;
};

static bool txid_matches(const void *ctx, uint32_t slot)
{
    const struct txid_match *m = ctx;
    return memcmp(m->a->pending[slot].txid, m->txid, 16) == 0;
}

/* The waiting request with this (zero-padded) transaction id, or PENDING_NONE. */
static uint32_t pending_find(const struct audit *a, const uint8_t txid[16])
{
    struct txid_match m = { a, txid };
    return hash_index_find(&a->pending_index, txid_hash(txid), txid_matches, &m);
}

static void pending_release(struct audit *a, uint32_t slot)
{
    struct pending_stun *pd = &a->pending[slot];
    hash_index_remove(&a->pending_index, pd->hash, slot);
    if (pd->prev != PENDING_NONE)
        a->pending[pd->prev].next = pd->next;
    else
        a->pending_order.head = pd->next;
    if (pd->next != PENDING_NONE)
        a->pending[pd->next].prev = pd->prev;
    else
        a->pending_order.tail = pd->prev;
    a->pending_order.length--;
    pd->ev.stun = &pd->msg;
    struct flow *fl = pd->flow;
    if (fl && fl->first_ns == pd->flow_first_ns && memcmp(&fl->key, &pd->flow_key, sizeof fl->key) == 0) {
        if (a->finishing && a->dpi)
            dpi_flow_end(a->dpi, fl); /* no more packets: nDPI's last word now */
        event_take_labels(a, &pd->ev, fl);
    }
    emit(a, &pd->ev); /* adds no request: the slots stay where they are */
    pd->next = a->pending_free;
    a->pending_free = slot;
}

static void pending_expire(struct audit *a, uint64_t now_ns)
{
    uint32_t head;
    while ((head = a->pending_order.head) != PENDING_NONE &&
           (now_ns == UINT64_MAX || a->pending[head].ev.ts_ns + a->cfg.stun_wait_ns < now_ns))
        pending_release(a, head);
}

/* A free slot, the slots grown (doubled) when none is. */
static uint32_t pending_slot(struct audit *a)
{
    if (a->pending_free == PENDING_NONE) {
        uint32_t cap = a->pending_cap ? a->pending_cap * 2 : 64;
        uint32_t most = a->cfg.max_pending_stun ? a->cfg.max_pending_stun : 1; /* never more wait (memcap.c) */
        if (cap > most && most > a->pending_cap)
            cap = most;
        a->pending = g_renew(struct pending_stun, a->pending, cap);
        for (uint32_t i = cap; i-- > a->pending_cap;) {
            a->pending[i].next = a->pending_free;
            a->pending_free = i;
        }
        a->pending_cap = cap;
    }
    uint32_t slot = a->pending_free;
    a->pending_free = a->pending[slot].next;
    return slot;
}

static void pending_add(struct audit *a, const struct event *ev)
{
    uint8_t key[16] = { 0 };
    memcpy(key, ev->stun->transaction_id, ev->stun->transaction_id_len);
    uint32_t old = pending_find(a, key);
    if (old != PENDING_NONE) { /* a retransmission of a request already waiting */
        a->pending[old].ev.repeats++;
        return;
    }
    if (a->pending_order.length >= a->cfg.max_pending_stun && a->pending_order.head != PENDING_NONE) {
        a->c.pending_released_early++;
        pending_release(a, a->pending_order.head);
    }
    uint32_t slot = pending_slot(a);
    struct pending_stun *pd = &a->pending[slot];
    memcpy(pd->txid, key, sizeof key);
    pd->hash = txid_hash(key);
    pd->ev = *ev;
    pd->msg = *ev->stun;
    pd->ev.stun = &pd->msg;
    pd->flow = a->event_flow;
    if (pd->flow) {
        pd->flow_key = pd->flow->key;
        pd->flow_first_ns = pd->flow->first_ns;
    }
    hash_index_add(&a->pending_index, pd->hash, slot);
    pd->next = PENDING_NONE;
    pd->prev = a->pending_order.tail;
    if (pd->prev != PENDING_NONE)
        a->pending[pd->prev].next = slot;
    else
        a->pending_order.head = slot;
    a->pending_order.tail = slot;
    a->pending_order.length++;
}

/* A response folds its exposed address into the waiting request's alert. */
static bool pending_answer(struct audit *a, struct event *resp)
{
    uint8_t key[16] = { 0 };
    memcpy(key, resp->stun->transaction_id, resp->stun->transaction_id_len);
    uint32_t slot = pending_find(a, key);
    if (slot == PENDING_NONE)
        return false;
    struct pending_stun *pd = &a->pending[slot];
    if (resp->has_exposed) {
        pd->ev.has_exposed = true;
        pd->ev.exposed = resp->exposed;
        pd->ev.exposed_port = resp->exposed_port;
    }
    pending_release(a, slot);
    return true;
}

/* Direction: the capture's word if it has one, else learned host addresses:
 * whoever asks (query, request) is taken to be this host. */
static void settle_direction(struct audit *a, struct event *ev, enum direction captured)
{
    bool request = verdict_event_is_request(ev);
    if (captured == DIR_IN || captured == DIR_OUT) {
        ev->dir = captured;
        if (request && captured == DIR_OUT)
            iface_table_learn_host(a->ifaces, &ev->src);
        return;
    }
    ev->dir_inferred = true;
    bool src_host = iface_table_is_host(a->ifaces, &ev->src);
    bool dst_host = iface_table_is_host(a->ifaces, &ev->dst);
    if (request) {
        if (dst_host && !src_host) {
            ev->dir = DIR_IN;
        } else {
            ev->dir = DIR_OUT;
            iface_table_learn_host(a->ifaces, &ev->src);
        }
    } else {
        ev->dir = (src_host && !dst_host) ? DIR_OUT : DIR_IN;
    }
}

static void note_evidence(struct audit *a, const struct event *ev)
{
    if (!a->evidence)
        return;
    a->frame_is_evidence = true;
    if (a->frame_comment->len)
        g_string_append(a->frame_comment, "; ");
    g_string_append_printf(a->frame_comment, "leakaudit: %s %s", event_kind_name(ev->kind), verdict_name(ev->verdict));
    if (ev->reason)
        g_string_append_printf(a->frame_comment, " (%s)", ev->reason);
    if (a->packet_note)
        a->packet_note(a->packet_observer_user, ev, a->frame_comment);
}

static void deliver(struct audit *a, struct event *ev, enum direction captured)
{
    settle_direction(a, ev, captured);
    verdict_judge(&a->cfg.verdict, a->ifaces, ev);
    a->c.events[ev->kind]++;
    a->c.verdicts[ev->verdict]++;
    if (event_is_alert(ev) || (a->evidence_all && ev->verdict != VERDICT_NONE))
        note_evidence(a, ev);
    if (ev->kind == EVENT_STUN && ev->verdict == VERDICT_LEAK && ev->stun->cls == STUN_CLASS_REQUEST) {
        pending_add(a, ev);
        return;
    }
    bool answered = ev->kind == EVENT_STUN && verdict_event_is_response(ev) && pending_answer(a, ev);
    if (answered && !event_is_alert(ev))
        note_evidence(a, ev); /* the reply that says what a leaked request exposed */
    if (answered && ev->verdict == VERDICT_EXPOSURE) {
        /* Already told, with its request. */
        ev->verdict = VERDICT_RESPONSE;
        ev->severity = SEVERITY_NONE;
        ev->reason = "a reply (exposure reported with its request)";
    }
    emit(a, ev);
}

static void event_init(struct audit *a, struct event *ev, enum event_kind kind, const struct frame *f,
                       const struct packet *p, const struct iface *ifc, struct flow *fl)
{
    memset(ev, 0, sizeof *ev);
    ev->kind = kind;
    ev->ts_ns = f->ts_ns;
    ev->frame_number = f->number;
    ev->iface = ifc;
    ev->src = p->src;
    ev->dst = p->dst;
    ev->sport = p->sport;
    ev->dport = p->dport;
    ev->transport = p->l4_proto;
    ev->tunnel = p->encap;
    a->event_flow = fl;
    if (fl)
        event_take_labels(a, ev, fl);
}

/* ---- dissection ---- */

static bool is_stun_port(uint16_t port)
{
    return port == PORT_STUN || port == PORT_STUN_ALT || port == PORT_STUNS || port == PORT_GOOGLE_STUN;
}

static bool is_dns_port(uint16_t port)
{
    return port == PORT_DNS || port == PORT_MDNS || port == PORT_LLMNR;
}

static struct dissect_hint hint_for(const struct packet *p, bool framed)
{
    struct dissect_hint h = { p->l4_proto == IPPROTO_TCP_ ? TRANSPORT_TCP : TRANSPORT_UDP, p->sport, p->dport,
                              framed };
    return h;
}

static bool dissect_stun(struct audit *a, struct cursor *c, const struct dissect_hint *h, const struct frame *f,
                         const struct packet *p, const struct iface *ifc, struct flow *fl)
{
    bool classic_ok = is_stun_port(p->sport) || is_stun_port(p->dport);
    enum dissect_result r = stun_dissect(c, h, classic_ok, &a->stun);
    if (r == DISSECT_MALFORMED)
        a->c.malformed[EVENT_STUN]++;
    if (r != DISSECT_OK)
        return false;
    struct event ev;
    event_init(a, &ev, EVENT_STUN, f, p, ifc, fl);
    ev.stun = &a->stun;
    deliver(a, &ev, p->dir);
    return true;
}

static bool dissect_dns(struct audit *a, struct cursor *c, const struct dissect_hint *h, const struct frame *f,
                        const struct packet *p, const struct iface *ifc, struct flow *fl)
{
    enum dissect_result r = dns_dissect(c, h, &a->dns);
    if (r == DISSECT_MALFORMED)
        a->c.malformed[EVENT_DNS]++;
    if (r != DISSECT_OK)
        return false;
    struct event ev;
    event_init(a, &ev, EVENT_DNS, f, p, ifc, fl);
    ev.dns = &a->dns;
    deliver(a, &ev, p->dir);
    return true;
}

/* DNS on a port that is not DNS's (a resolver on 443, 5333, 8053 …): only a
 * query of the exact shape resolvers send counts, so random UDP is not taken
 * for DNS; a failed attempt is not counted as malformed DNS. */
static void dissect_dns_by_shape(struct audit *a, const struct cursor *payload, const struct dissect_hint *h,
                                 const struct frame *f, const struct packet *p, const struct iface *ifc,
                                 struct flow *fl)
{
    struct cursor c = *payload;
    if (dns_dissect(&c, h, &a->dns) != DISSECT_OK || !dns_is_plain_query(&a->dns, p->first_fragment))
        return;
    struct event ev;
    event_init(a, &ev, EVENT_DNS, f, p, ifc, fl);
    ev.dns = &a->dns;
    deliver(a, &ev, p->dir);
}

static bool dissect_dtls(struct audit *a, struct cursor *c, const struct dissect_hint *h, const struct frame *f,
                         const struct packet *p, const struct iface *ifc, struct flow *fl)
{
    enum dissect_result r = dtls_dissect(c, h, &a->dtls);
    if (r == DISSECT_MALFORMED)
        a->c.malformed[EVENT_DTLS]++;
    if (r != DISSECT_OK)
        return false;
    /* Only handshakes are events; application data would flood the log. */
    if (!a->dtls.hello.present)
        return true;
    struct event ev;
    event_init(a, &ev, EVENT_DTLS, f, p, ifc, fl);
    ev.dtls = &a->dtls;
    deliver(a, &ev, p->dir);
    return true;
}

static void report_encrypted_dns(struct audit *a, const struct frame *f, const struct packet *p,
                                 const struct iface *ifc, struct flow *fl, const char *proto)
{
    if (!fl || fl->encrypted_dns_reported || p->dport != PORT_DOT)
        return;
    fl->encrypted_dns_reported = true;
    struct event ev;
    event_init(a, &ev, EVENT_ENCRYPTED_DNS, f, p, ifc, fl);
    ev.encrypted_dns_proto = proto;
    deliver(a, &ev, p->dir);
}

static enum direction opposite(enum direction d)
{
    return d == DIR_IN ? DIR_OUT : d == DIR_OUT ? DIR_IN : d;
}

/* Which encrypted DNS a classified flow carries: "DoT", "DoQ", "DoH",
 * "DNSCrypt"; NULL when the label says something else. */
static const char *encrypted_dns_of(const struct flow *fl)
{
    if (!dpi_label_is_encrypted_dns(fl->app))
        return NULL;
    if (strstr(fl->app, "DNScrypt"))
        return "DNSCrypt";
    bool dot_port = fl->key.port_lo == PORT_DOT || fl->key.port_hi == PORT_DOT;
    bool https_port = fl->key.port_lo == PORT_HTTPS || fl->key.port_hi == PORT_HTTPS;
    if (fl->key.proto == IPPROTO_UDP_)
        return https_port ? "DoH" : "DoQ"; /* HTTP/3 on 443; DoQ on 853, 784, 8853 */
    return dot_port ? "DoT" : "DoH";
}

/* nDPI named the flow DoH/DoT/DoQ/DNSCrypt (on any port): one event per
 * connection, told from the client's side whichever packet brought the label. */
static void report_classified_encrypted_dns(struct audit *a, const struct frame *f, const struct packet *p,
                                            const struct iface *ifc, struct flow *fl, int dirn)
{
    if (fl->encrypted_dns_reported || !fl->app)
        return;
    const char *proto = encrypted_dns_of(fl);
    if (!proto)
        return;
    fl->encrypted_dns_reported = true;
    struct event ev;
    event_init(a, &ev, EVENT_ENCRYPTED_DNS, f, p, ifc, fl);
    ev.encrypted_dns_proto = proto;
    enum direction captured = p->dir;
    if (dirn != flow_client_dir(fl)) { /* a server's packet: turn it round */
        ev.src = p->dst;
        ev.dst = p->src;
        ev.sport = p->dport;
        ev.dport = p->sport;
        captured = opposite(p->dir);
    }
    deliver(a, &ev, captured);
}

/* ---- VPN transports: evidence that an interface is a VPN's underlay ---- */

enum { WG_INITIATION = 1, WG_RESPONSE = 2, WG_COOKIE = 3, WG_TRANSPORT = 4 };

/* WireGuard: type byte 1..4, three reserved zero bytes, fixed sizes for the
 * handshake messages, 16-byte-aligned padding for transport data. */
static int wireguard_type(const struct cursor *payload)
{
    size_t len = cursor_left(payload);
    int type = cursor_peek_u8(payload, 0);
    if (type < WG_INITIATION || type > WG_TRANSPORT || cursor_peek_u8(payload, 1) != 0 ||
        cursor_peek_u8(payload, 2) != 0 || cursor_peek_u8(payload, 3) != 0)
        return 0;
    static const size_t fixed_len[] = { 0, 148, 92, 64 };
    if (type != WG_TRANSPORT)
        return len == fixed_len[type] ? type : 0;
    return (len >= 32 && (len - 16) % 16 == 0) ? type : 0;
}

static void note_vpn_transport(struct audit *a, struct iface *ifc, const struct packet *p, const char *proto,
                               bool endpoint_is_dst)
{
    if (ifc->role == IFACE_ROLE_VPN)
        return;
    a->c.vpn_transport_packets++;
    /* Keep a little of the tunnel's own traffic in the evidence, so reading
     * the evidence back still sees the VPN by evidence. */
    if (a->evidence && p->frame->ts_ns >= ifc->vpn_transport_last_ns + 1000000000ull) {
        a->frame_is_evidence = true;
        g_string_append_printf(a->frame_comment, "leakaudit: %s transport (VPN evidence)", proto);
    }
    if (endpoint_is_dst)
        iface_note_vpn_transport(a->ifaces, ifc, proto, &p->dst, p->dport, p->frame->ts_ns);
    else
        iface_note_vpn_transport(a->ifaces, ifc, proto, &p->src, p->sport, p->frame->ts_ns);
}

static bool check_vpn_transport_udp(struct audit *a, struct iface *ifc, const struct packet *p)
{
    int wg = wireguard_type(&p->payload);
    if (wg) {
        bool to_dst;
        if (wg == WG_INITIATION)
            to_dst = true;
        else if (wg == WG_RESPONSE)
            to_dst = false;
        else if (p->dport == PORT_WIREGUARD || p->sport == PORT_WIREGUARD)
            to_dst = p->dport == PORT_WIREGUARD;
        else if (ifc->vpn_transport_packets)
            to_dst = addr_equal(&ifc->vpn_endpoint, &p->dst);
        else
            to_dst = p->dir != DIR_IN;
        note_vpn_transport(a, ifc, p, "WireGuard", to_dst);
        return true;
    }
    if (p->dport == PORT_OPENVPN || p->sport == PORT_OPENVPN) {
        note_vpn_transport(a, ifc, p, "OpenVPN", p->dport == PORT_OPENVPN);
        return true;
    }
    if (p->dport == PORT_IKE || p->sport == PORT_IKE || p->dport == PORT_IKE_NAT || p->sport == PORT_IKE_NAT) {
        bool to_dst = p->dport == PORT_IKE || p->dport == PORT_IKE_NAT;
        note_vpn_transport(a, ifc, p, "IPsec", to_dst);
        return true;
    }
    return false;
}

/* nDPI recognised the flow as a VPN's own transport (OpenVPN on any port or
 * over TCP, CiscoVPN, tinc, PPTP …): the same evidence as the heuristics above,
 * once the flow has gone both ways (two packets each). A tunnel answers;
 * nDPI's OpenVPN and CiscoVPN heuristics also fire on one-way bursts of
 * other UDP (telegram.pcap, dtls_mid_sessions.pcapng in nDPI's tests), and
 * a false VPN would make every DNS query beside it a leak.
 * The endpoint is the server side of the flow. */
enum { VPN_EVIDENCE_MIN_EACH_WAY = 2 };

static void note_classified_vpn_transport(struct audit *a, struct iface *ifc, const struct packet *p,
                                          const struct flow *fl, int dirn)
{
    if (fl && fl->vpn_proto && fl->dir_packets[0] >= VPN_EVIDENCE_MIN_EACH_WAY &&
        fl->dir_packets[1] >= VPN_EVIDENCE_MIN_EACH_WAY)
        note_vpn_transport(a, ifc, p, fl->vpn_proto, dirn == flow_client_dir(fl));
}

/* ---- UDP ---- */

static void audit_udp(struct audit *a, const struct frame *f, const struct packet *p, struct iface *ifc,
                      struct flow *fl, int dirn)
{
    struct cursor payload = p->payload;
    struct dissect_hint h = hint_for(p, false);
    if (cursor_left(&payload) == 0)
        return;
    if (is_dns_port(p->sport) || is_dns_port(p->dport)) {
        struct cursor c = payload;
        if (dissect_dns(a, &c, &h, f, p, ifc, fl))
            return;
    }
    if (p->dport == PORT_DOT || p->sport == PORT_DOT) { /* DNS over QUIC */
        if (!fl)
            fl = flow_lookup(a->flows, p, f->ts_ns, true, &dirn);
        report_encrypted_dns(a, f, p, ifc, fl, "DoQ");
        return;
    }
    switch (stun_demux_first_byte((uint8_t)cursor_peek_u8(&payload, 0))) {
    case DEMUX_STUN:
    case DEMUX_TURN_CHANNEL: {
        struct cursor c = payload;
        if (dissect_stun(a, &c, &h, f, p, ifc, fl))
            return;
        break;
    }
    case DEMUX_DTLS:
        if (dtls_looks_like(&payload)) {
            struct cursor c = payload;
            if (dissect_dtls(a, &c, &h, f, p, ifc, fl))
                return;
        }
        break;
    default:
        break;
    }
    if (check_vpn_transport_udp(a, ifc, p))
        return;
    note_classified_vpn_transport(a, ifc, p, fl, dirn);
    if (p->sport != PORT_NETBIOS_NS && p->dport != PORT_NETBIOS_NS && dns_header_may_be_query(&payload))
        dissect_dns_by_shape(a, &payload, &h, f, p, ifc, fl);
}

/* ---- TCP: DNS (length-prefixed), STUN/TURN (self-delimiting or RFC 4571) ---- */

static enum flow_stream_mode stream_mode_for(const struct packet *p, const struct cursor *head)
{
    if (is_dns_port(p->sport) || is_dns_port(p->dport))
        return STREAM_DNS;
    size_t n = stun_frame_length(head);
    if (n && cursor_peek_u32be(head, 4) == STUN_MAGIC_COOKIE)
        return STREAM_STUN;
    if (cursor_left(head) >= 10 && cursor_peek_u32be(head, 6) == STUN_MAGIC_COOKIE) {
        struct cursor inner = cursor_rest(head);
        cursor_skip(&inner, 2);
        if (stun_frame_length(&inner))
            return STREAM_STUN_RFC4571;
    }
    return STREAM_UNDECIDED;
}

static size_t stream_message_length(enum flow_stream_mode mode, const struct cursor *data, size_t *prefix)
{
    *prefix = 0;
    switch (mode) {
    case STREAM_DNS:
    case STREAM_STUN_RFC4571: {
        int32_t len = cursor_peek_u16be(data, 0);
        if (len < 0)
            return SIZE_MAX; /* need more */
        *prefix = 2;
        return (size_t)len + 2;
    }
    case STREAM_STUN: {
        if (cursor_left(data) < 4)
            return SIZE_MAX;
        return stun_frame_length(data);
    }
    default:
        return 0;
    }
}

static void drain_stream(struct audit *a, struct tcp_stream *s, enum flow_stream_mode mode, const struct frame *f,
                         const struct packet *p, const struct iface *ifc, struct flow *fl)
{
    for (int guard = 0; guard < 64; guard++) {
        struct cursor data = tcp_stream_data(s);
        if (cursor_left(&data) == 0)
            return;
        size_t prefix;
        size_t need = stream_message_length(mode, &data, &prefix);
        if (need == SIZE_MAX)
            return; /* wait for more bytes */
        if (need == 0 || need <= prefix) { /* not what this stream carries any more */
            tcp_stream_reset(s);
            return;
        }
        if (need > TCP_STREAM_CAP) {
            a->c.tcp_stream_drops++;
            tcp_stream_reset(s);
            return;
        }
        if (cursor_left(&data) < need)
            return;
        struct cursor msg = cursor_take(&data, need);
        cursor_skip(&msg, prefix);
        struct cursor body = cursor_rest(&msg);
        struct dissect_hint h = hint_for(p, true);
        if (mode == STREAM_DNS)
            dissect_dns(a, &body, &h, f, p, ifc, fl);
        else
            dissect_stun(a, &body, &h, f, p, ifc, fl);
        tcp_stream_consume(s, (uint16_t)need);
    }
}

static void audit_tcp(struct audit *a, const struct frame *f, const struct packet *p, struct iface *ifc,
                      struct flow *fl, int dirn)
{
    bool dns_port = p->sport == PORT_DNS || p->dport == PORT_DNS;
    bool dot_port = p->sport == PORT_DOT || p->dport == PORT_DOT;
    bool has_payload = cursor_left(&p->payload) > 0;
    bool stun_head = has_payload && stream_mode_for(p, &p->payload) != STREAM_UNDECIDED;
    bool wanted = dns_port || dot_port || stun_head;
    if (!fl)
        fl = flow_lookup(a->flows, p, f->ts_ns, wanted, &dirn);
    if (!fl)
        return;
    note_classified_vpn_transport(a, ifc, p, fl, dirn);
    /* With classification every flow is in the table; stream state is kept
     * only for the flows the auditor itself wants, as without it. */
    if (!fl->audited && !wanted)
        return;
    fl->audited = true;
    if (dot_port) {
        report_encrypted_dns(a, f, p, ifc, fl, "DoT");
        return;
    }
    if (fl->stream_mode[dirn] == STREAM_UNDECIDED && has_payload)
        fl->stream_mode[dirn] = stream_mode_for(p, &p->payload) == STREAM_UNDECIDED
                                    ? STREAM_IGNORED
                                    : stream_mode_for(p, &p->payload);
    enum flow_stream_mode mode = fl->stream_mode[dirn];
    if (mode == STREAM_UNDECIDED || mode == STREAM_IGNORED) {
        if (p->tcp_flags & TCP_SYN) { /* remember the ISN for when data comes */
            if (!fl->stream[dirn] && a->tcp_streams_active < a->cfg.max_tcp_streams && (dns_port || stun_head)) {
                fl->stream[dirn] = g_new(struct tcp_stream, 1);
                tcp_stream_init(fl->stream[dirn]);
                a->tcp_streams_active++;
            }
            if (fl->stream[dirn])
                tcp_stream_add(fl->stream[dirn], p->tcp_seq, true, p->payload);
        }
        return;
    }
    if (!fl->stream[dirn]) {
        if (a->tcp_streams_active >= a->cfg.max_tcp_streams) {
            /* No buffer to spare: cut what this one segment holds. */
            a->c.tcp_stream_drops++;
            a->c.tcp_streams_refused++;
            struct tcp_stream scratch;
            tcp_stream_init(&scratch);
            tcp_stream_add(&scratch, p->tcp_seq, true, p->payload);
            drain_stream(a, &scratch, mode, f, p, ifc, fl);
            return;
        }
        fl->stream[dirn] = g_new(struct tcp_stream, 1);
        tcp_stream_init(fl->stream[dirn]);
        a->tcp_streams_active++;
    }
    if (!has_payload && !(p->tcp_flags & TCP_SYN))
        return;
    tcp_stream_add(fl->stream[dirn], p->tcp_seq, (p->tcp_flags & TCP_SYN) != 0, p->payload);
    drain_stream(a, fl->stream[dirn], mode, f, p, ifc, fl);
}

/* ---- the frame entry ---- */

void audit_frame(struct audit *a, const struct frame *f, const char *source_iface_name)
{
    a->c.frames++;
    a->c.bytes += f->caplen;
    if (!a->c.first_ns || f->ts_ns < a->c.first_ns)
        a->c.first_ns = f->ts_ns;
    if (f->ts_ns > a->c.last_ns)
        a->c.last_ns = f->ts_ns;
    if (a->pending_order.length)
        pending_expire(a, f->ts_ns);

    struct packet p;
    enum decode_status st = decode_frame(f, &p);
    a->c.decode[st]++;
    if (st != DECODE_OK)
        return;
    struct iface *ifc = iface_for_packet(a->ifaces, f, &p, source_iface_name);
    ifc->packets++;
    if (a->packet_observer)
        a->packet_observer(a->packet_observer_user, &p, f->ts_ns);
    if (a->evidence) {
        a->frame_is_evidence = false;
        g_string_truncate(a->frame_comment, 0);
    }
    /* Flow stage: with classification on, every packet finds its flow and
     * feeds nDPI (until the flow is classified or its budget is spent). */
    struct flow *fl = NULL;
    int dirn = 0;
    if (a->dpi) {
        fl = flow_lookup(a->flows, &p, f->ts_ns, true, &dirn);
        if (dpi_packet(a->dpi, fl, &p) && (p.l4_proto == IPPROTO_UDP_ || p.l4_proto == IPPROTO_TCP_))
            report_classified_encrypted_dns(a, f, &p, ifc, fl, dirn);
    }
    switch (p.l4_proto) {
    case IPPROTO_UDP_:
        audit_udp(a, f, &p, ifc, fl, dirn);
        break;
    case IPPROTO_TCP_:
        audit_tcp(a, f, &p, ifc, fl, dirn);
        break;
    case IPPROTO_ESP_:
        note_vpn_transport(a, ifc, &p, "IPsec", p.dir != DIR_IN);
        break;
    default:
        note_classified_vpn_transport(a, ifc, &p, fl, dirn); /* GRE of PPTP, AH */
        break;
    }
    if (a->evidence && (a->frame_is_evidence || a->evidence_all) && !a->evidence_error)
        pcapng_writer_packet(a->evidence, ifc->name, f->linktype, f, p.dir,
                             a->frame_comment->len ? a->frame_comment->str : NULL, &a->evidence_error);
}

void audit_set_evidence(struct audit *a, struct pcapng_writer *w, bool write_all)
{
    a->evidence = w;
    a->evidence_all = write_all;
    if (!a->frame_comment)
        a->frame_comment = g_string_new(NULL);
}

bool audit_evidence_ok(struct audit *a, GError **err)
{
    if (!a->evidence_error)
        return true;
    g_propagate_error(err, a->evidence_error);
    a->evidence_error = NULL;
    return false;
}

void audit_finish(struct audit *a)
{
    a->finishing = true;
    pending_expire(a, UINT64_MAX);
    flow_table_expire(a->flows, UINT64_MAX);
    struct flow_stats fs = flow_table_stats(a->flows);
    a->c.flows_created = fs.created;
    a->c.flows_evicted_cap = fs.evicted_cap;
    a->c.flows_peak = fs.peak;
    iface_table_cap_counts(a->ifaces, &a->c.hosts_not_learned, &a->c.ifaces_over_cap);
    for (guint i = 0; i < a->sinks->len; i++) {
        struct sink *s = g_ptr_array_index(a->sinks, i);
        if (s->ops->finish)
            s->ops->finish(s->self, &a->c, a->ifaces);
    }
}

void audit_tick(struct audit *a, uint64_t now_ns)
{
    if (a->pending_order.length)
        pending_expire(a, now_ns);
    /* Sinks buffer their output; live, alerts go out here, between batches
     * of packets. Failures stay with the stream and are reported at the end. */
    for (guint i = 0; i < a->sinks->len; i++) {
        struct sink *s = g_ptr_array_index(a->sinks, i);
        if (s->ops->flush)
            s->ops->flush(s->self, NULL);
    }
}

void audit_vpn_state(struct audit *a, const struct vpn_state_change *c)
{
    a->c.vpn_state_changes++;
    for (guint i = 0; i < a->sinks->len; i++) {
        struct sink *s = g_ptr_array_index(a->sinks, i);
        if (s->ops->vpn_state)
            s->ops->vpn_state(s->self, c);
    }
}

bool audit_reopen_sinks(struct audit *a, GError **err)
{
    bool ok = true;
    for (guint i = 0; i < a->sinks->len; i++) {
        struct sink *s = g_ptr_array_index(a->sinks, i);
        GError *e = NULL;
        if (s->ops->reopen && !s->ops->reopen(s->self, &e)) {
            if (ok)
                g_propagate_error(err, e);
            else
                g_error_free(e);
            ok = false;
        }
    }
    return ok;
}

struct iface_table *audit_iface_table(struct audit *a) { return a->ifaces; }
struct audit_counters *audit_counters(struct audit *a) { return &a->c; }
const struct iface_table *audit_ifaces(const struct audit *a) { return a->ifaces; }

void audit_verdict_sentence(const struct audit *a, GString *out)
{
    audit_counters_sentence(&a->c, out);
}

void audit_counters_sentence(const struct audit_counters *c, GString *out)
{
    uint64_t judged = c->verdicts[VERDICT_LEAK] + c->verdicts[VERDICT_INSIDE_VPN] + c->verdicts[VERDICT_LOCAL] +
                      c->verdicts[VERDICT_NO_VPN] + c->verdicts[VERDICT_ALLOWED];
    if (c->alerts) {
        g_string_append_printf(out, "LEAK: %" G_GUINT64_FORMAT " alert%s", c->alerts, c->alerts == 1 ? "" : "s");
        const char *sep = " (";
        for (int k = EVENT_STUN; k < EVENT_KIND_COUNT; k++) {
            if (!c->alerts_by_kind[k])
                continue;
            g_string_append_printf(out, "%s%" G_GUINT64_FORMAT " %s", sep, c->alerts_by_kind[k],
                                   event_kind_name((enum event_kind)k));
            sep = ", ";
        }
        if (*sep == ',')
            g_string_append(out, ")");
        if (c->exposures)
            g_string_append_printf(out, "; %" G_GUINT64_FORMAT " exposed the real address", c->exposures);
        uint64_t folded = c->dedup ? dedup_totals(c->dedup)->folded : 0;
        if (folded)
            g_string_append_printf(out, "; %" G_GUINT64_FORMAT " repeat%s folded", folded, folded == 1 ? "" : "s");
        g_string_append(out, " — traffic left outside the VPN.");
    } else if (c->verdicts[VERDICT_NO_VPN] && !c->verdicts[VERDICT_INSIDE_VPN]) {
        g_string_append_printf(out,
                               "NO VPN: %" G_GUINT64_FORMAT " STUN/DNS/DTLS request%s left with no VPN in sight; "
                               "nothing to leak from (name it with --vpn-if, or use --require-vpn).",
                               c->verdicts[VERDICT_NO_VPN], c->verdicts[VERDICT_NO_VPN] == 1 ? "" : "s");
    } else if (judged) {
        g_string_append_printf(out,
                               "CLEAN: no leak; %" G_GUINT64_FORMAT " request%s went through the VPN, %" G_GUINT64_FORMAT
                               " stayed local.",
                               c->verdicts[VERDICT_INSIDE_VPN], c->verdicts[VERDICT_INSIDE_VPN] == 1 ? "" : "s",
                               c->verdicts[VERDICT_LOCAL] + c->verdicts[VERDICT_ALLOWED]);
    } else {
        g_string_append(out, "CLEAN: no leak; no STUN, DNS or DTLS request seen.");
    }
}

void audit_free(struct audit *a)
{
    if (!a)
        return;
    g_free(a->pending);
    hash_index_free(&a->pending_index);
    dedup_free(a->dedup);
    if (a->frame_comment)
        g_string_free(a->frame_comment, TRUE);
    g_clear_error(&a->evidence_error);
    flow_table_free(a->flows); /* before the nDPI module: evicting frees nDPI state */
    if (!a->dpi_borrowed)
        dpi_free(a->dpi);
    iface_table_free(a->ifaces);
    g_ptr_array_free(a->sinks, TRUE);
    g_ptr_array_free(a->enrichers, TRUE);
    g_free(a);
}
